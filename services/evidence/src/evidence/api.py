"""The evidence service's HTTP API (flask-smorest): each view parses its request, builds one
command for the bus (or asks one view function), and answers through a response schema; domain
errors become problem+json through ERRORS. The OpenAPI document (`/openapi.json`) is the contract.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from evidence import domain as d
from evidence import views as v
from evidence.bootstrap import Service, bootstrap
from evidence.config import Settings
from evidence.domain import commands as c
from evidence.handlers import file_too_large
from evidence.schemas import answers as out
from evidence.schemas import requests as rq
from shared import jsonlog
from shared.http import Problem, create_service_app, current_identity, problem_response
from shared.vocabulary import ROLES

TITLE = "Evidence: action plans, evidence items, attachments, reviews and shared cases"

# Domain error -> HTTP status: the service's one error table.
ERRORS: dict[type[d.EvidenceError], int] = {
    d.InvalidEvidence: 422,
    d.InvalidField: 422,
    d.Conflict: 409,
    d.Forbidden: 403,
    d.NotFound: 404,
    d.TooLarge: 413,
    d.Unsupported: 415,
    d.EvidenceError: 422,
}
# Multipart framing around one file: boundaries, part headers and the small `revision` field.
MULTIPART_SLACK = 64 * 1024
BINARY = {"type": "string", "format": "binary"}
DOWNLOAD_HEADERS = {
    "Content-Disposition": {"description": "always `attachment`, with the file name (RFC 6266)",
                            "schema": {"type": "string"}},
    "X-Content-Type-Options": {"description": "`nosniff`", "schema": {"type": "string"}},
    "Content-Security-Policy": {"description": "`default-src 'none'; sandbox`", "schema": {"type": "string"}},
}
# What answers while the database lacks the schema version (probes, metrics, the document).
UNGATED_BLUEPRINTS = ("health", "api-docs")


def create_app(settings: Settings | None = None, *, service: Service | None = None) -> Flask:
    """The gunicorn entry point ('evidence.api:create_app()'); starts this process's outbox relay."""
    service = service or bootstrap(settings)
    jsonlog.configure(service.settings.service, service.settings.log_level)
    gate = SchemaGate(service)
    app, api = create_service_app(service.settings, title=TITLE,
                                  runtime_ready=lambda: {**service.runtime.check_ready(), "schema": gate.state()},
                                  idempotency_db=service.runtime.store.db if service.runtime.store is not None else None)
    for exc_type in ERRORS:
        app.register_error_handler(exc_type, render_error)
    app.before_request(gate.refuse_unless_migrated)
    api.register_blueprint(blueprint(service))
    app.extensions["evidence"] = service
    app.extensions["chora_runtime"] = service.runtime  # what harnesses stop when they stop the app
    service.runtime.start_relay()
    return app


class SchemaGate:
    """Until the database has the schema version this code needs, readiness says why and every
    other request is refused with 503 (the first time it is there, the gate stays open)."""

    def __init__(self, service: Service):
        self.service = service
        self.open = False

    def state(self) -> str:
        if not self.open:
            state = self.service.schema_state()
            self.open = state == "ok"
            return state
        return "ok"

    def refuse_unless_migrated(self) -> None:
        if request.blueprint in UNGATED_BLUEPRINTS:
            return
        state = self.state()
        if state != "ok":
            raise Problem(503, "Tjenesten er ikke klar: databasen er ikke opdateret.",
                          detail_en=f"The service is not ready: {state}.", code="schema_not_ready")


def render_error(exc: d.EvidenceError) -> Response:
    """problem+json naming the field; every problem listed when there are several."""
    problems: list[d.EvidenceError] = getattr(exc, "problems", None) or [exc]
    extra: dict[str, Any] = {}
    if exc.current_state:
        extra["current_state"] = exc.current_state
    return problem_response(
        ERRORS.get(type(exc), 422), exc.message_da, detail_en=exc.message_en, field=exc.field, code=exc.code,
        errors={p.field or "_": p.message_en for p in problems}, problems=[p.to_dict() for p in problems], **extra,
    )


def unsaved(problems: list[d.EvidenceError], **saved: Any) -> Problem:
    """The 422 of a draft save whose valid fields ARE stored: it names the invalid ones and carries
    the saved document (`item` or `plan`), whose revision the next change must present."""
    return Problem(
        422,
        "Nogle felter blev ikke gemt: " + "; ".join(p.message_da for p in problems),
        detail_en="Some fields were not saved: " + "; ".join(p.message_en for p in problems),
        field=problems[0].field, code="fields_not_saved",
        errors={p.field or "_": p.message_en for p in problems},
        problems=[p.to_dict() for p in problems], saved=True, **saved,
    )


