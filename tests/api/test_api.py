"""OPS-02: the API for partner software — tokens, errors, audit, idempotency, paging, feed."""

import datetime as dt
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import User
from relais.api.models import ApiToken, IdempotentRequest
from relais.api.v1 import feed
from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.justice.forms import DetentionForm
from relais.orientations.enums import OrientationState
from relais.places.models import CapacityEvent
from relais.requests.enums import Channel
from relais.requests.models import Request
from tests.api.conftest import ApiClient, issue_token
from tests.factories import make_evaluation, make_request, orient

pytestmark = pytest.mark.django_db


# -- documentation ------------------------------------------------------------------------------


def test_ops_02_openapi_3_schema_generated_from_the_code(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/requests/", "/api/v1/orientations/{id}/admit/", "/api/v1/events/"):
        assert path in schema["paths"]
    assert schema["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"


def test_ops_02_documentation_page_is_served_by_relais_without_cdn(client):
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "https://" not in html and "http://" not in html.replace("http://testserver", "")
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200
    assert b"SwaggerUIBundle" in script.content


# -- tokens ------------------------------------------------------------------------------------


def test_ops_02_token_is_shown_once_and_stored_hashed(client, territory_admin, outsider):
    client.force_login(territory_admin)
    response = client.post(
        reverse("apitokens:create"),
        {
            "name": "Logiciel du CCAS",
            "organisation": outsider.organisation.pk,
            "role": "social_worker",
            "expires_on": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
            "rate_per_minute": 60,
            "scope_requests": "write",
            "scope_orientations": "read",
        },
    )
    assert response.status_code == 200
    key = response.context["key"]
    assert key.startswith("relais_") and key in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    token = ApiToken.objects.get()
    assert token.key_digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.values().get())
    assert token.account.role == "social_worker"
    assert token.account.organisation == outsider.organisation
    assert not token.account.has_usable_password()
    listing = client.get(reverse("apitokens:list")).content.decode()
    assert "Logiciel du CCAS" in listing and key not in listing
    # Managed with its token, not among the people's accounts.
    assert token.account.username not in client.get(reverse("accounts:list")).content.decode()
    assert ApiClient(key).get(reverse("api:request-list")).status_code == 200


def test_ops_02_token_role_must_fit_its_organisation(client, territory_admin, outsider):
    client.force_login(territory_admin)
    response = client.post(
        reverse("apitokens:create"),
        {
            "name": "Logiciel",
            "organisation": outsider.organisation.pk,
            "role": "structure_manager",
            "expires_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
            "rate_per_minute": 60,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "role" in form.errors
    assert "au moins un droit" in " ".join(form.non_field_errors())
    assert form["name"].value() == "Logiciel"  # nothing typed is lost
    assert not ApiToken.objects.exists()


def test_ops_02_revoked_expired_and_unknown_tokens_get_a_french_401(siao_operator):
    token, key = issue_token(siao_operator)
    url = reverse("api:request-list")
    assert ApiClient(key).get(url).status_code == 200
    token.revoke(by=None)
    answer = ApiClient(key).get(url)
    assert answer.status_code == 401 and "révoqué" in answer.json()["detail"]
    expired, expired_key = issue_token(siao_operator)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    assert "expiré" in ApiClient(expired_key).get(url).json()["detail"]
    assert ApiClient("relais_inconnu").get(url).json()["detail"] == "Jeton inconnu."
    malformed = ApiClient(HTTP_AUTHORIZATION="Basic abc").get(url)
    assert malformed.status_code == 401 and "mal formé" in malformed.json()["detail"]


def test_ops_02_a_browser_session_does_not_open_the_api(client, siao_operator):
    client.force_login(siao_operator)
    assert client.get(reverse("api:request-list")).status_code == 401


def test_ops_02_scopes_read_or_write_per_resource(siao_operator, social_worker):
    req = make_request(referrer=social_worker)
    _, key = issue_token(siao_operator, scopes={"requests": "read"})
    api = ApiClient(key)
    assert api.get(reverse("api:request-detail", kwargs={"pk": req.pk})).status_code == 200
    refused = api.patch(
        reverse("api:request-detail", kwargs={"pk": req.pk}),
        {"notes": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403 and "écriture" in refused.json()["detail"]
    assert api.get(reverse("api:orientation-list")).status_code == 403


def test_ops_02_rate_limit_per_token(siao_operator):
    _, key = issue_token(siao_operator, rate_per_minute=3)
    _, other_key = issue_token(siao_operator)
    url = reverse("api:structure-list")
    answers = [ApiClient(key).get(url).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = ApiClient(key).get(url)
    assert int(limited["Retry-After"]) > 0
    assert ApiClient(other_key).get(url).status_code == 200


# -- audit ---------------------------------------------------------------------------------------


def test_ops_02_api_reads_and_writes_are_audited_like_pages(siao_operator, social_worker):
    req = make_request(referrer=social_worker)
    token, key = issue_token(siao_operator)
    api = ApiClient(key)
    api.get(reverse("api:request-detail", kwargs={"pk": req.pk}))
    read = AuditEvent.objects.get(action=Action.READ, person_id=req.person_id)
    assert read.username == token.account.username
    assert read.organisation_id == siao_operator.organisation_id
    assert read.detail["page"] == "api:request-detail"
    api.patch(
        reverse("api:request-detail", kwargs={"pk": req.pk}),
        {"notes": "Appel du logiciel"},
        content_type="application/json",
    )
    write = AuditEvent.objects.get(action=Action.WRITE, person_id=req.person_id)
    assert write.username == token.account.username
    assert write.detail["changes"]["notes"][1] == "Appel du logiciel"


# -- transitions, validation ---------------------------------------------------------------


@pytest.fixture
def proposed(siao_operator, social_worker, structure):
    req = make_request(referrer=social_worker)
    make_evaluation(req)
    req.evaluate(by=social_worker)
    return orient(req, by=siao_operator, structure=structure)


def test_ops_02_structure_software_admits_records_arrival_and_end_of_stay(
    proposed, structure_manager
):
    api = ApiClient(issue_token(structure_manager)[1])
    base = "api:orientation-"
    admitted = api.post(
        reverse(base + "admit", kwargs={"pk": proposed.pk}), content_type="application/json"
    )
    assert admitted.status_code == 200 and admitted.json()["state"] == OrientationState.ADMITTED
    arrived = api.post(
        reverse(base + "arrival", kwargs={"pk": proposed.pk}), {}, content_type="application/json"
    )
    assert arrived.json()["state"] == OrientationState.IN_STAY
    ended = api.post(
        reverse(base + "end-stay", kwargs={"pk": proposed.pk}),
        {
            "ended_on": timezone.now().isoformat(),
            "destination": "family",
            "reason": "voluntary",
        },
        content_type="application/json",
    )
    assert ended.status_code == 200, ended.content
    assert ended.json()["state"] == OrientationState.ENDED


def test_ops_02_a_refused_transition_is_a_409_with_the_french_message(proposed, structure_manager):
    api = ApiClient(issue_token(structure_manager)[1])
    url = reverse("api:orientation-admit", kwargs={"pk": proposed.pk})
    assert api.post(url, content_type="application/json").status_code == 200
    again = api.post(url, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["detail"].startswith("Impossible : ")


def test_ops_02_validation_errors_are_400_with_french_messages_per_field(
    proposed, structure_manager
):
    api = ApiClient(issue_token(structure_manager)[1])
    url = reverse("api:orientation-refuse", kwargs={"pk": proposed.pk})
    no_reason = api.post(url, {"reason": "other"}, content_type="application/json")
    assert no_reason.status_code == 400
    assert no_reason.json()["errors"] == {"comment": ["Précisez le motif du refus."]}
    wrong_type = api.post(url, {"reason": ["other"]}, content_type="application/json")
    assert wrong_type.status_code == 400 and "reason" in wrong_type.json()["errors"]
    not_an_object = api.post(url, [1, 2], content_type="application/json")
    assert not_an_object.status_code == 400
    broken = api.post(url, "{not json", content_type="application/json")
    assert broken.status_code == 400
    form_body = api.post(url, {"reason": "other", "comment": "x"})  # multipart: not JSON
    assert form_body.status_code == 415
    nul = api.post(url, {"reason": "other", "comment": "\u0000"}, content_type="application/json")
    assert nul.status_code == 400  # the NUL is removed: the comment is empty, hence required
    proposed.refresh_from_db()
    assert proposed.state == OrientationState.PROPOSED


def test_ops_02_a_bad_filter_is_a_400_for_that_parameter(siao_operator):
    api = ApiClient(issue_token(siao_operator)[1])
    answer = api.get(reverse("api:request-list"), {"status": "nope", "person": "x"})
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"status", "person"}
    assert api.get(reverse("api:request-detail", kwargs={"pk": 2**63 - 1})).status_code == 404


# -- idempotency ------------------------------------------------------------------------------


def test_ops_02_idempotency_key_makes_a_retry_harmless(structure_manager, structure):
    api = ApiClient(issue_token(structure_manager)[1])
    capacity = structure.capacities.get()
    url = reverse("api:capacity-availability", kwargs={"pk": capacity.pk})
    body = {"action": "unavailable", "count": 2, "note": "Travaux"}
    first = api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    retry = api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert CapacityEvent.objects.filter(capacity=capacity).count() == 1
    other = api.post(
        url, {**body, "count": 3}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 422
    new_key = api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert new_key.status_code == 200
    assert CapacityEvent.objects.filter(capacity=capacity).count() == 2
    assert IdempotentRequest.objects.count() == 2


# -- paging and the change feed -------------------------------------------------------------


def test_ops_02_cursor_pagination_walks_every_row_once(siao_operator, social_worker):
    made = {make_request(referrer=social_worker).pk for _ in range(7)}
    api = ApiClient(issue_token(siao_operator)[1])
    seen, url, params = [], reverse("api:request-list"), {"page_size": 3}
    while url:
        page = api.get(url, params).json()
        seen += [row["id"] for row in page["results"]]
        url, params = page["next"], None
    assert sorted(seen) == sorted(made)


def test_ops_02_change_feed_continues_from_its_cursor(siao_operator, social_worker):
    first = make_request(referrer=social_worker, channel=Channel.INSERTION)
    token, _ = issue_token(siao_operator)
    later = timezone.now() + feed.SETTLE * 2
    page = feed.read(user=token.account, token=token, now=later)
    assert [(e["source"], e["object_id"], e["kind"]) for e in page["events"]] == [
        ("request", first.pk, "created")
    ]
    assert not page["has_more"]
    second = make_request(referrer=social_worker, channel=Channel.INSERTION)
    nothing_yet = feed.read(user=token.account, token=token, after=page["cursor"])
    assert nothing_yet["events"] == []  # not settled yet: served a few seconds later
    assert nothing_yet["cursor"] == page["cursor"]
    later = timezone.now() + feed.SETTLE * 2
    following = feed.read(user=token.account, token=token, after=page["cursor"], now=later)
    assert [e["object_id"] for e in following["events"]] == [second.pk]


def test_ops_02_change_feed_rejects_a_forged_cursor(siao_operator):
    api = ApiClient(issue_token(siao_operator)[1])
    for cursor in ("abc", "!!!", "MjAyNnwxfDE", "eA"):
        answer = api.get(reverse("api:event-list"), {"after": cursor})
        assert answer.status_code == 400
        assert "Curseur invalide" in answer.json()["errors"]["after"][0]


# -- creating a request ----------------------------------------------------------------------


NEW = {
    "channel": "insertion",
    "notes": "Envoyée par le logiciel du CCAS",
    "person": {
        "birth_name": "Kowalczyk",
        "first_names": "Anna",
        "sex": "F",
        "birth_date": "12/04/1990",
    },
}


def test_ops_02_a_referrer_software_creates_a_request_with_its_person(social_worker):
    api = ApiClient(issue_token(social_worker)[1])
    created = api.post(reverse("api:request-list"), NEW, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["person"]["birth_name"] == "Kowalczyk" and body["person"]["birth_year"] == 1990
    assert body["referrer_organisation"]["id"] == social_worker.organisation_id
    assert body["status"] == "new"
    write = AuditEvent.objects.get(action=Action.WRITE, person_id=body["person"]["id"])
    assert write.detail["event"] == "created"


def test_ops_02_a_likely_known_person_is_a_409_with_candidates_until_answered(social_worker):
    api = ApiClient(issue_token(social_worker)[1])
    url = reverse("api:request-list")
    first = api.post(url, NEW, content_type="application/json").json()
    api.post(
        reverse("api:request-close", kwargs={"pk": first["id"]}),
        {"reason": "no_news"},
        content_type="application/json",
    )
    again = api.post(url, NEW, content_type="application/json")
    assert again.status_code == 409
    assert [c["person_id"] for c in again.json()["candidates"]] == [first["person"]["id"]]
    assert "ressemblent" in again.json()["detail"]
    linked = api.post(
        url, {**NEW, "person_id": first["person"]["id"]}, content_type="application/json"
    )
    assert linked.status_code == 201 and linked.json()["person"]["id"] == first["person"]["id"]
    # Now a request is under way for her: another needs to be confirmed.
    underway = api.post(
        url, {**NEW, "person_id": first["person"]["id"]}, content_type="application/json"
    )
    assert underway.status_code == 409 and underway.json()["ongoing"]
    someone_else = api.post(url, {**NEW, "someone_else": True}, content_type="application/json")
    assert someone_else.status_code == 201
    assert someone_else.json()["person"]["id"] != first["person"]["id"]


def test_ops_02_a_bad_person_is_a_400_on_the_person_fields(social_worker, structure_manager):
    api = ApiClient(issue_token(social_worker)[1])
    url = reverse("api:request-list")
    no_name = api.post(
        url, {**NEW, "person": {"first_names": "Anna"}}, content_type="application/json"
    )
    assert no_name.status_code == 400 and "person.birth_name" in no_name.json()["errors"]
    bad_date = api.post(
        url,
        {**NEW, "person": {**NEW["person"], "birth_date": "31/02/1990"}},
        content_type="application/json",
    )
    assert bad_date.status_code == 400 and "person.birth_date" in bad_date.json()["errors"]
    assert not Request.objects.exists()
    no_channel = api.post(url, {"person": NEW["person"]}, content_type="application/json")
    assert no_channel.status_code == 400 and "channel" in no_channel.json()["errors"]
    manager = ApiClient(issue_token(structure_manager)[1])
    assert manager.post(url, NEW, content_type="application/json").status_code == 403


def test_ops_02_a_retried_creation_creates_once(social_worker):
    api = ApiClient(issue_token(social_worker)[1])
    url = reverse("api:request-list")
    sent = [
        api.post(url, NEW, content_type="application/json", HTTP_IDEMPOTENCY_KEY="dossier-42")
        for _ in range(2)
    ]
    assert [r.status_code for r in sent] == [201, 201]
    assert sent[0].json()["id"] == sent[1].json()["id"]
    assert Request.objects.count() == 1


def test_ops_02_a_request_comes_with_its_household(social_worker):
    api = ApiClient(issue_token(social_worker)[1])
    family = {
        **NEW,
        "members": [
            {"birth_name": "Kowalczyk", "first_names": "Jan", "sex": "M", "relationship": "spouse"},
            {
                "birth_name": "Kowalczyk",
                "first_names": "Ola",
                "sex": "F",
                "birth_date": "03/2019",
                "relationship": "child",
                "child_situation": "dependent",
            },
        ],
    }
    created = api.post_json(reverse("api:request-list"), family)
    assert created.status_code == 201, created.content
    body = created.json()
    members = {(m["person"]["first_names"], m["relationship"]) for m in body["household_members"]}
    assert members == {("Anna", "principal"), ("Jan", "spouse"), ("Ola", "child")}
    # Each member has a request in the household, as on the page (SIAO-02).
    household = Request.objects.filter(household_id=body["household"])
    assert household.count() == 3
    # Software adds a baby later; the principal's request lists four persons.
    added = api.post_json(
        reverse("api:request-members", kwargs={"pk": body["id"]}),
        {"members": [{"birth_name": "Kowalczyk", "first_names": "Eva", "relationship": "child"}]},
    )
    assert added.status_code == 200, added.content
    assert len(added.json()["household_members"]) == 4 and household.count() == 4
    read = api.get(reverse("api:request-detail", kwargs={"pk": body["id"]})).json()
    assert [m["person"]["first_names"] for m in read["household_members"]] == [
        "Anna",
        "Jan",
        "Ola",
        "Eva",
    ]


def test_ops_02_a_115_software_records_a_call_as_the_short_form_does(emergency_line_user):
    api = ApiClient(issue_token(emergency_line_user)[1])
    url = reverse("api:request-emergency")
    call = {
        "birth_name": "Moreau",
        "first_names": "Paul",
        "birth_date": "1971",
        "phone": "06 12 34 56 78",
        "current_location": "Parvis de la gare",
        "notes": "Appel de la maraude",
        "members": [{"birth_name": "Moreau", "first_names": "Lise", "relationship": "spouse"}],
    }
    created = api.post_json(url, call)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["channel"] == "emergency" and body["needs_tonight"] is True
    assert body["current_location"] == "Parvis de la gare"
    assert len(body["household_members"]) == 2
    req = Request.objects.get(pk=body["id"])
    assert req.person.phone == "06 12 34 56 78" and not hasattr(req, "evaluation")
    assert req.household.requests.count() == 2
    # The same caller again: a request is under way, the 409 says so.
    again = api.post_json(url, {**call, "members": []})
    assert again.status_code == 409
    assert again.json()["candidates"] or again.json()["ongoing"]
    assert api.post_json(url, {"first_names": "Paul"}).json()["errors"]["birth_name"]
    assert Request.objects.filter(channel=Channel.EMERGENCY).count() == 2


def test_ops_02_a_bad_household_member_is_a_400_and_writes_nothing(social_worker):
    api = ApiClient(issue_token(social_worker)[1])
    url = reverse("api:request-list")
    bad = api.post_json(
        url,
        {
            **NEW,
            "members": [
                {"birth_name": "Kowalczyk", "first_names": "Jan", "relationship": "spouse"},
                {"birth_name": "Kowalczyk", "first_names": "Ola", "relationship": "cousin"},
                {},
            ],
        },
    )
    assert bad.status_code == 400
    errors = bad.json()["errors"]
    assert {"members.1.relationship", "members.2.birth_name"} <= set(errors)
    assert "members.0.birth_name" not in errors
    child = {"birth_name": "Kowalczyk", "first_names": "Ola", "relationship": "child"}
    child["birth_date"] = "31/02/2019"
    bad_date = api.post_json(url, {**NEW, "members": [child]})
    assert bad_date.status_code == 400
    assert list(bad_date.json()["errors"]) == ["members.0.birth_date"]
    assert not Request.objects.exists()
    assert api.post_json(url, {**NEW, "members": "Jan"}).status_code == 400
    too_many = [{"birth_name": "X", "first_names": "Y", "relationship": "child"}] * 16
    assert api.post_json(url, {**NEW, "members": too_many}).status_code == 400
    created = api.post_json(url, NEW).json()
    add = reverse("api:request-members", kwargs={"pk": created["id"]})
    assert api.post_json(add, {"members": []}).status_code == 400
    assert api.post_json(add, {}).status_code == 400
    assert Request.objects.count() == 1


# -- evaluations and detentions ------------------------------------------------------------


def test_ops_02_evaluation_masks_health_and_justice_down_to_the_field(
    proposed, structure_manager, siao_operator
):
    evaluation = proposed.request.evaluation
    evaluation.problem_health = True
    evaluation.problem_justice = True
    evaluation.save()
    url = reverse("api:request-evaluation", kwargs={"pk": proposed.request_id})
    manager = ApiClient(issue_token(structure_manager)[1]).get(url).json()
    assert "problem_health" not in manager["fields"] and "problem_justice" not in manager["fields"]
    assert {"problem_health", "problem_justice"} <= set(manager["hidden"])
    siao = ApiClient(issue_token(siao_operator)[1]).get(url).json()
    assert siao["fields"]["problem_health"] is True and siao["hidden"] == []
    assert "social_security_number" not in siao["fields"]
    assert siao["complete"] is True


def test_ops_02_software_writes_the_evaluation_as_the_page_does(social_worker):
    req = make_request(referrer_organisation=social_worker.organisation)
    make_evaluation(req, complete=False)
    api = ApiClient(issue_token(social_worker)[1])
    url = reverse("api:request-evaluation", kwargs={"pk": req.pk})
    sent = api.patch_json(
        url,
        {
            "fields": {
                "interview_date": "2026-11-30",
                "interviewers": "Mme Lefèvre, CCAS",
                "referral_origin": "service",
                "housing_situation": "none",
                "wants_shelter": True,
                "is_indebted": True,
                "argument": "À la rue depuis un mois après une expulsion.",
                "orientation_proposal": "insertion_chrs",
            },
            "employment_applicant": {"status": "employed", "contract_type": "cdd"},
            "reasons": [{"reason": "eviction", "detail": "Jugement du 2 octobre"}],
            "resources": [
                {"holder": "applicant", "kind": "salary", "monthly_amount": "950.00"},
                {
                    "holder": "applicant",
                    "kind": "are_ass",
                    "monthly_amount": "120",
                    "rights_start": "2026-01-01",
                    "rights_end": "2027-01-01",
                },
            ],
        },
    )
    assert sent.status_code == 200, sent.content
    body = sent.json()
    assert body["fields"]["is_indebted"] is True and body["fields"]["housing_situation"] == "none"
    assert body["employment_applicant"]["contract_type"] == "cdd"
    assert body["reasons"] == [{"reason": "eviction", "detail": "Jugement du 2 octobre"}]
    assert {(r["kind"], r["monthly_amount"]) for r in body["resources"]} == {
        ("salary", "950.00"),
        ("are_ass", "120.00"),
    }
    assert body["complete"] is True
    # The page's rectification event and audit row.
    assert req.events.filter(kind="updated").exists()
    assert AuditEvent.objects.filter(action=Action.WRITE, person_id=req.person_id).exists()
    # A PATCH changes what it sends: the grids not sent stay, a field not sent stays.
    again = api.patch_json(url, {"fields": {"is_indebted": None}, "employment_applicant": None})
    assert again.status_code == 200, again.content
    after = again.json()
    assert after["fields"]["is_indebted"] is None and after["employment_applicant"] is None
    assert after["fields"]["interviewers"] == "Mme Lefèvre, CCAS"
    assert len(after["reasons"]) == 1 and len(after["resources"]) == 2
    # What was read can be sent back unchanged: nothing changes.
    events = req.events.count()
    read = api.get(url).json()
    back = {k: read[k] for k in ("fields", "reasons", "resources", "debts", "housing_aids")}
    assert api.patch_json(url, back).status_code == 200
    assert req.events.count() == events
    # An empty list clears a grid.
    assert api.patch_json(url, {"resources": []}).json()["resources"] == []


def test_ops_02_a_bad_evaluation_is_a_400_where_it_was_sent_and_saves_nothing(social_worker):
    req = make_request(referrer_organisation=social_worker.organisation)
    make_evaluation(req)
    api = ApiClient(issue_token(social_worker)[1])
    url = reverse("api:request-evaluation", kwargs={"pk": req.pk})
    before = api.get(url).json()
    bad = api.patch_json(
        url,
        {
            "fields": {"interviewers": "Quelqu'un d'autre", "is_indebted": "peut-être"},
        },
    )
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["fields.is_indebted"]
    rights_backwards = {
        "holder": "applicant",
        "kind": "are_ass",
        "rights_start": "2026-06-01",
        "rights_end": "2026-01-01",
    }
    fixable = {
        "fields": {"interviewers": "Quelqu'un d'autre"},
        "reasons": [{"reason": "other"}],
        "resources": [rights_backwards],
    }
    salary_rights = {"holder": "applicant", "kind": "salary", "rights_start": "2026-06-01"}
    rows = api.patch_json(
        url,
        {
            **fixable,
            "resources": [rights_backwards, salary_rights],
            "debts": [{"kind": "rent", "amount": "10"}, {"kind": "rent"}],
        },
    )
    assert rows.status_code == 400
    errors = rows.json()["errors"]
    assert "ne s'applique pas" in errors["resources.1.rights_start"][0]
    assert "deux fois" in errors["debts.1"][0]
    form_stage = api.patch_json(url, fixable)
    assert form_stage.status_code == 400
    assert set(form_stage.json()["errors"]) == {"reasons.0.detail", "resources.0.rights_end"}
    assert "Précisez" in form_stage.json()["errors"]["reasons.0.detail"][0]
    assert api.get(url).json() == before
    assert api.patch_json(url, ["fields"]).status_code == 400
    assert api.patch_json(url, {"reasons": [{"detail": "x"}]}).status_code == 400


def test_ops_02_a_software_account_is_never_offered_as_a_person(cpip, structure_manager):
    token, _ = issue_token(cpip)
    form = DetentionForm(user=cpip, territory_id=cpip.organisation.territory_id)
    offered = set(form.fields["cpip"].queryset)
    assert cpip in offered and token.account not in offered
    assert token.account.role == cpip.role
    assert token.account not in User.objects.people()


def test_ops_02_spip_software_records_a_detention_then_moves_its_end_date(cpip, prison):
    api = ApiClient(issue_token(cpip)[1])
    today = timezone.localdate()
    body = {
        "establishment": prison.pk,
        "prison_number": "A12345",
        "legal_status": "convicted",
        "incarcerated_on": (today - dt.timedelta(days=400)).isoformat(),
        "sentence_years": 2,
        "end_date": (today + dt.timedelta(days=200)).isoformat(),
        "person": {"birth_name": "Nowak", "first_names": "Piotr", "sex": "M"},
    }
    created = api.post(reverse("api:detention-list"), body, content_type="application/json")
    assert created.status_code == 201, created.content
    detention = created.json()
    assert detention["spip"]["id"] == cpip.organisation_id
    assert detention["lsc_examination_on"]
    twice = api.post(
        reverse("api:detention-list"),
        {**body, "prison_number": "A12346"},
        content_type="application/json",
    )
    assert twice.status_code == 409 and twice.json()["candidates"]
    moved = api.post(
        reverse("api:detention-end-date", kwargs={"pk": detention["id"]}),
        {"new_date": (today + dt.timedelta(days=150)).isoformat(), "reason": "reduction"},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["end_date"] == (today + dt.timedelta(days=150)).isoformat()
    assert moved.json()["lsc_examination_on"] != detention["lsc_examination_on"]


def test_ops_02_odd_addresses_and_bodies_never_err(siao_operator):
    api = ApiClient(issue_token(siao_operator)[1])
    long_id = "9" * 400
    answer = api.post(
        f"/api/v1/orientations/{long_id}/admit/",
        {},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert answer.status_code == 404
    assert api.get(f"/api/v1/requests/{'9' * 30}/").status_code == 404
    assert api.get("/api/v1/nulle-part/").json()["detail"]
    broken = api.post(reverse("api:request-list"), "{", content_type="application/json")
    assert broken.json()["detail"] == "Le corps de la requête n'est pas un JSON valide."
    huge = feed.Position(timezone.now(), 0, 2**70).encode()
    assert api.get(reverse("api:event-list"), {"after": huge}).status_code == 400


def test_ops_02_a_date_with_any_offset_filters_without_error(siao_operator, social_worker):
    """Found by the fuzzer on PostgreSQL, which refuses offsets beyond 16 hours."""
    make_request(referrer=social_worker)
    api = ApiClient(issue_token(siao_operator)[1])
    for since in ("1850-12-16T16:23:03.1837-16:18", "2026-01-01T00:00:00+23:59"):
        answer = api.get(reverse("api:request-list"), {"updated_since": since})
        assert answer.status_code == 200
        assert len(answer.json()["results"]) == 1
