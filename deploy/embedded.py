"""`make run`: the whole platform on one machine with only Python.

Starts SecantusDB (a MongoDB-compatible server) with its data in .run/, a local SMTP sink whose
mail you can read in the browser (unless CHORA_SMTP_HOST is set), and every service. With RabbitMQ
reachable each service runs as its own supervised processes (gunicorn API, consumer; migrate steps
and schedulers once their modules exist), as in production; otherwise all services run in this one
process on kombu's in-memory transport. Ctrl-C (or SIGTERM) stops all it started. The code is in
deploy/chora_run/ (the process table is chora_run/programs.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chora_run.main import main  # noqa: E402
from chora_run.platform import BACKEND_SERVICES, Platform  # noqa: E402,F401 - used by tests/bench/flows.py

if __name__ == "__main__":
    sys.exit(main())
