"""The evidence service's HTTP API (services/README.md, "evidence"): thin views over handlers.

Each view: validate (marshmallow) -> signed identity -> one handler call (which does the tenant
check) -> JSON. Domain errors become problem+json through ERROR_STATUS.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, current_app, jsonify, request
from flask_smorest import Blueprint
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from evidence import attachments
from evidence import domain as d
from evidence import responses as out
from evidence import schemas as s
from evidence import views as v
from evidence.config import Settings
from evidence.handlers import EvidenceService, Result
from shared.http import Problem, current_identity, problem_response
from shared.identity import Identity
from shared.mongo import ServiceStore

# Domain error -> HTTP status (also the service's mapped_errors table).
ERROR_STATUS: dict[type[Exception], int] = {
    d.InvalidEvidence: 422,
    d.InvalidField: 422,
    d.Conflict: 409,
    d.Forbidden: 403,
    d.NotFound: 404,
    d.TooLarge: 413,
    d.Unsupported: 415,
    d.EvidenceError: 422,
}
# One schema instance for the list's query, built once (a class is instantiated on every request).
ITEM_LIST_QUERY = s.ItemListQuery()
# Multipart framing around one file: boundaries, part headers and the small `revision` field.
MULTIPART_SLACK = 64 * 1024


def create_app(settings: Settings | None = None, *, service=None):
    """The gunicorn entry point: 'evidence.api:create_app()'."""
    from evidence.bootstrap import SERVICE

    service = service or SERVICE.bootstrap(settings)
    return SERVICE.create_app(service.settings, service.runtime)


def render_error(exc: d.EvidenceError) -> Response:
    """problem+json naming the field; every problem listed when there are several."""
    problems = getattr(exc, "problems", None) or [exc]
    extra: dict[str, Any] = {}
    if exc.current_state:
        extra["current_state"] = exc.current_state
    return problem_response(
        ERROR_STATUS.get(type(exc), 422), exc.message_da, detail_en=exc.message_en, field=exc.field, code=exc.code,
        errors={p.field or "_": p.message_en for p in problems}, problems=[p.to_dict() for p in problems], **extra,
    )


def saved_with_problems(result: Result, render, status: int = 200):
    """Answer a draft save: 200/201 if everything was saved, else 422 with the saved document.

    The valid fields ARE stored (nothing typed is lost); the 422 names the invalid ones and
    carries the saved document (`item` or `plan`) whose `revision` the next change must use.
    """
    body = render(result.doc)
    if not result.problems:
        return jsonify(body), status
    first = result.problems[0]
    key = "plan" if "goals" in body else "item"
    raise Problem(
        422,
        "Nogle felter blev ikke gemt: " + "; ".join(p.message_da for p in result.problems),
        detail_en="Some fields were not saved: " + "; ".join(p.message_en for p in result.problems),
        field=first.field, code="fields_not_saved",
        errors={p.field or "_": p.message_en for p in result.problems},
        problems=[p.to_dict() for p in result.problems], saved=True, **{key: body},
    )


def blueprints(store: ServiceStore, settings: Settings) -> list[Blueprint]:
    service = EvidenceService(store)
    bp = Blueprint("evidence", __name__, description="Action plans, evidence, attachments, reviews, shared cases")

    @bp.record_once
    def _register(state) -> None:
        state.app.extensions["evidence"] = service  # tests swap service.clock here
        for exc_type in ERROR_STATUS:
            state.app.register_error_handler(exc_type, render_error)

    # Response bodies are documented with alt_response only: the views return Response objects
    # built by views.py, which flask-smorest passes through unchanged (`@response` would dump a
    # returned dict through the schema and drop any field the schema does not declare).
    def answers(status: int, schema: Any, description: str, **kw: Any):
        return bp.alt_response(status, schema=schema, description=description, success=True, **kw)

    def answers_file(media_types: tuple[str, ...], description: str, headers: dict):
        def decorate(view):
            for media_type in media_types:
                view = answers(200, dict(out.BINARY), description, content_type=media_type, headers=headers)(view)
            return view
        return decorate

    def svc() -> EvidenceService:
        return current_app.extensions["evidence"]

    def signed_in() -> Identity:
        identity = current_identity(settings)
        if identity.role == "anonymous":
            raise Problem(401, "Du skal være logget ind.", detail_en="Sign in first.", code="unauthenticated")
        return identity

    # -- evidence items ---------------------------------------------------------------------------

    @bp.route("/libraries/<library_id>/evidence", methods=["POST"])
    @bp.arguments(s.ItemCreateSchema)
    @answers(201, out.ItemSchema, "The new draft")
    def create_item(body, library_id):
        """Start a draft (201); any invalid field refuses the whole request (422, nothing stored)."""
        result = svc().create_item(library_id, body, signed_in())
        return jsonify(v.item_json(result.doc)), 201

    @bp.route("/libraries/<library_id>/evidence", methods=["GET"])
    @bp.arguments(ITEM_LIST_QUERY, location="query")
    @answers(200, {"oneOf": [out.ItemListSchema, out.ItemSummaryListSchema]},
             "A page of items; with summary=1 each item is an ItemSummary and total may be null")
    def list_items(query, library_id):
        """A library's items, newest change first: {items, total, page, per_page}
        (summary=1: a few fields per item, see ItemListQuery)."""
        items, total = svc().list_items(library_id, signed_in(), **query)
        render = v.summary_json if query["summary"] else v.item_json
        return jsonify(items=[render(i) for i in items], total=total, page=query["page"],
                       per_page=query["per_page"])

    @bp.route("/evidence/<item_id>", methods=["GET"])
    @answers(200, out.ItemSchema, "The item")
    def get_item(item_id):
        return jsonify(v.item_json(svc().get_item(item_id, signed_in())))

    @bp.route("/evidence/<item_id>", methods=["PATCH"])
    @bp.arguments(s.ItemPatchSchema)
    @answers(200, out.ItemSchema, "The item with every field saved (422 names unsaved ones, see README)")
    def patch_item(body, item_id):
        """Save the valid fields of a draft (conditional on `revision`; 409 if stale)."""
        based_on = body.pop("revision")
        return saved_with_problems(svc().edit_item(item_id, body, based_on, signed_in()), v.item_json)

    @bp.route("/evidence/<item_id>/submit", methods=["POST"])
    @bp.arguments(s.RevisionSchema)
    @answers(200, out.ItemSchema, "The submitted item")
    def submit_item(body, item_id):
        return jsonify(v.item_json(svc().submit_item(item_id, body["revision"], signed_in()).doc))

    @bp.route("/evidence/<item_id>/withdraw", methods=["POST"])
    @bp.arguments(s.WithdrawSchema)
    @answers(200, out.ItemSchema, "The withdrawn item")
    def withdraw_item(body, item_id):
        result = svc().withdraw_item(item_id, body["revision"], signed_in(), reason=body["reason"])
        return jsonify(v.item_json(result.doc))

    @bp.route("/evidence/<item_id>/review", methods=["POST"])
    @bp.arguments(s.ReviewSchema)
    @answers(200, out.ItemSchema, "The decided item")
    def review_item(body, item_id):
        """An assessor's decision: approved, rejected (comment) or clarification_requested (comment, deadline)."""
        result = svc().review_item(item_id, signed_in(), decision=body["decision"], comment=body["comment"],
                                   deadline=body["deadline"], based_on=body["revision"])
        return jsonify(v.item_json(result.doc))

    @bp.route("/evidence/<item_id>/audit", methods=["GET"])
    @answers(200, out.AuditSchema, "The item's audit trail")
    def item_audit(item_id):
        return jsonify(v.audit_json(svc().get_item(item_id, signed_in()), "item_id"))

    @bp.route("/evidence/<item_id>/thread", methods=["GET"])
    @answers(200, out.ThreadSchema, "The item's clarification thread")
    def item_thread(item_id):
        return jsonify(v.thread_json(svc().get_item(item_id, signed_in()), "item_id"))

    @bp.route("/evidence/<item_id>/thread", methods=["POST"])
    @bp.arguments(s.ThreadPostSchema)
    @answers(201, out.ItemThreadPostedSchema, "The thread with the new message, and the item")
    def post_item_thread(body, item_id):
        """A message in an open clarification; with answer=true the library answers and resubmits."""
        result = svc().post_to_thread(item_id, signed_in(), message=body["message"], answer=body["answer"],
                                      based_on=body["revision"], changes=body["changes"])
        return jsonify(v.thread_json(result.doc, "item_id") | {"item": v.item_json(result.doc)}), 201

    # -- attachments ------------------------------------------------------------------------------

    @bp.route("/evidence/<item_id>/attachments", methods=["POST"])
    @bp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary"}, "revision": {"type": "integer"}}}}}})
    @answers(201, out.UploadedSchema, "The attachment and the item it was added to")
    def upload(item_id):
        """Attach a JPEG, PNG, WebP, PDF, DOCX or XLSX (type from the bytes; 20 MB per file, 100 MB per item)."""
        identity = signed_in()
        item = attachments.precheck(svc(), item_id, identity)
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
            raise attachments.file_too_large() from None
        try:
            form = s.UploadFormSchema().load(raw_form)
        except ValidationError as exc:
            field = next(iter(exc.messages), None)
            raise Problem(422, f"Feltet '{field}' er ugyldigt.", detail_en=f"Field '{field}' is invalid.",
                          field=field, code="validation", errors=exc.messages) from None
        upload_ = files.get("file")
        if upload_ is None:
            raise Problem(422, "Vælg en fil.", detail_en="Choose a file.", field="file", code="required")
        result = attachments.add(svc(), item_id, identity, filename=upload_.filename or "", source=upload_.stream,
                                 declared_type=upload_.mimetype, based_on=form["revision"])
        return jsonify(attachment=v.attachment_json(item_id, result.extra["attachment"]),
                       item=v.item_json(result.doc)), 201

    def _send(item_id: str, file_id: str, *, thumbnail: bool) -> Response:
        record, stream = attachments.open_download(svc(), item_id, file_id, signed_in(), thumbnail=thumbnail)

        def chunks():
            try:
                while chunk := stream.readchunk():
                    yield chunk
            finally:
                stream.close()

        mime = "image/jpeg" if thumbnail else record["mime"]
        name = ("thumbnail-" + record["filename"].rsplit(".", 1)[0] + ".jpg") if thumbnail else record["filename"]
        response = Response(chunks(), mimetype=mime, direct_passthrough=True)
        response.headers["Content-Length"] = str(stream.length)
        response.headers["Content-Disposition"] = d.content_disposition(name, mime)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response.headers["Cache-Control"] = "private, no-cache"
        return response

    @bp.route("/evidence/<item_id>/attachments/<file_id>", methods=["GET"])
    @answers_file(out.ATTACHMENT_TYPES, "The file's bytes, in the type found from them", out.DOWNLOAD_HEADERS)
    def download(item_id, file_id):
        """The file's bytes, always as a download (Content-Disposition: attachment, nosniff)."""
        return _send(item_id, file_id, thumbnail=False)

    @bp.route("/evidence/<item_id>/attachments/<file_id>/thumbnail", methods=["GET"])
    @answers_file(("image/jpeg",), "A JPEG preview, at most 400 px", out.DOWNLOAD_HEADERS)
    def thumbnail(item_id, file_id):
        """A JPEG preview (at most 400 px) of an image attachment; 404 for other files."""
        return _send(item_id, file_id, thumbnail=True)

    @bp.route("/evidence/<item_id>/attachments/<file_id>", methods=["DELETE"])
    @bp.arguments(s.OptionalRevisionSchema, location="query")
    @answers(200, out.ItemOnlySchema, "The item without the file (the bytes are deleted after the commit)")
    def delete_attachment(query, item_id, file_id):
        result = attachments.remove(svc(), item_id, file_id, signed_in(), query["revision"])
        return jsonify(item=v.item_json(result.doc))

    # -- action plan ------------------------------------------------------------------------------

    @bp.route("/libraries/<library_id>/action-plan", methods=["GET"])
    @answers(200, out.PlanSchema, "The action plan (404 if there is none yet)")
    def get_plan(library_id):
        return jsonify(v.plan_json(svc().get_plan(library_id, signed_in())))

    @bp.route("/libraries/<library_id>/action-plan", methods=["PUT"])
    @bp.arguments(s.PlanPutSchema)
    @answers(200, out.PlanSchema, "The plan with every field saved (422 names unsaved ones, see README)")
    def put_plan(body, library_id):
        """Create (revision absent or 0) or change the plan; valid fields are kept, invalid ones named (422)."""
        based_on = body.pop("revision", None)
        return saved_with_problems(svc().put_plan(library_id, body, based_on, signed_in()), v.plan_json)

    @bp.route("/libraries/<library_id>/action-plan/submit", methods=["POST"])
    @bp.arguments(s.OptionalRevisionSchema)
    @answers(200, out.PlanSchema, "The submitted plan")
    def submit_plan(body, library_id):
        return jsonify(v.plan_json(svc().submit_plan(library_id, body["revision"], signed_in()).doc))

    @bp.route("/libraries/<library_id>/action-plan/review", methods=["POST"])
    @bp.arguments(s.PlanReviewSchema)
    @answers(200, out.PlanSchema, "The decided plan")
    def review_plan(body, library_id):
        result = svc().review_plan(library_id, signed_in(), decision=body["decision"], comment=body["comment"],
                                   deadline=body["deadline"], based_on=body["revision"])
        return jsonify(v.plan_json(result.doc))

    @bp.route("/libraries/<library_id>/action-plan/audit", methods=["GET"])
    @answers(200, out.AuditSchema, "The plan's audit trail")
    def plan_audit(library_id):
        return jsonify(v.audit_json(svc().get_plan(library_id, signed_in()), "plan_id"))

    @bp.route("/libraries/<library_id>/action-plan/thread", methods=["GET"])
    @answers(200, out.ThreadSchema, "The plan's clarification thread")
    def plan_thread(library_id):
        return jsonify(v.thread_json(svc().get_plan(library_id, signed_in()), "plan_id"))

    @bp.route("/libraries/<library_id>/action-plan/thread", methods=["POST"])
    @bp.arguments(s.ThreadPostSchema)
    @answers(201, out.PlanThreadPostedSchema, "The thread with the answer, and the resubmitted plan")
    def answer_plan(body, library_id):
        """The library answers the assessor's question (answer must be true) and resubmits the plan."""
        if not body["answer"]:
            raise Problem(422, "Svar på spørgsmålet (answer=true).", detail_en="Answer the question (answer=true).",
                          field="answer", code="answer_required")
        result = svc().answer_plan(library_id, signed_in(), message=body["message"], based_on=body["revision"],
                                   changes=body["changes"])
        return jsonify(v.thread_json(result.doc, "plan_id") | {"plan": v.plan_json(result.doc)}), 201

    # -- shared cases -----------------------------------------------------------------------------

    @bp.route("/evidence/<item_id>/share", methods=["POST"])
    @bp.arguments(s.OptionalRevisionSchema)
    @answers(201, out.SharedCaseSchema, "The new shared case and the shared item")
    def share(body, item_id):
        result = svc().share_item(item_id, body["revision"], signed_in())
        return jsonify(v.case_json(result.doc) | {"item": v.item_json(result.extra["item"])}), 201

    @bp.route("/shared-cases", methods=["GET"])
    @bp.arguments(s.CaseQuery, location="query")
    @answers(200, out.CaseListSchema, "A page of shared cases, newest first")
    def search_cases(query):
        signed_in()
        cases, total = svc().search_cases(**query)
        return jsonify(items=[v.case_json(c) for c in cases], total=total, page=query["page"],
                       per_page=query["per_page"])

    @bp.route("/shared-cases/<case_id>", methods=["GET"])
    @answers(200, out.CaseSchema, "The shared case")
    def get_case(case_id):
        signed_in()
        return jsonify(v.case_json(svc().get_case(case_id)))

    @bp.route("/shared-cases/<case_id>/copy", methods=["POST"])
    @bp.arguments(s.CopyCaseSchema)
    @answers(201, {"oneOf": [out.ItemSchema, out.PlanSchema]},
             "The new draft item, or with into=plan the action plan with the case added as a goal")
    def copy_case(body, case_id):
        """Copy a case into a new draft item (201 item) or, with into=plan, as a goal of the plan (201 plan)."""
        result = svc().copy_case(case_id, body["library_id"], signed_in(), into=body["into"])
        render = v.plan_json if body["into"] == "plan" else v.item_json
        return saved_with_problems(result, render, 201)

    # -- queues, exports, public ------------------------------------------------------------------

    @bp.route("/review-queue", methods=["GET"])
    @bp.arguments(s.PageQuery, location="query")
    @answers(200, out.ReviewQueueSchema, "Submitted items and plans")
    def review_queue(query):
        """Submitted items, oldest submission first (and submitted action plans)."""
        items, total, plans = svc().review_queue(signed_in(), query["page"], query["per_page"])
        return jsonify(items=[v.item_json(i) for i in items], total=total, page=query["page"],
                       per_page=query["per_page"], plans=[v.plan_json(p) for p in plans])

    @bp.route("/libraries/<library_id>/export", methods=["GET"])
    @bp.arguments(s.ExportQuery, location="query")
    @answers(200, out.ExportSchema, "format=json: what scoring's rebuild reads")
    @answers(200, {"type": "string"}, "format=csv: the same items as CSV (UTF-8 with BOM)", content_type="text/csv",
             headers={"Content-Disposition": out.DOWNLOAD_HEADERS["Content-Disposition"]})
    def export(query, library_id):
        items, plan, name = svc().export(library_id, signed_in())
        if query["format"] == "csv":
            response = Response("\ufeff" + d.export_csv(items), mimetype="text/csv")
            response.headers["Content-Disposition"] = d.content_disposition(f"evidence-{library_id}.csv")
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response
        return jsonify(
            format_version=1, library_id=library_id, library_name=name,
            exported_at=datetime.now(UTC).isoformat(), items=d.export_items(items),
            action_plan=v.jsonable(d.plan_snapshot(plan) | {"approved_version": plan.get("approved_version")})
            if plan else None,
        )

    @bp.route("/public/libraries/<library_id>/activities", methods=["GET"])
    @answers(200, out.PublicActivitiesSchema, "The library's approved public items, content only")
    def public_activities(library_id):
        """Approved items the library marked public, without any personal data."""
        current_identity(settings)  # anonymous is fine, but the gateway must have signed it
        items, name = svc().public_items(library_id)
        return jsonify(library_id=library_id, library_name=name, items=[v.public_item_json(i) for i in items])

    return [bp]
