"""Input rules: each function returns the normalised value or raises InvalidField."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from registration.domain.errors import InvalidField, InvalidInput
from registration.domain.reference import canonical_municipality, municipality_of_code
from shared.vocabulary import LANGUAGES, LIBRARY_KINDS

NAME_MAX = 200
STAFF_MIN, STAFF_MAX = 1, 5000
PASSWORD_MIN, PASSWORD_MAX = 10, 128

# ASCII digits only: \d would also accept e.g. Arabic-Indic digits.
_ISIL = re.compile(r"DK-[0-9]{6}")
# A Danish public library's ISIL: DK-7, the municipality code, the branch number (00: the main library).
_BRANCH_ISIL = re.compile(r"DK-7([0-9]{3})([0-9]{2})")
_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_TLD = re.compile(r"([a-z]{2,63}|xn--[a-z0-9-]{1,59})")

# A short list on purpose: the length rule does most of the work; these are the ten-character
# passwords that leak lists show first, plus Danish favourites.
_COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "0123456789",
        "12345678910",
        "123456789a",
        "qwertyuiop",
        "password123",
        "password12",
        "passw0rd12",
        "iloveyou12",
        "abcdefghij",
        "asdfghjklæ",
        "qwertyuiopå",
        "adgangskode",
        "adgangskode1",
        "adgangskode123",
        "kodeord123",
        "sommerfugl",
        "sommer2024",
        "sommer2025",
        "vinter2024",
        "vinter2025",
        "bibliotek1",
        "bibliotek123",
        "biblioteket",
        "velkommen1",
        "velkommen123",
        "danmark123",
        "kobenhavn1",
        "københavn1",
    }
)


def _text(value: Any, field: str) -> str:
    if value is None:
        raise InvalidField(field, "required", "Feltet skal udfyldes.", "This field is required.")
    if not isinstance(value, str):
        raise InvalidField(field, "not_text", "Feltet skal være tekst.", "This field must be text.")
    return unicodedata.normalize("NFC", value).strip()


def normalize_name(value: Any, field: str = "name") -> str:
    """Return a trimmed name of 1..200 characters without control characters."""
    text = _text(value, field)
    if not text:
        raise InvalidField(field, "required", "Feltet skal udfyldes.", "This field is required.")
    if len(text) > NAME_MAX:
        raise InvalidField(
            field,
            "too_long",
            f"Højst {NAME_MAX} tegn (der er {len(text)}).",
            f"At most {NAME_MAX} characters (got {len(text)}).",
        )
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise InvalidField(
            field, "control_characters", "Teksten indeholder ugyldige tegn.", "The text contains invalid characters."
        )
    return text


def normalize_isil(value: Any, field: str = "isil") -> str:
    """Return an ISIL code of the form DK-123456 (upper-cased)."""
    text = _text(value, field).upper()
    if not _ISIL.fullmatch(text):
        raise InvalidField(
            field,
            "malformed_isil",
            "ISIL-koden skal have formen DK- efterfulgt af seks cifre, fx DK-123456.",
            "The ISIL code must be DK- followed by six digits, e.g. DK-123456.",
        )
    return text


def normalize_branch_isil(value: Any, field: str = "isil") -> str | None:
    """Return a branch's ISIL code (DK-7, a municipality code, two digits), or None when left empty."""
    if value is None:
        return None
    text = _text(value, field).upper().replace(" ", "")
    if not text:
        return None
    match = _BRANCH_ISIL.fullmatch(text)
    if match is None:
        raise InvalidField(
            field,
            "malformed_isil",
            "ISIL-koden skal have formen DK-7, kommunekoden og filialens nummer, fx DK-775101.",
            "The ISIL code must be DK-7, the municipality code and the branch number, e.g. DK-775101.",
        )
    if municipality_of_code(match.group(1)) is None:
        raise InvalidField(
            field,
            "unknown_municipality_code",
            f"{match.group(1)} er ikke en dansk kommunekode.",
            f"{match.group(1)} is not a Danish municipality code.",
        )
    return text


def branch_municipality(isil: str | None) -> str | None:
    """The municipality a branch's ISIL code names, or None."""
    match = _BRANCH_ISIL.fullmatch(isil or "")
    return municipality_of_code(match.group(1)) if match else None


def normalize_municipality(value: Any, field: str = "municipality") -> str:
    """Return the official name of a Danish municipality, matched case-insensitively."""
    text = _text(value, field)
    canonical = canonical_municipality(text) if text else None
    if canonical is None:
        raise InvalidField(
            field,
            "unknown_municipality",
            f"'{text}' er ikke en dansk kommune.",
            f"'{text}' is not a Danish municipality.",
        )
    return canonical


def normalize_kind(value: Any, field: str = "kind") -> str:
    """Return the library kind: folkebibliotek or uddannelsesbibliotek."""
    text = _text(value, field).lower()
    if text not in LIBRARY_KINDS:
        raise InvalidField(
            field,
            "unknown_kind",
            "Bibliotekstypen skal være folkebibliotek eller uddannelsesbibliotek.",
            "The library kind must be folkebibliotek or uddannelsesbibliotek.",
        )
    return text


