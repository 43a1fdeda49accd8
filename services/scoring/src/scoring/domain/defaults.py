"""MODEL_V1: the pilot defaults from DESIGN.md section 1, as data.

Size scaling (see profiles.py): only requirements whose number naturally grows with the size of
the library scale — F1 (communication in 12 months), C1 (co-created activities) and C2 (local
partners). Breadth (F2 SDGs, C3 generations), the action plan, operations, the staff share and
knowledge sharing are the same for every library.
"""

from __future__ import annotations

from scoring.domain.model import PUBLISHED, Model, Requirement

MODEL_V1 = Model(
    version=1,
    status=PUBLISHED,
    published_at="2021-01-01T00:00:00+00:00",
    published_by="CHORA 2030",
    created_by="seed",  # stored by scoring.migrate
    requirements=(
        Requirement(
            id="D1",
            dimension="drift",
            measure="document_approved",
            target=1,
            kind="action_plan",
            text_da="3-årig handleplan vedtaget",
            text_en="3-year action plan adopted",
            unit_da=("3-årig handleplan", "3-årige handleplaner"),
            unit_en=("3-year action plan", "3-year action plans"),
        ),
        Requirement(
            id="D2",
            dimension="drift",
            measure="operations_with_before_after",
            target=1,
            kind="operations_measure",
            text_da="Bæredygtigt tiltag i egen drift",
            text_en="Sustainability measure in own operations",
            unit_da=("driftstiltag med før- og eftertal", "driftstiltag med før- og eftertal"),
            unit_en=(
                "operations measure with before and after figures",
                "operations measures with before and after figures",
            ),
        ),
        Requirement(
            id="D3",
            dimension="drift",
            measure="share_of_staff",
            target=90,
            kind="staff_training",
            text_da="Personalet er introduceret til verdensmålene",
            text_en="Staff introduced to the SDGs",
            unit_da=("er introduceret til verdensmålene", "er introduceret til verdensmålene"),
            unit_en=("have been introduced to the SDGs", "have been introduced to the SDGs"),
        ),
        Requirement(
            id="D4",
            dimension="drift",
            measure="count",
            target=1,
            kind="shared_case",
            text_da="Viden delt med andre biblioteker",
            text_en="Knowledge shared with other libraries",
            unit_da=("erfaring delt med andre biblioteker", "erfaringer delt med andre biblioteker"),
            unit_en=("case shared with other libraries", "cases shared with other libraries"),
        ),
        Requirement(
            id="F1",
            dimension="formidling",
            measure="count",
            target=4,
            scale_by_size=True,
            filters={"dimension": "formidling", "within_months": 12},
            text_da="Formidling om verdensmålene inden for de seneste 12 måneder",
            text_en="SDG communication in the last 12 months",
            unit_da=(
                "formidling om verdensmålene inden for de seneste 12 måneder",
                "formidlinger om verdensmålene inden for de seneste 12 måneder",
            ),
            unit_en=(
                "piece of SDG communication in the last 12 months",
                "pieces of SDG communication in the last 12 months",
            ),
        ),
        Requirement(
            id="F2",
            dimension="formidling",
            measure="distinct_sdgs",
            target=5,
            text_da="Bredde i verdensmålene",
            text_en="Breadth of goals",
            unit_da=("verdensmål i jeres registreringer", "verdensmål i jeres registreringer"),
            unit_en=("SDG across your items", "SDGs across your items"),
        ),
        Requirement(
            id="C1",
            dimension="faellesskaber",
            measure="count",
            target=3,
            scale_by_size=True,
            filters={"dimension": "faellesskaber", "co_created": True},
            text_da="Aktiviteter skabt sammen med borgere eller partnere",
            text_en="Activities co-created with citizens or partners",
            unit_da=("aktivitet skabt sammen med borgere", "aktiviteter skabt sammen med borgere"),
            unit_en=("activity co-created with citizens", "activities co-created with citizens"),
        ),
        Requirement(
            id="C2",
            dimension="faellesskaber",
            measure="distinct_partners",
            target=2,
            scale_by_size=True,
            text_da="Lokale partnere",
            text_en="Local partners",
            unit_da=("lokal partner", "lokale partnere"),
            unit_en=("local partner", "local partners"),
        ),
        Requirement(
            id="C3",
            dimension="faellesskaber",
            measure="distinct_age_groups",
            target=3,
            filters={"dimension": "faellesskaber"},
            text_da="Generationer nået",
            text_en="Generations reached",
            unit_da=("aldersgruppe i fællesskabsaktiviteterne", "aldersgrupper i fællesskabsaktiviteterne"),
            unit_en=("age group in community activities", "age groups in community activities"),
        ),
    ),
)
