"""The scoring HTTP API (services/README.md "scoring"): thin views that validate, check the
caller and the tenant, call one handler and map the result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, current_app, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, INCLUDE, Schema, fields, validate

from scoring import handlers, store
from scoring.badge import badge_svg
from scoring.config import Settings
from scoring.domain.model import DIMENSIONS, KINDS, MEASURES
from shared.events.evidence import STATUSES as EVIDENCE_STATUSES
from shared.http import Problem, current_identity
from shared.identity import Identity
from shared.mongo import ServiceStore

ADMIN, ASSESSOR = "administrator", "assessor"
PROGRAMME = (ASSESSOR, ADMIN)
MONTH = r"^\d{4}-\d{2}(-\d{2})?$"


# -- schemas ---------------------------------------------------------------------------------------


class RequirementSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Str(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,20}$"))
    dimension = fields.Str(required=True, validate=validate.OneOf(tuple(DIMENSIONS)))
    text_da = fields.Str(required=True, validate=validate.Length(1, 300))
    text_en = fields.Str(load_default=None, validate=validate.Length(1, 300))
    measure = fields.Str(required=True, validate=validate.OneOf(MEASURES))
    target = fields.Float(required=True)
    weight = fields.Float(load_default=1.0)
    kind = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(KINDS))
    filters = fields.Dict(keys=fields.Str(), load_default=dict)
    scale_by_size = fields.Bool(load_default=False)
    unit_da = fields.List(fields.Str(), load_default=None, allow_none=True, validate=validate.Length(equal=2))
    unit_en = fields.List(fields.Str(), load_default=None, allow_none=True, validate=validate.Length(equal=2))


class ModelUpdateSchema(Schema):
    requirements = fields.List(fields.Nested(RequirementSchema), required=True, validate=validate.Length(min=1))


class AdjustmentSchema(Schema):
    target = fields.Float(required=True, allow_none=True, metadata={"description": "null returns to the default"})
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000))


class CertificationSchema(Schema):
    decision = fields.Str(required=True, validate=validate.OneOf(handlers.DECISIONS))
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CertificationResultSchema(Schema):
    certificate_id = fields.Str()
    valid_until = fields.Str(allow_none=True)
    status = fields.Str()


class ExportItemSchema(Schema):
    class Meta:
        unknown = INCLUDE

    item_id = fields.Str(required=True)
    revision = fields.Int(required=True, validate=validate.Range(min=1))
    status = fields.Str(required=True, validate=validate.OneOf(EVIDENCE_STATUSES))


class RebuildSchema(Schema):
    items = fields.List(fields.Nested(ExportItemSchema), required=True)


class ProgressQuerySchema(Schema):
    lang = fields.Str(load_default="da", validate=validate.OneOf(("da", "en")))


class DirectoryQuerySchema(Schema):
    municipality = fields.Str(load_default=None)


class FiguresQuerySchema(Schema):
    cohort = fields.Str(load_default=None)
    municipality = fields.Str(load_default=None)
    from_ = fields.Str(data_key="from", load_default=None, validate=validate.Regexp(MONTH))
    to = fields.Str(load_default=None, validate=validate.Regexp(MONTH))


class PartSchema(Schema):
    provisional = fields.Float()
    verified = fields.Float()


class RequirementProgressSchema(Schema):
    id = fields.Str()
    dimension = fields.Str()
    text_da = fields.Str()
    achieved = fields.Float()
    target = fields.Float()
    progress = fields.Float()
    verified_progress = fields.Float()


class ProgressSchema(Schema):
    status = fields.Str()
    overall = fields.Nested(PartSchema)
    dimensions = fields.Dict(keys=fields.Str(), values=fields.Nested(PartSchema))
    requirements = fields.List(fields.Nested(RequirementProgressSchema))
    sdgs = fields.Dict(keys=fields.Str(), values=fields.List(fields.Int()))
    missing = fields.List(fields.Str())
    missing_en = fields.List(fields.Str())
    library_id = fields.Str()
    model_version = fields.Int()
    score_status = fields.Str()
    certificate_id = fields.Str(allow_none=True)


# -- helpers ---------------------------------------------------------------------------------------


def _now() -> datetime:
    """The app's clock (tests inject one as app.config["SCORING_CLOCK"])."""
    return current_app.config.get("SCORING_CLOCK", handlers.utcnow)()


