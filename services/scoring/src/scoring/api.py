"""The scoring HTTP API: thin views that check the caller and the tenant, parse the request, build
one command (or ask one view) and answer through the response schema. gunicorn runs
'scoring.api:create_app()'; the contract is the OpenAPI document at /openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from scoring import schemas, views
from scoring.badge import badge_svg
from scoring.bootstrap import Service, bootstrap
from scoring.config import Settings
from scoring.domain import (
    InvalidAdjustment,
    InvalidEvidenceEvent,
    InvalidModel,
    InvalidTransition,
    LibraryNotFound,
    ModelNotEditable,
    ModelNotFound,
    ModelVersionTaken,
    UnknownRequirement,
)
from scoring.domain.commands import (
    DECISIONS,
    AdjustRequirement,
    CreateModelDraft,
    PublishModel,
    RevokeCertificate,
    UpdateModelDraft,
)
from shared import jsonlog
from shared.http import Problem, create_service_app, current_identity, problem_response
from shared.identity import Identity
from shared.vocabulary import ADMINISTRATOR, ANONYMOUS, PROGRAMME_ROLES

# The service's one error table: each domain error answers with its status, as problem+json
# naming the field it concerns (shared.http).
ERRORS: dict[type[Exception], int] = {
    InvalidModel: 422,
    InvalidAdjustment: 422,
    InvalidEvidenceEvent: 422,
    UnknownRequirement: 404,
    LibraryNotFound: 404,
    ModelNotFound: 404,
    InvalidTransition: 409,
    ModelNotEditable: 409,
    ModelVersionTaken: 409,
}
# Paths a process that may not serve yet still answers (health, readiness, metrics, its document).
ALWAYS_ANSWERED = ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs")


def _whole(value: float | None) -> float | int | None:
    # 3.0 from a form or JSON is the whole number 3 (a counting requirement's target).
    return int(value) if isinstance(value, float) and value.is_integer() else value


def blueprint(service: Service) -> Blueprint:
    """The scoring endpoints, answering from `service`."""
    bp = Blueprint("scoring", __name__, description="Progress, requirements, certificates, models and figures")
    uow, bus, clock = service.uow, service.bus, service.clock

    def caller(*roles: str) -> Identity:
        ident = current_identity(service.settings)
        if ident.role == ANONYMOUS or (roles and ident.role not in roles):
            raise Problem(403, "Du har ikke adgang til denne handling.", detail_en="Not allowed for your role.",
                          code="forbidden")
        return ident

    def tenant(library_id: str) -> Identity:
        ident = caller()
        if not ident.may_act_for(library_id):
            raise LibraryNotFound(library_id)  # 404, not 403: do not reveal that another library exists
        return ident

    # -- a library's progress and requirements -----------------------------------------------------

    @bp.route("/libraries/<library_id>/progress")
    @bp.arguments(schemas.ProgressQuery, location="query")
    @bp.response(200, schemas.Progress)
    def get_progress(query: dict[str, Any], library_id: str) -> dict[str, Any]:
        """A library's progress: per requirement, per dimension, overall, SDGs and what is missing."""
        ident = tenant(library_id)
        return views.progress(library_id, query["lang"], ident.role, uow, clock())

    @bp.route("/libraries/<library_id>/requirements")
    @bp.response(200, schemas.Requirements)
    def get_requirements(library_id: str) -> dict[str, Any]:
        """The library's requirement profile with the history of adjustments."""
        ident = tenant(library_id)
        return views.requirements(library_id, ident.role, uow)

    @bp.route("/libraries/<library_id>/requirements/<requirement_id>/adjustments", methods=["POST"])
    @bp.arguments(schemas.AdjustmentIn)
    @bp.response(201, schemas.ProfileRequirement)
    def post_adjustment(body: dict[str, Any], library_id: str, requirement_id: str) -> dict[str, Any]:
        """Adjust one requirement's target for this library, with a reason (assessor)."""
        ident = caller(*PROGRAMME_ROLES)
        library, model = bus.handle(AdjustRequirement(library_id, requirement_id, _whole(body["target"]),
                                                      body["reason"], ident.person_id))
        return next(r for r in views.profile_rows(model, library, ident.role) if r["id"] == requirement_id)

    # -- certificates ------------------------------------------------------------------------------

    @bp.route("/libraries/<library_id>/certification", methods=["POST"])
    @bp.arguments(schemas.CertificationIn)
    @bp.response(200, schemas.Decided, description="renew, revoke or check_in")
    @bp.alt_response(201, schema=schemas.Decided, description="award: the certificate was created")
    def post_certification(body: dict[str, Any], library_id: str) -> tuple[dict[str, Any], int]:
        """Award, renew, revoke or check in a library's certificate (assessor)."""
        ident = caller(*PROGRAMME_ROLES)
        decision = body["decision"]
        command = (RevokeCertificate(library_id, ident.person_id, body["reason"] or "") if decision == "revoke"
                   else DECISIONS[decision](library_id, ident.person_id))
        library = bus.handle(command)
        return views.decided(library, ident.role, uow, clock()), (201 if decision == "award" else 200)

    @bp.route("/libraries/<library_id>/certificate")
    @bp.response(200, schemas.LibraryCertificate)
    def get_certificate(library_id: str) -> dict[str, Any]:
        """The library's certificate and its history."""
        ident = tenant(library_id)
        return views.certificate(library_id, ident.role, uow, clock())

    @bp.route("/public/certificates/<certificate_id>")
    @bp.response(200, schemas.PublicCertificate)
    def get_public_certificate(certificate_id: str) -> dict[str, Any]:
        """Verify a certificate: valid, checkin_due, lapsed, revoked or unknown (anyone)."""
        current_identity(service.settings)
        return views.public_certificate(certificate_id, uow, clock())

    @bp.route("/public/certificates/<certificate_id>/badge.svg")
    @bp.response(200, content_type="image/svg+xml")
    def get_badge(certificate_id: str) -> Response:
        """The certificate's badge as an accessible SVG (anyone)."""
        current_identity(service.settings)
        response = Response(badge_svg(views.public_certificate(certificate_id, uow, clock())),
                            mimetype="image/svg+xml")
        response.headers["Cache-Control"] = "public, max-age=300"
        return response

    @bp.route("/public/libraries")
    @bp.arguments(schemas.DirectoryQuery, location="query")
    @bp.response(200, schemas.Directory)
    def get_directory(query: dict[str, Any]) -> dict[str, Any]:
        """Certified libraries, optionally in one municipality (anyone)."""
        current_identity(service.settings)
        return {"libraries": views.directory(query["municipality"], uow, clock())}

    @bp.route("/review-queue")
    @bp.response(200, schemas.ReviewQueue)
    def get_review_queue() -> dict[str, Any]:
        """Libraries ready for review, oldest first (programme staff)."""
        caller(*PROGRAMME_ROLES)
        return {"libraries": views.review_queue(uow)}

    # -- model versions ----------------------------------------------------------------------------

    @bp.route("/models")
    class Models(MethodView):
        @bp.response(200, schemas.ModelVersions)
        def get(self) -> dict[str, Any]:
            """Every model version, oldest first."""
            ident = caller()
            return {"models": views.models(ident.role, uow)}

        @bp.response(201, schemas.ModelVersion, description="a new draft")
        @bp.alt_response(200, schema=schemas.ModelVersion, description="the draft already open")
        def post(self) -> tuple[dict[str, Any], int]:
            """Start a draft from the current model (administrator); the open draft if there is one."""
            ident = caller(ADMINISTRATOR)
            draft, existed = bus.handle(CreateModelDraft(ident.person_id))
            return views.model_answer(draft, uow.repos.models.current(), ident.role), (200 if existed else 201)

    @bp.route("/models/<int:version>")
    class ModelVersion(MethodView):
        @bp.response(200, schemas.ModelVersion)
        def get(self, version: int) -> dict[str, Any]:
            """One model version."""
            ident = caller()
            return views.model(version, ident.role, uow)

        @bp.arguments(schemas.ModelUpdateIn)
        @bp.response(200, schemas.ModelVersion)
        def put(self, body: dict[str, Any], version: int) -> dict[str, Any]:
            """Replace a draft's requirements (administrator); an invalid model is refused with the reasons."""
            ident = caller(ADMINISTRATOR)
            reqs = tuple({**r, "target": _whole(r["target"])} for r in body["requirements"])
            draft = bus.handle(UpdateModelDraft(version, reqs, ident.person_id))
            return views.model_answer(draft, uow.repos.models.current(), ident.role)

    @bp.route("/models/<int:version>/preview")
    @bp.response(200, schemas.Preview)
    def get_preview(version: int) -> dict[str, Any]:
        """Which libraries would change status if this version were published (administrator)."""
        caller(ADMINISTRATOR)
        return views.preview_model(version, uow, clock())

    @bp.route("/models/<int:version>/publish", methods=["POST"])
    @bp.response(200, schemas.Published)
    def post_publish(version: int) -> dict[str, Any]:
        """Publish a draft and re-score every library (administrator)."""
        ident = caller(ADMINISTRATOR)
        result: dict[str, Any] = bus.handle(PublishModel(version, ident.person_id))
        return result

    # -- national figures --------------------------------------------------------------------------

    def figures(query: dict[str, Any]) -> dict[str, Any]:
        return views.figures(uow, cohort=query["cohort"], municipality=query["municipality"],
                             month_from=(query["from_"] or "")[:7] or None, month_to=(query["to"] or "")[:7] or None)

    @bp.route("/figures")
    @bp.arguments(schemas.FiguresQuery, location="query")
    @bp.response(200, schemas.Figures)
    def get_figures(query: dict[str, Any]) -> dict[str, Any]:
        """National figures by cohort, municipality and month (programme staff)."""
        caller(*PROGRAMME_ROLES)
        return figures(query)

    @bp.route("/figures.csv")
    @bp.arguments(schemas.FiguresQuery, location="query")
    @bp.response(200, content_type="text/csv")
    def get_figures_csv(query: dict[str, Any]) -> Response:
        """The national figures as CSV (programme staff)."""
        caller(*PROGRAMME_ROLES)
        response = Response(views.figures_csv(figures(query)), mimetype="text/csv")
        response.headers["Content-Disposition"] = 'attachment; filename="verdensmaal-tal.csv"'
        return response

    return bp


def create_app(settings: Settings | None = None, *, service: Service | None = None) -> Flask:
    """The gunicorn entry point ('scoring.api:create_app()'): the app on a service (built from the
    settings unless given), with this process's outbox relay started."""
    service = service or bootstrap(settings)
    jsonlog.configure(service.settings.service, service.settings.log_level)
    app, api = create_service_app(service.settings, title="Scoring: model versions, requirement profiles, "
                                  "progress and certificates", runtime_ready=service.ready, mapped_errors=ERRORS)

    @app.before_request
    def refuse_until_migrated() -> Response | None:
        if request.path.startswith(ALWAYS_ANSWERED):
            return None
        problem = service.schema_problem()
        if problem is None:
            return None
        return problem_response(503, "Tjenesten er ikke klar: databasen mangler sit skema.",
                                detail_en=f"The service is not ready: schema {problem}.", code="schema_not_ready")

    api.register_blueprint(blueprint(service))
    service.runtime.start_relay()
    app.extensions["scoring"] = service
    app.extensions["chora_runtime"] = service.runtime  # what the test platform stops
    return app
