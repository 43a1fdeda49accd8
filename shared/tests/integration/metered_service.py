"""A tiny service for the metrics test, run for real by gunicorn (two workers) and as a consumer
process: POST /items stores an event; its consumer handles it, and fails on key "bad"."""

import os

from chora_testing.miniservice import ServiceDefinition
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from shared.config import ServiceSettings
from shared.events.base import CATALOGUE, Payload, event

if "test.metered" not in CATALOGUE:
    @event("test.metered", version=1, producer="metered", consumers=("metered",))
    class Metered(Payload):
        """A test event: an item was posted."""

        key = fields.Str(required=True)


class ItemIn(Schema):
    key = fields.Str(required=True)


def blueprints(store, settings):
    bp = Blueprint("items", __name__)

    @bp.route("/items")
    class Items(MethodView):
        @bp.arguments(ItemIn)
        @bp.response(201)
        def post(self, body):
            store.transact(lambda tx: tx.emit("test.metered", {"key": body["key"]}))
            return {"key": body["key"]}

    @bp.after_app_request
    def worker(response):
        response.headers["X-Worker"] = str(os.getpid())
        return response

    return [bp]


def handle(store, evt, settings):
    if evt.payload["key"] == "bad":
        raise RuntimeError("a bad item")
    store.transact(lambda tx: None, inbox=("metered", evt.id))


SERVICE = ServiceDefinition(name="metered", title="Metered", blueprints=blueprints,
                            event_handlers={"test.metered": handle})


def create_app():
    return SERVICE.create_app(ServiceSettings.from_env(service="metered"))


if __name__ == "__main__":
    SERVICE.consumer_main()
