"""Shared by the evidence service's unit and integration tests; nothing real at this level. It
makes the in-memory fakes (tests/fakes.py) importable as `evidence_fakes` (a name no other
service's tests use, so the suite can hold every service's fakes at once)."""

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("evidence_fakes", Path(__file__).with_name("fakes.py"))
assert _spec is not None and _spec.loader is not None
evidence_fakes = importlib.util.module_from_spec(_spec)
sys.modules["evidence_fakes"] = evidence_fakes
_spec.loader.exec_module(evidence_fakes)