def _whole(value: float | None) -> float | int | None:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def blueprints(service_store: ServiceStore, settings: Settings) -> list[Blueprint]:
    bp = Blueprint("scoring", __name__, description="Progress, requirements, certificates, models and figures")

    def caller(*roles: str) -> Identity:
        ident = current_identity(settings)
        if ident.role == "anonymous" or (roles and ident.role not in roles):
            raise Problem(403, "Du har ikke adgang til denne handling.", detail_en="Not allowed for your role.",
                          code="forbidden")
        return ident

    def tenant(library_id: str) -> Identity:
        ident = caller()
        if not ident.may_act_for(library_id):
            # 404, not 403: do not reveal that another library exists.
            raise Problem(404, "Biblioteket findes ikke.", detail_en="No such library.", field="library_id",
                          code="library_not_found")
        return ident

    def anyone() -> Identity:
        return current_identity(settings)

    # -- progress and requirements -----------------------------------------------------------------

    @bp.route("/libraries/<library_id>/progress")
    @bp.arguments(ProgressQuerySchema, location="query")
    @bp.response(200, ProgressSchema)
    def get_progress(query, library_id):
        """A library's progress: per requirement, per dimension, overall, SDGs and what is missing."""
        tenant(library_id)
        # Built in ProgressSchema's shape by handlers.progress (a test holds them equal) and sent
        # as it is: every dashboard asks for it, and dumping it through the schema again would
        # cost a sixth of the request.
        return jsonify(handlers.progress(service_store, library_id, _now(), query["lang"]))

    @bp.route("/libraries/<library_id>/requirements")
    @bp.response(200)
    def get_requirements(library_id):
        """The library's requirement profile with the history of adjustments."""
        tenant(library_id)
        return handlers.requirements(service_store, library_id)

    @bp.route("/libraries/<library_id>/requirements/<requirement_id>/adjustments", methods=["POST"])
    @bp.arguments(AdjustmentSchema)
    @bp.response(201)
    def post_adjustment(body, library_id, requirement_id):
        """Adjust one requirement's target for this library, with a reason (assessor)."""
        ident = caller(*PROGRAMME)
        return handlers.adjust_requirement(service_store, library_id, requirement_id, _whole(body["target"]),
                                           reason=body["reason"], by=ident.person_id, now=_now())

    # -- certificates ------------------------------------------------------------------------------

    @bp.route("/libraries/<library_id>/certification", methods=["POST"])
    @bp.arguments(CertificationSchema)
    @bp.response(200, CertificationResultSchema)
    @bp.alt_response(201, schema=CertificationResultSchema, description="award")
    def post_certification(body, library_id):
        """Award, renew, revoke or check in a library's certificate (assessor)."""
        ident = caller(*PROGRAMME)
        cert = handlers.decide(service_store, library_id, body["decision"], by=ident.person_id,
                               reason=body["reason"], now=_now())
        result = {"certificate_id": cert["certificate_id"], "valid_until": cert["valid_until"],
                  "status": cert["status"]}
        return result, (201 if body["decision"] == "award" else 200)

    @bp.route("/libraries/<library_id>/certificate")
    @bp.response(200)
    def get_certificate(library_id):
        """The library's certificate and its history."""
        tenant(library_id)
        lib = store.library(service_store.db, library_id)
        if lib is None:
            raise handlers.LibraryNotFound(library_id)
        return handlers.certificate_view(lib, _now())

    @bp.route("/public/certificates/<certificate_id>")
    @bp.response(200)
    def get_public_certificate(certificate_id):
        """Verify a certificate: valid, checkin_due, lapsed, revoked or unknown (anyone)."""
        anyone()
        return handlers.public_certificate(service_store, certificate_id, _now())

    @bp.route("/public/certificates/<certificate_id>/badge.svg")
    @bp.response(200, content_type="image/svg+xml")
    def get_badge(certificate_id):
        """The certificate's badge as an accessible SVG (anyone)."""
        anyone()
        cert = handlers.public_certificate(service_store, certificate_id, _now())
        response = Response(badge_svg(cert), mimetype="image/svg+xml")
        response.headers["Cache-Control"] = "public, max-age=300"
        return response

    @bp.route("/public/libraries")
    @bp.arguments(DirectoryQuerySchema, location="query")
    @bp.response(200)
    def get_directory(query):
        """Certified libraries, optionally in one municipality (anyone)."""
        anyone()
        return {"libraries": handlers.directory(service_store, query["municipality"], _now())}

    @bp.route("/review-queue")
    @bp.response(200)
    def get_review_queue():
        """Libraries ready for review, oldest first (programme staff)."""
        caller(*PROGRAMME)
        return {"libraries": handlers.review_queue(service_store)}

    @bp.route("/scheduler/run", methods=["POST"])
    @bp.response(200)
    def post_scheduler_run():
        """Run the certificate scheduler now (administrator); safe to repeat."""
        caller(ADMIN)
        return handlers.run_scheduler_once(service_store, _now())

    # -- models ------------------------------------------------------------------------------------

    @bp.route("/models")
    class Models(MethodView):
        @bp.response(200)
        def get(self):
            """Every model version, oldest first."""
            caller()
            return {"models": handlers.list_models(service_store)}

        @bp.response(201)
        def post(self):
            """Start a draft from the current model (administrator); the open draft if there is one."""
            ident = caller(ADMIN)
            draft = handlers.create_draft(service_store, by=ident.person_id, now=_now())
            return draft, (200 if draft.pop("existing") else 201)

    @bp.route("/models/<int:version>")
    class ModelVersion(MethodView):
        @bp.response(200)
        def get(self, version):
            """One model version."""
            caller()
            return handlers.get_model(service_store, version)

        @bp.arguments(ModelUpdateSchema)
        @bp.response(200)
        def put(self, body, version):
            """Replace a draft's requirements (administrator); an invalid model is refused with the reasons."""
            ident = caller(ADMIN)
            reqs = [{**r, "target": _whole(r["target"])} for r in body["requirements"]]
            return handlers.update_draft(service_store, version, reqs, by=ident.person_id, now=_now())

    @bp.route("/models/<int:version>/preview")
    @bp.response(200)
    def get_preview(version):
        """Which libraries would change status if this version were published (administrator)."""
        caller(ADMIN)
        return handlers.preview_model(service_store, version, _now())

    @bp.route("/models/<int:version>/publish", methods=["POST"])
    @bp.response(200)
    def post_publish(version):
        """Publish a draft and re-score every library (administrator)."""
        ident = caller(ADMIN)
        return handlers.publish_model(service_store, version, by=ident.person_id, now=_now())

    # -- figures and rebuild -----------------------------------------------------------------------

    def _figures(query) -> dict[str, Any]:
        return handlers.figures(service_store, cohort=query["cohort"], municipality=query["municipality"],
                                month_from=(query["from_"] or "")[:7] or None, month_to=(query["to"] or "")[:7] or None)

    @bp.route("/figures")
    @bp.arguments(FiguresQuerySchema, location="query")
    @bp.response(200)
    def get_figures(query):
        """National figures by cohort, municipality and month (programme staff)."""
        caller(*PROGRAMME)
        return _figures(query)

    @bp.route("/figures.csv")
    @bp.arguments(FiguresQuerySchema, location="query")
    @bp.response(200, content_type="text/csv")
    def get_figures_csv(query):
        """The national figures as CSV (programme staff)."""
        caller(*PROGRAMME)
        response = Response(handlers.figures_csv(_figures(query)), mimetype="text/csv")
        response.headers["Content-Disposition"] = 'attachment; filename="verdensmaal-tal.csv"'
        return response

    @bp.route("/libraries/<library_id>/rebuild", methods=["POST"])
    @bp.arguments(RebuildSchema)
    @bp.response(200)
    def post_rebuild(body, library_id):
        """Rebuild the library's evidence projection from the evidence service's export (administrator)."""
        caller(ADMIN)
        items = [dict(i) for i in body["items"]]
        return handlers.rebuild(service_store, library_id, items, _now())

    return [bp]


def create_app(settings: Settings | None = None, *, service=None):
    """The gunicorn entry point: 'scoring.api:create_app()'."""
    from scoring.bootstrap import SERVICE

    service = service or SERVICE.bootstrap(settings)
    return SERVICE.create_app(service.settings, service.runtime)