def blueprint(service: Service) -> Blueprint:
    """The evidence API's routes over one service."""
    bp = Blueprint("evidence", __name__, description="Action plans, evidence, attachments, reviews, shared cases")
    bus, uow, settings = service.bus, service.uow, service.settings
    item_answer, plan_answer = out.ItemSchema(), out.PlanSchema()
    item_page, copied = out.item_page(), out.copied()
    upload_form = rq.UploadFormSchema()

    def arguments(schema: type[Schema], **kwargs: Any) -> Any:
        """Parse with one instance of the schema, built here once (given the class, webargs would
        build one on every request: over a millisecond each)."""
        return bp.arguments(schema(), **kwargs)

    def caller() -> d.Actor:
        """The signed-in person the gateway vouches for (401 without one)."""
        identity = current_identity(settings)
        if identity.role == "anonymous":
            raise Problem(401, "Du skal være logget ind.", detail_en="Sign in first.", code="unauthenticated")
        if identity.role not in ROLES:  # a signed identity of no role here sees nothing
            raise d.NotFound("not_found", "Bidraget findes ikke.", "The evidence does not exist.")
        return d.Actor(identity.person_id, identity.role, identity.library_id, identity.name or None,
                       identity.email or None)

    # -- evidence items ---------------------------------------------------------------------------

    @bp.route("/libraries/<library_id>/evidence", methods=["POST"])
    @arguments(rq.ItemContentSchema)
    @bp.response(201, out.ItemSchema, description="The new draft")
    def create_item(body: dict[str, Any], library_id: str) -> Any:
        """Start a draft (201); any invalid field refuses the whole request (422, nothing stored)."""
        actor = caller()
        return v.seen_item(bus.handle(c.CreateItem(library_id, body, actor)), actor)

    @bp.route("/libraries/<library_id>/evidence", methods=["GET"])
    @arguments(rq.ItemListQuery, location="query")
    @bp.response(200, item_page, description="A page of items; with summary=1 each is an ItemSummary and "
                                             "total may be null")
    @bp.doc(**item_page.openapi(200))
    def list_items(query: dict[str, Any], library_id: str) -> Any:
        """A library's items, newest change first (summary=1: a few fields per item)."""
        return v.items(library_id, caller(), uow, **query)

    @bp.route("/evidence/<item_id>", methods=["GET"])
    @bp.response(200, out.ItemSchema, description="The item")
    def get_item(item_id: str) -> Any:
        return v.item(item_id, caller(), uow)

    @bp.route("/evidence/<item_id>", methods=["PATCH"])
    @arguments(rq.ItemPatchSchema)
    @bp.response(200, out.ItemSchema, description="The item with every field saved (422 names unsaved ones)")
    def patch_item(body: dict[str, Any], item_id: str) -> Any:
        """Save the valid fields of a draft (conditional on `revision`; 409 if stale)."""
        actor = caller()
        based_on = body.pop("revision")
        saved = bus.handle(c.EditItem(item_id, body, based_on, actor))
        answer = v.seen_item(saved.new, actor)
        if saved.problems:
            raise unsaved(saved.problems, item=item_answer.dump(answer))
        return answer

    @bp.route("/evidence/<item_id>", methods=["DELETE"])
    @arguments(rq.OptionalRevisionSchema, location="query")
    @bp.response(204, description="Deleted, with its files")
    def delete_item(query: dict[str, Any], item_id: str) -> None:
        """Delete a draft that was never submitted (a submitted item is withdrawn instead)."""
        bus.handle(c.DeleteItem(item_id, query["revision"], caller()))

    @bp.route("/evidence/<item_id>/submit", methods=["POST"])
    @arguments(rq.RevisionSchema)
    @bp.response(200, out.ItemSchema, description="The submitted item")
    def submit_item(body: dict[str, Any], item_id: str) -> Any:
        actor = caller()
        return v.seen_item(bus.handle(c.SubmitItem(item_id, body["revision"], actor)), actor)

    @bp.route("/evidence/<item_id>/withdraw", methods=["POST"])
    @arguments(rq.WithdrawSchema)
    @bp.response(200, out.ItemSchema, description="The withdrawn item")
    def withdraw_item(body: dict[str, Any], item_id: str) -> Any:
        actor = caller()
        return v.seen_item(bus.handle(c.WithdrawItem(item_id, body["revision"], body["reason"], actor)), actor)

    @bp.route("/evidence/<item_id>/review", methods=["POST"])
    @arguments(rq.ReviewSchema)
    @bp.response(200, out.ItemSchema, description="The decided item")
    def review_item(body: dict[str, Any], item_id: str) -> Any:
        """An assessor's decision: approved, rejected (comment) or clarification_requested (comment, deadline)."""
        actor = caller()
        item = bus.handle(c.ReviewItem(item_id, body["decision"], body["comment"], body["deadline"],
                                       body["revision"], actor))
        return v.seen_item(item, actor)

    @bp.route("/evidence/<item_id>/audit", methods=["GET"])
    @bp.response(200, out.AuditSchema, description="The item's audit trail")
    def item_audit(item_id: str) -> Any:
        return v.item(item_id, caller(), uow)

    @bp.route("/evidence/<item_id>/thread", methods=["GET"])
    @bp.response(200, out.ThreadSchema, description="The item's clarification thread")
    def item_thread(item_id: str) -> Any:
        return v.item(item_id, caller(), uow)

    @bp.route("/evidence/<item_id>/thread", methods=["POST"])
    @arguments(rq.ThreadPostSchema)
    @bp.response(201, out.ItemThreadPostedSchema, description="The thread with the new message, and the item")
    def post_item_thread(body: dict[str, Any], item_id: str) -> Any:
        """A message in an open clarification; with answer=true the library answers and resubmits."""
        actor = caller()
        if body["answer"]:
            command: Any = c.AnswerClarification(item_id, body["message"], body["changes"], body["revision"], actor)
        else:
            command = c.PostMessage(item_id, body["message"], body["revision"], actor)
        item = bus.handle(command)
        return v.seen_item(item, actor, item=v.seen_item(item, actor))

    # -- attachments ------------------------------------------------------------------------------

    @bp.route("/evidence/<item_id>/attachments", methods=["POST"])
    @bp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {**BINARY, "description": "the file (label: Fil / File)"},
                       "revision": {"type": "integer", "minimum": 1}}}}}})
    @bp.response(201, out.UploadedSchema, description="The attachment and the item it was added to")
    def upload(item_id: str) -> Any:
        """Attach a JPEG, PNG, WebP, PDF, DOCX or XLSX (type from the bytes; 20 MB per file, 100 MB per item)."""
        actor = caller()
        item = v.attachable_item(item_id, actor, uow)
        length = request.content_length
        # Refuse by the announced length before reading a byte; the spool caps what is read anyway.
        if length is not None:
            if length > d.MAX_FILE_BYTES + MULTIPART_SLACK:
                d.check_file_size(length - MULTIPART_SLACK)
            d.check_item_total(d.attachment_sizes(item), max(0, length - MULTIPART_SLACK))
        request.max_content_length = d.MAX_FILE_BYTES + MULTIPART_SLACK
        try:
            # Parsing reads the capped body: a chunked body (no Content-Length) past the cap
            # stops there, and is the same file_too_large as one refused by its announced length.
            raw_form, files = request.form, request.files
        except RequestEntityTooLarge:
            raise file_too_large() from None
        try:
            form = upload_form.load(raw_form)
        except ValidationError as exc:
            errors = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
            field = next(iter(errors))
            raise Problem(422, f"Feltet '{field}' er ugyldigt.", detail_en=f"Field '{field}' is invalid.",
                          field=str(field), code="validation", errors=errors) from None
        sent = files.get("file")
        if sent is None:
            raise Problem(422, "Vælg en fil.", detail_en="Choose a file.", field="file", code="required")
        attached = bus.handle(c.AddAttachment(item_id, sent.filename or "", sent.stream, sent.mimetype,
                                              form["revision"], actor))
        return {"attachment": attached.attachment, "item": v.seen_item(attached.item, actor)}

    def send(item_id: str, file_id: str, *, thumbnail: bool) -> Response:
        record, stream = v.download(item_id, file_id, caller(), uow, service.files, thumbnail=thumbnail)

        def chunks() -> Iterator[bytes]:
            try:
                while chunk := stream.readchunk():
                    yield chunk
            finally:
                stream.close()

        mime = "image/jpeg" if thumbnail else record.mime
        name = ("thumbnail-" + record.filename.rsplit(".", 1)[0] + ".jpg") if thumbnail else record.filename
        response = Response(chunks(), mimetype=mime, direct_passthrough=True)
        response.headers["Content-Length"] = str(stream.length)
        response.headers["Content-Disposition"] = d.content_disposition(name, mime)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response.headers["Cache-Control"] = "private, no-cache"
        return response

    def bytes_of(media_types: tuple[str, ...], description: str) -> dict[str, Any]:
        """The document of a download: its media types, each as bytes (a stream, not a schema's dump)."""
        return {"responses": {200: {"description": description, "headers": DOWNLOAD_HEADERS,
                                      "content": {t: {"schema": BINARY} for t in media_types}}}}

    @bp.route("/evidence/<item_id>/attachments/<file_id>", methods=["GET"])
    @bp.doc(**bytes_of(out.ATTACHMENT_TYPES, "The file's bytes, in the type found from them"))
    def download(item_id: str, file_id: str) -> Response:
        """The file's bytes, always as a download (Content-Disposition: attachment, nosniff)."""
        return send(item_id, file_id, thumbnail=False)

    @bp.route("/evidence/<item_id>/attachments/<file_id>/thumbnail", methods=["GET"])
    @bp.doc(**bytes_of(("image/jpeg",), "A JPEG preview, at most 400 px"))
    def thumbnail(item_id: str, file_id: str) -> Response:
        """A JPEG preview (at most 400 px) of an image attachment; 404 for other files."""
        return send(item_id, file_id, thumbnail=True)

    @bp.route("/evidence/<item_id>/attachments/<file_id>", methods=["DELETE"])
    @arguments(rq.OptionalRevisionSchema, location="query")
    @bp.response(200, out.ItemOnlySchema, description="The item without the file (its bytes go after the commit)")
    def delete_attachment(query: dict[str, Any], item_id: str, file_id: str) -> Any:
        actor = caller()
        item = bus.handle(c.RemoveAttachment(item_id, file_id, query["revision"], actor))
        return {"item": v.seen_item(item, actor)}

    # -- action plan ------------------------------------------------------------------------------

    @bp.route("/libraries/<library_id>/action-plan", methods=["GET"])
    @bp.response(200, out.PlanSchema, description="The action plan (404 if there is none yet)")
    def get_plan(library_id: str) -> Any:
        return v.plan(library_id, caller(), uow)

    @bp.route("/libraries/<library_id>/action-plan", methods=["PUT"])
    @arguments(rq.PlanPutSchema)
    @bp.response(200, out.PlanSchema, description="The plan with every field saved (422 names unsaved ones)")
    def put_plan(body: dict[str, Any], library_id: str) -> Any:
        """Create (revision absent or 0) or change the plan; valid fields are kept, invalid ones named (422)."""
        actor = caller()
        based_on = body.pop("revision", None)
        saved = bus.handle(c.SavePlan(library_id, body, based_on, actor))
        answer = v.seen_plan(saved.new, actor)
        if saved.problems:
            raise unsaved(saved.problems, plan=plan_answer.dump(answer))
        return answer

    @bp.route("/libraries/<library_id>/action-plan/submit", methods=["POST"])
    @arguments(rq.OptionalRevisionSchema)
    @bp.response(200, out.PlanSchema, description="The submitted plan")
    def submit_plan(body: dict[str, Any], library_id: str) -> Any:
        actor = caller()
        return v.seen_plan(bus.handle(c.SubmitPlan(library_id, body["revision"], actor)), actor)

    @bp.route("/libraries/<library_id>/action-plan/review", methods=["POST"])
    @arguments(rq.PlanReviewSchema)
    @bp.response(200, out.PlanSchema, description="The decided plan")
    def review_plan(body: dict[str, Any], library_id: str) -> Any:
        actor = caller()
        plan = bus.handle(c.ReviewPlan(library_id, body["decision"], body["comment"], body["deadline"],
                                       body["revision"], actor))
        return v.seen_plan(plan, actor)

    @bp.route("/libraries/<library_id>/action-plan/audit", methods=["GET"])
    @bp.response(200, out.AuditSchema, description="The plan's audit trail")
    def plan_audit(library_id: str) -> Any:
        return v.plan(library_id, caller(), uow)

    @bp.route("/libraries/<library_id>/action-plan/thread", methods=["GET"])
    @bp.response(200, out.ThreadSchema, description="The plan's clarification thread")
    def plan_thread(library_id: str) -> Any:
        return v.plan(library_id, caller(), uow)

    @bp.route("/libraries/<library_id>/action-plan/thread", methods=["POST"])
    @arguments(rq.PlanThreadPostSchema)
    @bp.response(201, out.PlanThreadPostedSchema, description="The thread with the answer, and the resubmitted plan")
    def answer_plan(body: dict[str, Any], library_id: str) -> Any:
        """The library answers the assessor's question (answer must be true) and resubmits the plan."""
        actor = caller()
        if not body["answer"]:
            raise Problem(422, "Svar på spørgsmålet (answer=true).", detail_en="Answer the question (answer=true).",
                          field="answer", code="answer_required")
        plan = bus.handle(c.AnswerPlanClarification(library_id, body["message"], body["changes"], body["revision"],
                                                    actor))
        return v.seen_plan(plan, actor, plan=v.seen_plan(plan, actor))

    # -- shared cases -----------------------------------------------------------------------------

    @bp.route("/evidence/<item_id>/share", methods=["POST"])
    @arguments(rq.OptionalRevisionSchema)
    @bp.response(201, out.SharedCaseSchema, description="The new shared case and the shared item")
    def share(body: dict[str, Any], item_id: str) -> Any:
        actor = caller()
        shared = bus.handle(c.ShareItem(item_id, body["revision"], actor))
        return v.seen_case(shared.case, actor, item=v.seen_item(shared.item, actor))

    @bp.route("/shared-cases", methods=["GET"])
    @arguments(rq.CaseQuery, location="query")
    @bp.response(200, out.CaseListSchema, description="A page of shared cases, newest first")
    def search_cases(query: dict[str, Any]) -> Any:
        return v.cases(caller(), uow, **query)

    @bp.route("/shared-cases/<case_id>", methods=["GET"])
    @bp.response(200, out.CaseSchema, description="The shared case")
    def get_case(case_id: str) -> Any:
        return v.case(case_id, caller(), uow)

    @bp.route("/shared-cases/<case_id>/copy", methods=["POST"])
    @arguments(rq.CopyCaseSchema)
    @bp.response(201, copied, description="The new draft item, or with into=plan the action plan with the case "
                                          "added as a goal")
    @bp.doc(**copied.openapi(201))
    def copy_case(body: dict[str, Any], case_id: str) -> Any:
        """Copy a case into a new draft item (201 item) or, with into=plan, as a goal of the plan (201 plan)."""
        actor = caller()
        saved = bus.handle(c.CopyCase(case_id, body["library_id"], body["into"], actor))
        if isinstance(saved.new, d.ActionPlan):
            return v.seen_plan(saved.new, actor)
        answer = v.seen_item(saved.new, actor)
        if saved.problems:
            raise unsaved(saved.problems, item=item_answer.dump(answer))
        return answer

    # -- queues, exports, public ------------------------------------------------------------------

    @bp.route("/review-queue", methods=["GET"])
    @arguments(rq.PageQuery, location="query")
    @bp.response(200, out.ReviewQueueSchema, description="Submitted items and plans")
    def review_queue(query: dict[str, Any]) -> Any:
        """Submitted items, oldest submission first (and submitted action plans)."""
        return v.review_queue(caller(), uow, **query)

    @bp.route("/libraries/<library_id>/export", methods=["GET"])
    @arguments(rq.ExportQuery, location="query")
    @bp.response(200, out.ExportSchema, description="format=json: what scoring's rebuild reads; format=csv: the "
                                                    "same items as CSV (UTF-8 with BOM)")
    @bp.doc(responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                               "headers": {"Content-Disposition": DOWNLOAD_HEADERS["Content-Disposition"]}}})
    def export(query: dict[str, Any], library_id: str) -> Any:
        exported = v.export(library_id, caller(), uow, service.clock)
        if query["format"] == "csv":  # text for spreadsheets, not a JSON body
            response = Response("\ufeff" + d.export_csv(exported.items), mimetype="text/csv")
            response.headers["Content-Disposition"] = d.content_disposition(f"evidence-{library_id}.csv")
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response
        return exported

    @bp.route("/public/libraries/<library_id>/activities", methods=["GET"])
    @bp.response(200, out.PublicActivitiesSchema, description="The library's approved public items, content only")
    def public_activities(library_id: str) -> Any:
        """Approved items the library marked public, without any personal data."""
        current_identity(settings)  # anonymous is fine, but the gateway must have signed it
        return v.public_activities(library_id, uow)

    return bp

