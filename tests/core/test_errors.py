"""OPS-01, SEC-05: a refusal or a lock conflict that reaches a view is a French message, never
a server error (relais/core/errors.py), whatever the view and the database."""

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, OperationalError
from django.urls import reverse
from django.utils.html import escape

from relais.core import errors
from relais.orientations.models import Orientation
from relais.requests.enums import Channel
from relais.requests.models import TransitionNotAllowed
from tests.factories import StructureFactory, make_request


class _PgError(Exception):
    def __init__(self, sqlstate: str):
        self.sqlstate = sqlstate


def _from_postgresql(wrapper: type[Exception], sqlstate: str) -> Exception:
    """What Django raises for a psycopg error: its own class, the driver's error as cause."""
    try:
        raise wrapper("…") from _PgError(sqlstate)
    except wrapper as error:
        return error


@pytest.mark.parametrize(
    ("exception", "message", "status"),
    [
        (TransitionNotAllowed("Impossible : déjà admise."), "Impossible : déjà admise.", 409),
        (OperationalError("database is locked"), errors.BUSY, 503),
        (_from_postgresql(OperationalError, "40001"), errors.BUSY, 503),  # serialisation
        (_from_postgresql(OperationalError, "40P01"), errors.BUSY, 503),  # deadlock
        (_from_postgresql(OperationalError, "55P03"), errors.BUSY, 503),  # lock_timeout
        (
            IntegrityError("UNIQUE constraint failed: orientations_orientation.request_id"),
            errors.ALREADY_DONE,
            409,
        ),
        (_from_postgresql(IntegrityError, "23505"), errors.ALREADY_DONE, 409),
    ],
)
def test_ops_01_refusals_and_conflicts_have_a_french_message(exception, message, status):
    assert errors.refusal(exception) == (message, status)


@pytest.mark.parametrize(
    "exception",
    [
        ValueError("bug"),
        OperationalError("no such table: x"),
        IntegrityError("NOT NULL constraint failed: x"),
        _from_postgresql(IntegrityError, "23503"),  # a foreign key: a fault, not a race
    ],
)
def test_ops_01_real_faults_stay_server_errors(exception):
    assert errors.refusal(exception) is None


@pytest.fixture
def proposed(social_worker, siao_operator, structure_manager):
    shelter = StructureFactory(manager=structure_manager.organisation, places=5)
    return Orientation.attribute(
        request=make_request(referrer=social_worker, channel=Channel.EMERGENCY),
        capacity=shelter.capacities.get(),
        by=siao_operator,
    )


def _raise(exception: Exception):
    def raising(*args, **kwargs):
        raise exception

    return raising


@pytest.mark.parametrize(
    ("exception", "message"),
    [
        (OperationalError("database is locked"), errors.BUSY),
        (IntegrityError("UNIQUE constraint failed: x.y"), errors.ALREADY_DONE),
        (TransitionNotAllowed("Impossible : la demande est clôturée."), None),
    ],
)
def test_ops_01_a_posted_action_goes_back_to_its_page_with_the_message(
    client, structure_manager, proposed, monkeypatch, exception, message
):
    # TransitionNotAllowed is caught by _act itself: patch below it, where a view would not.
    monkeypatch.setattr(Orientation, "admit", _raise(exception))
    monkeypatch.setattr("relais.orientations.views.TransitionNotAllowed", KeyError)
    client.force_login(structure_manager)
    page = reverse("orientations:detail", kwargs={"pk": proposed.pk})

    response = client.post(
        reverse("orientations:admit", kwargs={"pk": proposed.pk}),
        HTTP_REFERER=f"http://testserver{page}",
    )

    assert response.status_code == 302
    assert response["Location"] == f"http://testserver{page}"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [message or str(exception)]
    shown = client.get(page)
    assert escape(message or str(exception)) in shown.content.decode()


def test_ops_01_a_posted_action_without_referer_goes_home(
    client, structure_manager, proposed, monkeypatch
):
    monkeypatch.setattr(Orientation, "admit", _raise(OperationalError("database is locked")))
    client.force_login(structure_manager)

    response = client.post(
        reverse("orientations:admit", kwargs={"pk": proposed.pk}),
        HTTP_REFERER="https://ailleurs.example/piege",
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_ops_01_a_page_read_during_a_conflict_says_so_in_french(client, social_worker, monkeypatch):
    req = make_request(referrer=social_worker)
    monkeypatch.setattr(
        "relais.requests.views._audit_read", _raise(OperationalError("database is locked"))
    )
    client.force_login(social_worker)

    response = client.get(reverse("requests:detail", kwargs={"pk": req.pk}))

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    html = response.content.decode()
    assert escape(errors.BUSY_READING) in html
    assert "OperationalError" not in html and "locked" not in html


def test_ops_01_htmx_gets_the_message_alone_and_keeps_the_form(client, social_worker, monkeypatch):
    monkeypatch.setattr(
        "relais.identity.views.EntryCheck", _raise(OperationalError("database is locked"))
    )
    client.force_login(social_worker)

    response = client.post(
        reverse("identity:entry_candidates"),
        {"source": "person", "person-birth_name": "Martin"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200  # htmx swaps only successful responses
    assert response["HX-Retarget"] == "#contenu"
    assert response["HX-Reswap"] == "afterbegin"  # the form the user is typing in stays
    assert response["HX-Reselect"] == "#refus"
    html = response.content.decode()
    assert 'id="refus"' in html and escape(errors.BUSY) in html
    assert "<html" not in html


def test_ops_01_a_real_fault_is_not_hidden(client, social_worker, monkeypatch):
    req = make_request(referrer=social_worker)
    monkeypatch.setattr("relais.requests.views._audit_read", _raise(ValueError("bug")))
    client.force_login(social_worker)

    with pytest.raises(ValueError):
        client.get(reverse("requests:detail", kwargs={"pk": req.pk}))
