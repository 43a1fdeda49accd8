"""Events produced by the scoring service: progress, readiness, certificates and model versions.

Timestamps are ISO 8601 with timezone (AwareDateTime, UTC assumed when absent); calendar days
(due dates, validity) are ISO dates. Shares and progress are floats 0..1.
"""

from datetime import UTC

from marshmallow import EXCLUDE, Schema, fields, validate

from shared.events.base import Payload, event

_STATUSES = ("not_started", "in_progress", "ready_for_review")


class _Part(Schema):
    class Meta:
        unknown = EXCLUDE

    provisional = fields.Float(required=True)
    verified = fields.Float(required=True)


class _RequirementProgress(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Str(required=True)
    dimension = fields.Str(required=True)
    text_da = fields.Str(required=True)
    achieved = fields.Float(required=True)
    target = fields.Float(required=True)
    progress = fields.Float(required=True, validate=validate.Range(0, 1))
    verified_progress = fields.Float(required=True, validate=validate.Range(0, 1))


class _ModelChange(Schema):
    class Meta:
        unknown = EXCLUDE

    requirement_id = fields.Str(required=True)
    field = fields.Str(required=True)
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)


_SDG = fields.Int(validate=validate.Range(1, 17))


@event("score.changed", version=1, producer="scoring", consumers=())
class ScoreChanged(Payload):
    """A library's score changed."""

    library_id = fields.Str(required=True)
    model_version = fields.Int(required=True)
    provisional = fields.Float(required=True, validate=validate.Range(0, 1))
    verified = fields.Float(required=True, validate=validate.Range(0, 1))
    dimensions = fields.Dict(keys=fields.Str(), values=fields.Nested(_Part), required=True)
    requirements = fields.List(fields.Nested(_RequirementProgress), required=True)
    sdgs = fields.List(_SDG, required=True)
    verified_sdgs = fields.List(_SDG, load_default=list)
    missing = fields.List(fields.Str(), required=True)
    status = fields.Str(required=True, validate=validate.OneOf(_STATUSES))


@event("library.ready_for_review", version=1, producer="scoring", consumers=("notification",))
class LibraryReadyForReview(Payload):
    """Every requirement of a library is met provisionally: an assessor can review it."""

    library_id = fields.Str(required=True)
    library_name = fields.Str(allow_none=True, load_default=None)
    model_version = fields.Int(required=True)
    overall = fields.Float(required=True, validate=validate.Range(0, 1))


@event("certificate.awarded", version=1, producer="scoring", consumers=("notification",))
class CertificateAwarded(Payload):
    """An assessor awarded a library its certificate (valid 3 years)."""

    certificate_id = fields.Str(required=True)
    library_id = fields.Str(required=True)
    awarded_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    valid_until = fields.Date(required=True)
    awarded_by = fields.Str(required=True)


@event("certificate.checkin_due", version=1, producer="scoring", consumers=("notification",))
class CertificateCheckinDue(Payload):
    """An annual check-in (or, in year 3, the renewal) is coming up: a reminder."""

    certificate_id = fields.Str(required=True)
    library_id = fields.Str(required=True)
    due_on = fields.Date(required=True)
    days_before = fields.Int(required=True, validate=validate.Range(min=0))


@event("certificate.checked_in", version=1, producer="scoring", consumers=())
class CertificateCheckedIn(Payload):
    """A library completed its annual check-in; the certificate stays valid."""

    certificate_id = fields.Str(required=True)
    library_id = fields.Str(required=True)
    checked_in_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    due_on = fields.Date(required=True)
    checked_in_by = fields.Str(required=True)


@event("certificate.lapsed", version=1, producer="scoring", consumers=("notification",))
class CertificateLapsed(Payload):
    """A check-in or renewal is overdue past the grace period; the certificate is no longer valid."""

    certificate_id = fields.Str(required=True)
    library_id = fields.Str(required=True)
    lapsed_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    due_on = fields.Date(required=True)


@event("certificate.renewed", version=1, producer="scoring", consumers=())
class CertificateRenewed(Payload):
    """A certificate was renewed for 3 years with an updated action plan."""

    certificate_id = fields.Str(required=True)
    library_id = fields.Str(required=True)
    renewed_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    valid_until = fields.Date(required=True)
    renewed_by = fields.Str(required=True)


@event("certificate.revoked", version=1, producer="scoring", consumers=())
class CertificateRevoked(Payload):
    """An assessor revoked a certificate."""

    certificate_id = fields.Str(required=True)
    library_id = fields.Str(required=True)
    revoked_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    revoked_by = fields.Str(required=True)
    reason = fields.Str(required=True)


@event("model.published", version=1, producer="scoring", consumers=("notification",))
class ModelPublished(Payload):
    """A new version of the certification model was published; `changes` say what changed."""

    version = fields.Int(required=True)
    published_by = fields.Str(required=True)
    published_at = fields.AwareDateTime(allow_none=True, load_default=None, default_timezone=UTC)
    changes = fields.List(fields.Nested(_ModelChange), required=True)
