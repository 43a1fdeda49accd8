import re

import pytest

from registration.domain import canonical_municipality, municipalities, pilot_seed
from shared.vocabulary import LIBRARY_KINDS

pytestmark = pytest.mark.unit


def test_there_are_98_unique_municipalities():
    names = municipalities()
    assert len(names) == 98
    assert len(set(names)) == 98
    assert len({n.casefold() for n in names}) == 98


@pytest.mark.parametrize(
    "name",
    [
        "København",
        "Frederiksberg",
        "Aarhus",
        "Ikast-Brande",
        "Lyngby-Taarbæk",
        "Høje-Taastrup",
        "Ishøj",
        "Tårnby",
        "Dragør",
        "Bornholm",
        "Odense",
        "Aalborg",
        "Ærø",
        "Læsø",
        "Nordfyns",
    ],
)
def test_municipality_list_holds_official_names(name):
    assert name in municipalities()


def test_christianso_is_not_a_municipality():
    assert canonical_municipality("Christiansø") is None


def test_municipality_names_have_no_stray_whitespace():
    assert all(n == n.strip() and "  " not in n for n in municipalities())


def test_pilot_seed_has_the_20_named_libraries_in_valid_municipalities():
    seed = pilot_seed()
    assert len(seed.libraries) == 20
    for lib in seed.libraries:
        assert lib.municipality in municipalities()
        assert lib.kind in LIBRARY_KINDS
        assert 1 <= lib.staff_count <= 5000
    by_municipality = {lib.municipality for lib in seed.libraries}
    assert by_municipality == {
        "Ballerup",
        "Dragør",
        "Esbjerg",
        "Glostrup",
        "Herning",
        "Hillerød",
        "Ikast-Brande",
        "Ishøj",
        "Kolding",
        "Middelfart",
        "Nyborg",
        "Rudersdal",
        "Silkeborg",
        "Struer",
        "Svendborg",
        "Odense",
        "Tønder",
        "Tårnby",
        "Aalborg",
        "Aarhus",
    }


def test_pilot_isils_are_unique_demo_values():
    isils = [lib.isil for lib in pilot_seed().libraries]
    assert len(set(isils)) == 20
    assert all(re.fullmatch(r"DK-9000[0-9]{2}", i) for i in isils)


def test_sdu_is_an_educational_library_in_odense_and_kulturium_is_in_ishoj():
    libs = {lib.name: lib for lib in pilot_seed().libraries}
    sdu = libs["Syddansk Universitetsbibliotek"]
    assert (sdu.municipality, sdu.kind) == ("Odense", "uddannelsesbibliotek")
    assert libs["Kulturium Ishøj"].municipality == "Ishøj"
    assert sum(lib.kind == "uddannelsesbibliotek" for lib in libs.values()) == 1


def test_seed_holds_the_pilot_and_the_open_programme():
    cohorts = {c.cohort_id: c for c in pilot_seed().cohorts}
    pilot = cohorts["udviklingsprojektet-2021-2023"]
    assert (pilot.name, pilot.start_year, pilot.end_year) == ("Udviklingsprojektet 2021-2023", 2021, 2023)
    assert cohorts["det-aabne-program"].name == "Det åbne program"
    assert cohorts["det-aabne-program"].state == "open"
    assert all(lib.cohort_id == pilot.cohort_id for lib in pilot_seed().libraries)
