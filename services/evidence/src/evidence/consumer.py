"""Entry point of the evidence consumer: `python -m evidence.consumer` (person.erased, library names)."""

from evidence.bootstrap import SERVICE

if __name__ == "__main__":
    SERVICE.consumer_main()
