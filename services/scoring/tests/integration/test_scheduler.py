"""`python -m scoring.scheduler --once` (the CronJob's command) runs one pass and exits: it refuses
an unmigrated database, and on a migrated one re-scores what was scored on an earlier day."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from scoring_events import library

from scoring import migrate
from shared.events import new_event

pytestmark = pytest.mark.integration


def run_once(settings, run_prefix):
    env = {**os.environ, "CHORA_MONGO_URL": settings.mongo_url, "CHORA_DB_PREFIX": run_prefix,
           "CHORA_AMQP_URL": settings.amqp_url, "CHORA_AMQP_PREFIX": settings.amqp_prefix,
           "CHORA_LOG_LEVEL": "WARNING", "CHORA_SECRET_KEY": "test-secret"}
    return subprocess.run([sys.executable, "-m", "scoring.scheduler", "--once"], env=env, capture_output=True,
                          text=True, timeout=120)


def test_one_pass_refuses_an_unmigrated_database(scoring_settings, run_prefix):
    done = run_once(scoring_settings, run_prefix)
    assert done.returncode == 1, done.stderr
    assert "run python -m scoring.migrate" in done.stdout + done.stderr


def test_one_pass_rescores_a_library_scored_on_an_earlier_day(service, clock, scoring_settings, run_prefix):
    clock.set(datetime.now(UTC) - timedelta(days=1))
    service.bus.handle_event(new_event("library.registered", library("lib-1"), producer="upstream"))
    assert service.uow.repos.libraries.get("lib-1").counts.on < datetime.now(UTC).date()
    migrate.run(scoring_settings)
    done = run_once(scoring_settings, run_prefix)
    assert done.returncode == 0, done.stderr
    assert service.uow.repos.libraries.get("lib-1").counts.on == datetime.now(UTC).date()