def normalize_language(value: Any, field: str = "language") -> str:
    """Return a supported language code: da or en."""
    text = _text(value, field).lower()
    if text not in LANGUAGES:
        raise InvalidField(
            field, "unknown_language", "Sproget skal være da eller en.", "The language must be da or en."
        )
    return text


def normalize_staff_count(value: Any, field: str = "staff_count") -> int:
    """Return the number of staff as an integer from 1 to 5000."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if number is None:
        raise InvalidField(
            field, "not_integer", "Antal medarbejdere skal være et helt tal.", "Staff count must be a whole number."
        )
    if not STAFF_MIN <= number <= STAFF_MAX:
        raise InvalidField(
            field,
            "out_of_range",
            f"Antal medarbejdere skal være mellem {STAFF_MIN} og {STAFF_MAX}.",
            f"Staff count must be between {STAFF_MIN} and {STAFF_MAX}.",
        )
    return number


def normalize_website(value: Any, field: str = "website") -> str | None:
    """Return an http(s) URL with a host, or None when left empty."""
    if value is None:
        return None
    text = _text(value, field)
    if not text:
        return None
    invalid = InvalidField(
        field,
        "malformed_url",
        "Hjemmesiden skal være en fuld adresse, fx https://bibliotek.dk.",
        "The website must be a full address, e.g. https://bibliotek.dk.",
    )
    if len(text) > 2000 or any(ch.isspace() for ch in text):
        raise invalid
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise invalid from None
    if parts.scheme.lower() not in ("http", "https") or not _valid_domain(host):
        raise invalid
    return text


def _valid_domain(domain: str) -> bool:
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    labels = ascii_domain.split(".")
    return (
        len(ascii_domain) <= 253
        and len(labels) >= 2
        and all(_LABEL.fullmatch(label) for label in labels)
        and bool(_TLD.fullmatch(labels[-1]))
    )


ADDRESS_MAX = 300


def normalize_address(value: Any, field: str = "address") -> str | None:
    """Return a trimmed postal address of at most 300 characters, or None when left empty."""
    if value is None:
        return None
    text = _text(value, field)
    if not text:
        return None
    if len(text) > ADDRESS_MAX:
        raise InvalidField(
            field,
            "too_long",
            f"Højst {ADDRESS_MAX} tegn (der er {len(text)}).",
            f"At most {ADDRESS_MAX} characters (got {len(text)}).",
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n" for ch in text):
        raise InvalidField(
            field, "control_characters", "Teksten indeholder ugyldige tegn.", "The text contains invalid characters."
        )
    return text


def normalize_email(value: Any, field: str = "email") -> str:
    """Return a lower-cased email address that is plausibly deliverable."""
    text = _text(value, field).lower()
    invalid = InvalidField(
        field,
        "malformed_email",
        "E-mailadressen er ikke gyldig.",
        "The email address is not valid.",
    )
    if len(text) > 254 or text.count("@") != 1:
        raise invalid
    local, domain = text.split("@")
    if not (1 <= len(local) <= 64) or not _LOCAL.fullmatch(local) or not _valid_domain(domain):
        raise invalid
    return text


def check_password(password: Any, *, email: str | None = None, field: str = "password") -> None:
    """Refuse a password that is short, very common, one repeated character or the email."""
    if not isinstance(password, str) or not password:
        raise InvalidField(field, "required", "Angiv en adgangskode.", "Enter a password.")
    if len(password) < PASSWORD_MIN:
        raise InvalidField(
            field,
            "password_too_short",
            f"Adgangskoden skal være mindst {PASSWORD_MIN} tegn.",
            f"The password must be at least {PASSWORD_MIN} characters.",
        )
    if len(password) > PASSWORD_MAX:
        raise InvalidField(
            field,
            "password_too_long",
            f"Adgangskoden må højst være {PASSWORD_MAX} tegn.",
            f"The password must be at most {PASSWORD_MAX} characters.",
        )
    folded = password.casefold()
    guessable = folded.strip() == "" or len(set(folded)) == 1 or folded in _COMMON_PASSWORDS
    if email:
        local = email.casefold().split("@")[0]
        guessable = guessable or folded == email.casefold() or folded == local
    if guessable:
        raise InvalidField(
            field,
            "password_too_weak",
            "Adgangskoden er for let at gætte. Brug fx en sætning på flere ord.",
            "The password is too easy to guess. Try a phrase of several words.",
        )


def collect(checks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run every check and return the normalised values, or raise InvalidInput listing all failures."""
    values: dict[str, Any] = {}
    errors: list[InvalidField] = []
    for name, check in checks.items():
        try:
            values[name] = check()
        except InvalidField as err:
            errors.append(err)
    if errors:
        raise InvalidInput(errors)
    return values
