"""Marshmallow schemas of the public API contract (issue #7): request bodies and queries in
`bodies`, the answers in `answers`. Both feed /api/v1/openapi.json."""

from gateway.schemas.answers import *  # noqa: F403
from gateway.schemas.bodies import *  # noqa: F403
