"""SIAO-20: the demo's free texts follow the form's own instruction — health and justice go in
the boxes that only some may read, never in a comment a structure reads."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from relais.requests.models import Request, RequestEvent, SocialEvaluation

pytestmark = pytest.mark.django_db

HEALTH_OR_JUSTICE = re.compile(
    r"détenu|détention|incarcér|pénitentiaire|écrou|prison|spip|fin de peine|plainte|"
    r"hospitalis|hôpital|addictolog|csapa|sevrage|psych|diabète|traitement|soins|santé|"
    r"mdph|\baah\b|rqth|handicap",
    re.IGNORECASE,
)
FREE_TEXTS = {
    SocialEvaluation: (
        "housing_comment",
        "situation_comment",
        "argument",
        "orientation_comment",
        "ongoing_procedures",
    ),
    Request: ("notes", "current_location"),
}


def test_siao_20_demo_free_texts_name_no_health_or_justice_matter():
    call_command("load_demo", stdout=StringIO())
    found = []
    for model, fields in FREE_TEXTS.items():
        for row in model.objects.values("pk", *fields):
            found += [
                (model.__name__, f, row[f]) for f in fields if HEALTH_OR_JUSTICE.search(row[f])
            ]
    # The notes of ends of stay and closures a structure or the 115 may read.
    for kind in ("stay_ended", "closed"):
        found += [
            ("RequestEvent", kind, note)
            for note in RequestEvent.objects.filter(kind=kind).values_list("note", flat=True)
            if HEALTH_OR_JUSTICE.search(note)
        ]
    assert found == []
