import pytest

from registration.domain import (
    InvalidField,
    InvalidInput,
    check_password,
    collect,
    normalize_email,
    normalize_isil,
    normalize_kind,
    normalize_language,
    normalize_municipality,
    normalize_name,
    normalize_staff_count,
    normalize_website,
)

pytestmark = pytest.mark.unit


def test_accepts_isil_of_dk_and_six_digits_and_upper_cases_it():
    assert normalize_isil(" dk-715700 ") == "DK-715700"


@pytest.mark.parametrize("isil", ["DK-71570", "DK-7157000", "SE-715700", "DK715700", "DK-71570a", "DK-٧١٥٧٠٠", ""])
def test_rejects_malformed_isil(isil):
    with pytest.raises(InvalidField) as err:
        normalize_isil(isil)
    assert err.value.field == "isil"
    assert err.value.message_da and err.value.message_en


def test_matches_municipality_case_insensitively_and_returns_canonical_name():
    assert normalize_municipality("KØBENHAVN") == "København"
    assert normalize_municipality("  lyngby-taarbæk ") == "Lyngby-Taarbæk"
    assert normalize_municipality("Aarhus Kommune") == "Aarhus"


def test_rejects_unknown_municipality_naming_it_in_both_languages():
    with pytest.raises(InvalidField) as err:
        normalize_municipality("Christiansø")
    assert err.value.code == "unknown_municipality"
    assert "Christiansø" in err.value.message_da and "Christiansø" in err.value.message_en


def test_accepts_only_the_two_library_kinds():
    assert normalize_kind("Folkebibliotek") == "folkebibliotek"
    assert normalize_kind("uddannelsesbibliotek") == "uddannelsesbibliotek"
    with pytest.raises(InvalidField):
        normalize_kind("forskningsbibliotek")


def test_trims_names_and_limits_them_to_200_characters():
    assert normalize_name("  Dragør Bibliotek ") == "Dragør Bibliotek"
    assert normalize_name("x" * 200) == "x" * 200
    with pytest.raises(InvalidField) as err:
        normalize_name("x" * 201)
    assert err.value.code == "too_long"


@pytest.mark.parametrize("value", ["", "   ", None, 42, "line\x00break"])
def test_rejects_empty_or_non_text_names(value):
    with pytest.raises(InvalidField):
        normalize_name(value)


def test_lower_cases_valid_email():
    assert normalize_email(" Mette.Hansen+sdg@Ballerup.DK ") == "mette.hansen+sdg@ballerup.dk"


def test_accepts_email_at_a_danish_idn_domain():
    assert normalize_email("info@bibliotek-ærø.dk") == "info@bibliotek-ærø.dk"


@pytest.mark.parametrize(
    "email",
    [
        "mette",
        "mette@",
        "@ballerup.dk",
        "mette@ballerup",
        "mette@@ballerup.dk",
        "mette hansen@ballerup.dk",
        ".mette@ballerup.dk",
        "mette..h@ballerup.dk",
        "mette@-ballerup.dk",
        "mette@ballerup.d",
        "a" * 65 + "@x.dk",
    ],
)
def test_rejects_malformed_email(email):
    with pytest.raises(InvalidField) as err:
        normalize_email(email)
    assert err.value.code == "malformed_email"


def test_accepts_a_long_passphrase():
    check_password("grøn omstilling på biblioteket")


def test_rejects_password_shorter_than_ten_characters():
    with pytest.raises(InvalidField) as err:
        check_password("kort1234!")
    assert err.value.code == "password_too_short"


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "Password123", "adgangskode123", "          "])
def test_rejects_easily_guessed_passwords(password):
    with pytest.raises(InvalidField) as err:
        check_password(password)
    assert err.value.code == "password_too_weak"


def test_rejects_password_equal_to_email():
    with pytest.raises(InvalidField):
        check_password("mette.hansen@ballerup.dk", email="mette.hansen@ballerup.dk")
    with pytest.raises(InvalidField):
        check_password("mette.hansen", email="mette.hansen@ballerup.dk")


def test_rejects_overlong_password():
    with pytest.raises(InvalidField) as err:
        check_password("x1" * 65)
    assert err.value.code == "password_too_long"


def test_accepts_http_and_https_websites_and_treats_empty_as_none():
    assert normalize_website("https://www.kolding.dk/bibliotek") == "https://www.kolding.dk/bibliotek"
    assert normalize_website("http://bibliotek.dk") == "http://bibliotek.dk"
    assert normalize_website("") is None
    assert normalize_website(None) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://bibliotek.dk",
        "javascript:alert(1)",
        "www.bibliotek.dk",
        "https://",
        "https://bibliotek",
        "https://a b.dk",
    ],
)
def test_rejects_website_that_is_not_a_full_http_url(url):
    with pytest.raises(InvalidField) as err:
        normalize_website(url)
    assert err.value.code == "malformed_url"


def test_accepts_staff_count_from_1_to_5000_as_int_or_digits():
    assert normalize_staff_count(1) == 1
    assert normalize_staff_count("5000") == 5000


@pytest.mark.parametrize("value", [0, 5001, -3, 2.5, True, "ti", None, "１２"])
def test_rejects_staff_count_outside_range_or_not_whole(value):
    with pytest.raises(InvalidField):
        normalize_staff_count(value)


def test_accepts_danish_and_english_only():
    assert normalize_language("DA") == "da"
    assert normalize_language("en") == "en"
    with pytest.raises(InvalidField):
        normalize_language("sv")


def test_collect_reports_every_invalid_field_at_once():
    with pytest.raises(InvalidInput) as err:
        collect(
            {
                "isil": lambda: normalize_isil("DK-1"),
                "kind": lambda: normalize_kind("x"),
                "name": lambda: normalize_name("ok"),
            }
        )
    assert [e.field for e in err.value.errors] == ["isil", "kind"]
    assert err.value.as_dict()["errors"][0]["code"] == "malformed_isil"
