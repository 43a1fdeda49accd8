"""`python -m registration.consumer`: this service consumes no events, so the process runs the
outbox relay only (kept for the same layout as every service)."""

from registration.bootstrap import SERVICE

if __name__ == "__main__":
    SERVICE.consumer_main()
