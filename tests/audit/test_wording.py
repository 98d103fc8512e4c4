"""Issue 12, point 9: the audit log reads as French (its rows keep their machine keys)."""

import pytest

from relais.audit.models import AuditEvent
from relais.audit.wording import detail_summary, object_label
from tests.developer_text import developer_text


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        (
            {"orientation": 12, "transition": "preposition"},
            "orientation n° 12, étape : prépositionnement",
        ),
        (
            {"orientation": 12, "transition": "refused"},
            "orientation n° 12, étape : admission refusée",
        ),
        (
            {"page": "audit", "filters": {}, "page_number": "1"},
            "page : journal d'audit, filtres : aucun, page n° 1",
        ),
        (
            {"filters": {"channel": "emergency", "status": "", "q": "Dupont"}},
            "filtres : (filière « Urgence », recherche « Dupont »)",
        ),
        ({"page": "requests:detail"}, "page : fiche de la demande"),
        ({"event": "direct_admission"}, "action : admission directe"),
        ({"access_grant": 3, "revoked": True}, "accès sur demande n° 3, retiré : Oui"),
    ],
)
def test_sec_01_audit_details_read_as_french(detail, expected):
    assert detail_summary(detail) == expected
    assert not developer_text(detail_summary(detail))


def test_sec_01_audit_objects_and_changes_are_named_in_french():
    assert object_label("householdmember") == "Membre du ménage"
    assert object_label("person") == "Personne"
    assert object_label("request") == "Demande"
    event = AuditEvent(
        detail={
            "changes": {"main.is_indebted": ["", "Oui"], "person.phone": ["", "06"]},
            "labels": {"main.is_indebted": "Le demandeur est-il endetté ?"},
        }
    )
    assert event.change_rows[0] == ("Le demandeur est-il endetté ?", "—", "Oui")


def test_sec_01_stored_dates_and_numbers_read_as_on_the_page():
    from relais.audit.wording import value_label

    assert value_label("2026-01-02") == "02/01/2026"
    assert value_label("2026-01-02T09:30:00+00:00") == "02/01/2026 10:30"
    assert value_label("607.75") == "607,75"
    assert value_label("2026-13-45") == "2026-13-45"  # not a date: as typed, never a 500
    assert value_label(None) == "—" and value_label(True) == "Oui"
