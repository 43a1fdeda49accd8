"""`python -m notification.consumer`: consume events, and run the mail sender and the scheduler."""

from notification.bootstrap import SERVICE

if __name__ == "__main__":
    SERVICE.consumer_main()
