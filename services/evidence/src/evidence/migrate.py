"""`python -m evidence.migrate`: create the indexes and run the start-up work once, idempotently."""

from evidence.bootstrap import SERVICE
from evidence.config import Settings


def run(settings: Settings | None = None) -> None:
    """Create the indexes, seed reference data and migrate (safe to run again)."""
    SERVICE.migrate(settings)


if __name__ == "__main__":
    run()
