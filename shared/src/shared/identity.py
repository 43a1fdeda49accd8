"""The identity the gateway signs and every service checks (services refuse unsigned identity)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

HEADER = "X-Chora-Identity"
_SALT = "chora-identity-v1"

STAFF_ROLES = ("coordinator", "member")
PROGRAMME_ROLES = ("assessor", "administrator")


@dataclass(frozen=True)
class Identity:
    person_id: str
    role: str
    library_id: str | None = None
    name: str = ""
    email: str = ""

    @property
    def is_programme_staff(self) -> bool:
        return self.role in PROGRAMME_ROLES

    def may_act_for(self, library_id: str) -> bool:
        """Library staff act for their own library only; programme staff for any."""
        return self.is_programme_staff or (self.role in STAFF_ROLES and self.library_id == library_id)


SYSTEM = Identity(person_id="system", role="system")


def sign(secret: str, identity: Identity) -> str:
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps(asdict(identity))


def verify(secret: str, token: str, max_age: int = 300) -> Identity:
    """Return the identity in a signed header value; raise ValueError if it is not genuine."""
    try:
        data = URLSafeTimedSerializer(secret, salt=_SALT).loads(token, max_age=max_age)
    except BadSignature as exc:
        raise ValueError("identity signature invalid or expired") from exc
    return Identity(**data)
