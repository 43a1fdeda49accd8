"""Entry point of the evidence consumer: `python -m evidence.consumer` (person.erased, library names)."""

from evidence.bootstrap import SERVICE


def start(service, *, in_thread: bool = True) -> None:
    """Consume the service's queue on the service's runtime (with its relay and background work)."""
    SERVICE.start_consumer(service.settings, service.runtime, in_thread=in_thread)


def main() -> None:
    """Consume until SIGTERM or Ctrl-C."""
    SERVICE.consumer_main()


if __name__ == "__main__":
    main()
