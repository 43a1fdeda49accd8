"""The composition root: every command has its handler, the throttle comes from the settings, and the
service reports an unmigrated database until migrate has recorded the schema version."""

import dataclasses
from datetime import timedelta

import pytest
from registration_fakes import cheap_passwords, fake_uow

from registration import store
from registration.bootstrap import bootstrap
from registration.config import Settings
from registration.domain import commands
from registration.handlers import COMMAND_HANDLERS

pytestmark = pytest.mark.unit


def test_every_command_has_exactly_one_handler_named_after_it():
    declared = {obj for obj in vars(commands).values()
                if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == commands.__name__}
    assert set(COMMAND_HANDLERS) == declared
    for command, handler in COMMAND_HANDLERS.items():
        words = "".join(w.capitalize() for w in handler.__name__.split("_"))
        assert words == command.__name__, (command, handler)


def test_the_sign_in_throttle_is_built_from_the_settings():
    settings = Settings(login_max_per_account=3, login_max_per_address=7, login_window=60.0)
    throttle = bootstrap(settings, uow=fake_uow(), hasher=cheap_passwords()).throttle
    assert (throttle.per_account, throttle.per_address, throttle.window) == (3, 7, timedelta(seconds=60))


def test_the_schema_check_names_the_version_needed_until_it_is_recorded(service, clock):
    assert service.schema_check() == (f"version {store.SCHEMA_VERSION} needed, found none: "
                                      "run python -m registration.migrate")
    service.uow.repos.schema.record(store.SCHEMA_VERSION, clock())
    assert service.schema_check() == "ok"


def test_commands_keep_passwords_and_tokens_out_of_their_repr():
    shown = repr(commands.AcceptInvitation("secret-token", "secret password", "Ole"))
    assert "secret" not in shown and "Ole" in shown
    assert "hemmeligt" not in repr(commands.VerifyCredentials("a@b.dk", "hemmeligt kodeord"))
