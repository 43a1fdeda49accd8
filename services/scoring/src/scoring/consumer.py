"""`python -m scoring.consumer`: consumes registration and evidence events and runs the
certificate scheduler (check-in reminders, lapses, daily re-score) every hour."""

from scoring.bootstrap import SERVICE

if __name__ == "__main__":
    SERVICE.consumer_main()
