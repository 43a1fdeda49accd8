"""The message bus: handlers found by message type, dependencies injected by parameter name."""

from dataclasses import dataclass

import pytest

from shared.messagebus import MessageBus, MissingDependency, UnknownMessage

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class Greet:
    name: str


def greet(cmd: Greet, clock, punctuation: str = "!") -> str:
    return f"{clock()} hej {cmd.name}{punctuation}"


def test_a_command_reaches_its_handler_with_the_dependencies_it_names():
    bus = MessageBus(commands={Greet: greet}, dependencies={"clock": lambda: "kl. 9", "unused": object()})
    assert bus.handle(Greet("Karen")) == "kl. 9 hej Karen!"
    with pytest.raises(UnknownMessage):
        bus.handle("not a command")


def test_a_handler_asking_for_what_nobody_provides_is_refused_at_start():
    with pytest.raises(MissingDependency, match="clock"):
        MessageBus(commands={Greet: greet}, dependencies={})
