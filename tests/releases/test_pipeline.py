"""JUS-06 / JUS-02: the release pipeline — nobody due out is missing from it, each line says
where their housing stands, the SPIP sees its caseload and the SIAO its territory."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.justice.dates import add_months
from relais.justice.enums import AdjustmentEventKind, AdjustmentKind, EndDateReason
from relais.justice.models import SentenceAdjustment
from relais.orientations.enums import RefusalReason
from relais.orientations.models import Orientation
from relais.releases.housing import Solution
from relais.releases.pipeline import awaiting_request, due_out, lines_of
from relais.requests.models import Request
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    make_detention,
    make_evaluation,
    make_request,
    orient,
)

pytestmark = pytest.mark.django_db

NO_LSC = (6, 0, 0)  # more than 5 years: no LSC date, due out on the end date


def _today():
    return timezone.localdate()


def _in(days: int) -> dt.date:
    return _today() + dt.timedelta(days=days)


def _detention(cpip, days: int, *, name: str = "", sentence=NO_LSC, **kw):
    person = PersonFactory(birth_name=name) if name else None
    return make_detention(person, cpip=cpip, end_date=_in(days), sentence=sentence, **kw)


def _with_solution(detention, solution: str, *, siao, structure, manager):
    """Bring the detention's housing to `solution`, through the workflows."""
    if solution == Solution.NO_REQUEST:
        return detention
    request = make_request(detention.person, referrer=detention.cpip, detention=detention)
    if solution == Solution.TO_EVALUATE:
        return detention
    make_evaluation(request)
    request.evaluate(by=detention.cpip)
    if solution == Solution.EVALUATED:
        return detention
    orientation = orient(request, by=siao, structure=structure)
    if solution == Solution.REFUSED:
        orientation.refuse(by=manager, reason=RefusalReason.PUBLIC_NOT_SERVED)
    elif solution == Solution.ADMITTED:
        orientation.admit(by=manager)
    elif solution == Solution.RESERVED:
        # A place held over a window around the release date (the window's own workflow is
        # built elsewhere; the reading only needs its dates).
        Orientation.objects.filter(pk=orientation.pk).update(
            window_starts_on=detention.due_on - dt.timedelta(days=3),
            window_ends_on=detention.due_on + dt.timedelta(days=10),
        )
    return detention


@pytest.fixture
def cases(cpip, siao_operator, structure, structure_manager, territory, other_territory):
    """Detentions in every case, named by what they test."""
    kw = {"siao": siao_operator, "structure": structure, "manager": structure_manager}
    expected_cpip, expected_siao, absent = {}, {}, {}
    for days, solution in zip(range(20, 300, 40), Solution.values, strict=False):
        expected_cpip[f"solution {solution}"] = _with_solution(
            _detention(cpip, days), solution, **kw
        )
    # The LSC examination comes before the end date, which lies beyond the 12 months.
    lsc = _detention(cpip, 420, sentence=(1, 6, 0))
    assert lsc.due_on == lsc.lsc_examination_on < _in(365) < lsc.end_date
    expected_cpip["LSC earliest"] = lsc
    expected_cpip["end date earliest"] = _detention(cpip, 150)
    moved_in = _detention(cpip, 500)
    moved_in.move_end_date(_in(45), reason=EndDateReason.REDUCTION, by=cpip)
    expected_cpip["moved into the horizon"] = moved_in
    expected_cpip["past due, still in detention"] = _detention(cpip, -4)
    expected_cpip["today"] = _detention(cpip, 0)
    expected_cpip["last day of the horizon"] = make_detention(
        cpip=cpip, end_date=add_months(_today(), 12), sentence=NO_LSC
    )
    absent["the day after the horizon"] = make_detention(
        cpip=cpip, end_date=add_months(_today(), 12) + dt.timedelta(days=1), sentence=NO_LSC
    )
    moved_out = _detention(cpip, 60)
    moved_out.move_end_date(_in(600), reason=EndDateReason.NEW_SENTENCE, by=cpip)
    absent["moved out of the horizon"] = moved_out
    released = _detention(cpip, 30)
    released.release(on=_today(), by=cpip, measure_ends_on=_in(200))
    absent["released"] = released
    absent["beyond the horizon"] = _detention(cpip, 400)
    other_spip = UserFactory(cpip=True, organisation__territory=territory)
    expected_siao["other SPIP of the territory"] = _detention(other_spip, 90)
    elsewhere = UserFactory(cpip=True, organisation__territory=other_territory)
    absent["other territory"] = _detention(elsewhere, 90)
    expected_siao.update(expected_cpip)
    return {"cpip": expected_cpip, "siao": expected_siao, "absent": absent}


def _ids(dues) -> set[int]:
    return {due.detention_id for due in dues}


def test_jus_06_nobody_due_within_the_threshold_is_missing(cases, cpip, siao_operator):
    names = {d.pk: name for group in cases.values() for name, d in group.items()}

    def named(ids):
        return sorted(names.get(pk, f"?{pk}") for pk in ids)

    seen_by_cpip = _ids(due_out(cpip))
    assert named(seen_by_cpip) == named(d.pk for d in cases["cpip"].values())
    seen_by_siao = _ids(due_out(siao_operator))
    assert named(seen_by_siao) == named(d.pk for d in cases["siao"].values())
    # Every state of the housing solution is there, each read as it stands.
    solutions = {due.housing.solution for due in due_out(siao_operator)}
    assert solutions == set(Solution.values)


def test_jus_06_most_urgent_first_unsecured_within_the_threshold_before_the_rest(
    cpip, siao_operator, structure, structure_manager
):
    kw = {"siao": siao_operator, "structure": structure, "manager": structure_manager}
    late = _detention(cpip, -3)
    admitted_soon = _with_solution(_detention(cpip, 10), Solution.ADMITTED, **kw)
    unsecured_later = _detention(cpip, 120)
    unsecured_soon = _with_solution(_detention(cpip, 40), Solution.EVALUATED, **kw)
    far = _detention(cpip, 300)  # beyond the 6 months' threshold: by days left only
    far_admitted = _with_solution(_detention(cpip, 250), Solution.ADMITTED, **kw)
    order = [due.detention_id for due in due_out(cpip)]
    assert order == [
        late.pk,
        unsecured_soon.pk,
        unsecured_later.pk,
        admitted_soon.pk,
        far_admitted.pk,
        far.pk,
    ]
    dues = {due.detention_id: due for due in due_out(cpip)}
    assert dues[late.pk].days_left == -3 and dues[late.pk].within_threshold
    assert not dues[far.pk].within_threshold and not dues[far.pk].urgent
    assert dues[admitted_soon.pk].secured and not dues[admitted_soon.pk].urgent


def test_jus_07_housing_acquired_at_each_lsc_date(cpip, siao_operator, structure):
    detention = make_detention(cpip=cpip, end_date=_in(200), sentence=(1, 6, 0))
    assert detention.lsc_examination_on and detention.lsc_automatic_on
    request = make_request(detention.person, referrer=cpip, detention=detention)
    make_evaluation(request)
    request.evaluate(by=cpip)
    orientation = orient(request, by=siao_operator, structure=structure)
    # The place is held from a day between the two LSC dates.
    start = detention.lsc_examination_on + dt.timedelta(days=5)
    assert start < detention.lsc_automatic_on
    Orientation.objects.filter(pk=orientation.pk).update(window_starts_on=start)
    (line,) = lines_of(due_out(cpip))
    assert line.housing.solution == Solution.RESERVED
    assert line.lsc_examination_secured is False
    assert line.lsc_automatic_secured is True
    assert line.secured is False  # due out on the examination date, before the window


def test_jus_06_the_adjustment_in_view_is_the_latest_not_withdrawn(cpip):
    detention = _detention(cpip, 60)

    def plan(kind):
        adjustment, _ = SentenceAdjustment._create(
            AdjustmentEventKind.PLANNED, by=cpip, values={"detention": detention, "kind": kind}
        )
        return adjustment

    plan(AdjustmentKind.PSE)
    lc = plan(AdjustmentKind.LC)
    withdrawn = plan(AdjustmentKind.SL)
    withdrawn._apply(AdjustmentEventKind.WITHDRAWN, by=cpip)
    (line,) = lines_of(due_out(cpip))
    assert line.adjustment == lc


def test_jus_06_the_pipeline_costs_a_fixed_number_of_queries(
    cpip, siao_operator, structure, structure_manager, django_assert_num_queries, client
):
    kw = {"siao": siao_operator, "structure": structure, "manager": structure_manager}

    def build(n):
        for i, solution in zip(range(n), Solution.values * 3, strict=False):
            _with_solution(_detention(cpip, 10 + 20 * i), solution, **kw)

    client.force_login(siao_operator)
    url = reverse("releases:pipeline")
    client.get(url)  # warm the caches (session, menu)
    build(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    build(9)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries) < 25
    # The domain reading itself: four queries to sort, four to show.
    with django_assert_num_queries(4):
        dues = due_out(siao_operator)
    with django_assert_num_queries(4):
        lines_of(dues)


# -- scope and access ----------------------------------------------------------------------


def test_jus_06_a_cpip_sees_only_its_spip_and_a_structure_is_refused(
    client, cpip, siao_operator, structure_manager, territory, social_worker
):
    mine = _detention(cpip, 30, name="Abadie")
    other_spip = UserFactory(cpip=True, organisation__territory=territory)
    theirs = _detention(other_spip, 30, name="Bergeron")
    client.force_login(cpip)
    html = client.get(reverse("releases:pipeline")).content.decode()
    assert "ABADIE" in html and "BERGERON" not in html
    assert reverse("persons:file", args=[mine.person_id]) in html
    client.force_login(siao_operator)
    html = client.get(reverse("releases:pipeline")).content.decode()
    assert "ABADIE" in html and "BERGERON" in html
    for user in (structure_manager, social_worker):
        client.force_login(user)
        assert client.get(reverse("releases:pipeline")).status_code == 403
        assert client.get(reverse("releases:pipeline_export")).status_code == 403
    assert theirs.pk


def test_jus_06_the_person_file_opens_from_the_pipeline_without_a_request(
    client, cpip, social_worker
):
    detention = _detention(cpip, 30, name="Castaing")
    url = reverse("persons:file", args=[detention.person_id])
    client.force_login(cpip)
    assert client.get(url).status_code == 200
    client.force_login(social_worker)
    assert client.get(url).status_code == 404


def test_jus_06_the_page_shows_the_state_in_french(
    client, cpip, siao_operator, structure, structure_manager
):
    kw = {"siao": siao_operator, "structure": structure, "manager": structure_manager}
    _with_solution(_detention(cpip, -2, name="Delhomme"), Solution.ADMITTED, **kw)
    _detention(cpip, 100, name="Espinasse")
    client.force_login(siao_operator)
    html = client.get(reverse("releases:pipeline")).content.decode()
    assert "Admission acceptée" in html and "Aucune demande" in html
    assert "dépassée de 2 jours" in html and "dans 100 jours" in html
    assert "no_request" not in html.replace('value="no_request"', "")


def test_jus_06_the_page_paginates(client, siao_operator, cpip, monkeypatch):
    monkeypatch.setattr("relais.releases.pipeline_views.PAGE_SIZE", 2)
    for days in (10, 20, 30):
        _detention(cpip, days)
    client.force_login(siao_operator)
    first = client.get(reverse("releases:pipeline"))
    assert len(first.context["lines"]) == 2 and first.context["page"].paginator.count == 3
    assert "Page 1 sur 2" in first.content.decode() and "page=2" in first.content.decode()
    second = client.get(reverse("releases:pipeline"), {"page": 2})
    assert len(second.context["lines"]) == 1


# -- filters --------------------------------------------------------------------------------


def test_jus_06_filters_by_establishment_cpip_state_and_month(
    client, cpip, siao_operator, structure, structure_manager, territory
):
    kw = {"siao": siao_operator, "structure": structure, "manager": structure_manager}
    prison = OrganisationFactory(prison=True, territory=territory, name="Maison d'arrêt A")
    other_prison = OrganisationFactory(prison=True, territory=territory, name="Centre B")
    colleague = UserFactory(cpip=True, organisation=cpip.organisation)
    a = _detention(cpip, 20, establishment=prison)
    b = _with_solution(
        _detention(colleague, 80, establishment=other_prison), Solution.EVALUATED, **kw
    )
    late = _detention(cpip, -10, establishment=other_prison)
    assert _ids(due_out(siao_operator, establishment_id=prison.pk)) == {a.pk}
    assert _ids(due_out(siao_operator, cpip_id=colleague.pk)) == {b.pk}
    assert _ids(due_out(siao_operator, solution=Solution.EVALUATED)) == {b.pk}
    assert _ids(due_out(siao_operator, month=(b.due_on.year, b.due_on.month))) == {b.pk}
    assert _ids(due_out(siao_operator, overdue=True)) == {late.pk}

    client.force_login(siao_operator)

    def shown(**params):
        response = client.get(reverse("releases:pipeline"), params)
        assert response.status_code == 200
        return {line.detention.pk for line in response.context["lines"]}

    assert shown(establishment=prison.pk) == {a.pk}
    assert shown(cpip=colleague.pk) == {b.pk}
    assert shown(solution="evaluated") == {b.pk}
    assert shown(month=f"{b.due_on:%Y-%m}") == {b.pk}
    assert shown(month="depassee") == {late.pk}
    assert shown(horizon="3") == {a.pk, b.pk, late.pk}
    # Nonsense is ignored with a French message, never a server error.
    response = client.get(
        reverse("releases:pipeline"),
        {"establishment": "x", "solution": "<b>", "month": "2026-13", "horizon": "-1"},
    )
    assert response.status_code == 200
    assert {line.detention.pk for line in response.context["lines"]} == {a.pk, b.pk, late.pk}
    assert "valeur non reconnue" in response.content.decode()


# -- exports --------------------------------------------------------------------------------


def _export(client, fmt: str, **params):
    response = client.get(reverse("releases:pipeline_export"), {"format": fmt, **params})
    assert response.status_code == 200
    return response


def test_jus_06_csv_export_of_the_filtered_table_is_formula_safe(client, cpip, siao_operator):
    person = PersonFactory(birth_name="=HYPERLINK(1)", first_names="Léa")
    make_detention(person, cpip=cpip, end_date=_in(30), sentence=NO_LSC, prison_number="4242")
    _detention(cpip, 200, name="Fabregas")
    client.force_login(siao_operator)
    response = _export(client, "csv", month=f"{_in(30):%Y-%m}")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Nom", "Prénoms", "Date de naissance"]
    body = [row for row in rows[1:] if row]
    assert len(body) == 1  # 200 days on is always another month
    row = body[0]
    assert row[0] == "'=HYPERLINK(1)" and row[1] == "Léa" and row[4] == "4242"
    assert f"{_in(30):%d/%m/%Y}" in row and "Aucune demande" in row and "non" in row
    assert "FABREGAS" not in text
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.detail["sorties"] == len(body)
    assert AuditEvent.objects.filter(action=Action.READ, person_id=person.pk).exists()


def test_jus_06_xlsx_export_keeps_dates_and_numbers(client, cpip, siao_operator):
    detention = _detention(cpip, 30, name="Garrigues")
    client.force_login(siao_operator)
    response = _export(client, "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert values["Nom"] == "GARRIGUES"
    assert values["Jours restants"] == 30
    assert values["Sortie possible au plus tôt"].date() == detention.due_on
    assert values["Hébergement"] == "Aucune demande"
    assert values["Hébergement acquis"] == "non"


def test_jus_06_the_export_follows_the_scope(client, cpip, territory):
    other_spip = UserFactory(cpip=True, organisation__territory=territory)
    _detention(other_spip, 30, name="Hourcade")
    _detention(cpip, 30, name="Izard")
    client.force_login(cpip)
    text = _export(client, "csv").content.decode("utf-8-sig")
    assert "IZARD" in text and "HOURCADE" not in text


# -- JUS-02: the CPIP's home and the prefilled request ---------------------------------------


def test_jus_02_the_cpip_home_lists_detainees_past_the_threshold_without_a_request(
    client, cpip, territory
):
    territory.request_threshold_months = 6
    territory.save()
    crossed = _detention(cpip, 100, name="Jauffret")
    _detention(cpip, 250, name="Kerouac")  # not yet at 6 months
    with_request = _detention(cpip, 50, name="Lacombe")
    make_request(with_request.person, referrer=cpip, detention=with_request)
    other_spip = UserFactory(cpip=True, organisation__territory=territory)
    _detention(other_spip, 50, name="Marty")
    closed = _detention(cpip, 60, name="Naudin")
    make_request(closed.person, referrer=cpip, detention=closed).close(by=cpip, reason="no_news")

    # A closed request is no live request; the nearest release first.
    assert [line.detention for line in awaiting_request(cpip)] == [closed, crossed]
    client.force_login(cpip)
    # The section before the requests under way (where Lacombe's request is listed).
    html = client.get(reverse("home")).content.decode().partition("<h2>Demandes en cours")[0]
    assert "JAUFFRET" in html and "NAUDIN" in html
    for name in ("KEROUAC", "LACOMBE", "MARTY"):
        assert name not in html
    assert f"{reverse('requests:create')}?detention={crossed.pk}" in html
    # A wider threshold brings the later one in.
    territory.request_threshold_months = 9
    territory.save()
    assert "KEROUAC" in client.get(reverse("home")).content.decode()


def _request_data(client, url) -> dict:
    page = client.get(url)
    assert page.status_code == 200
    person = page.context["person_form"]
    data = {
        "request-channel": "insertion",
        "request-requested_on": f"{_today():%Y-%m-%d}",
        "request-notes": "Sortie prévue, pas de solution familiale.",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for name in person.fields:
        value = person[name].value()
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        data[f"person-{name}"] = value
    return data


def test_jus_02_one_click_from_a_prefilled_request_linked_to_the_detention(client, cpip):
    detention = _detention(cpip, 100, name="Olivier")
    url = f"{reverse('requests:create')}?detention={detention.pk}"
    client.force_login(cpip)
    page = client.get(url)
    html = page.content.decode()
    assert page.context["person_form"]["birth_name"].value() == "Olivier"
    assert "Sortie de détention de OLIVIER" in html and detention.prison_number in html
    response = client.post(url, _request_data(client, url))
    assert response.status_code == 302, response.context and response.context["form"].errors
    request = Request.objects.get(detention=detention)
    assert request.person == detention.person and request.referrer == cpip
    assert Request.objects.filter(person=detention.person).count() == 1
    # It leaves the home list, and a second click leads to the request made.
    assert awaiting_request(cpip) == []
    again = client.get(url)
    assert again.status_code == 302 and again["Location"] == reverse(
        "requests:detail", args=[request.pk]
    )


def test_jus_02_a_detention_out_of_scope_cannot_prefill_a_request(client, cpip, territory):
    other_spip = UserFactory(cpip=True, organisation__territory=territory)
    theirs = _detention(other_spip, 100)
    released = _detention(cpip, 100)
    released.release(on=_today(), by=cpip, measure_ends_on=_in(100))
    client.force_login(cpip)
    for value in (theirs.pk, released.pk, "abc", "99999999999999999999"):
        response = client.get(reverse("requests:create"), {"detention": value})
        assert response.status_code == 404, value
        response = client.post(f"{reverse('requests:create')}?detention={value}", {})
        assert response.status_code == 404, value
    assert not Request.objects.exists()


def test_jus_02_a_prefilled_request_refused_keeps_what_was_typed(client, cpip):
    detention = _detention(cpip, 100, name="Peyrat")
    url = f"{reverse('requests:create')}?detention={detention.pk}"
    client.force_login(cpip)
    data = _request_data(client, url)
    data.update({"request-requested_on": "2999-01-01", "request-notes": "Note <gardée> é"})
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "La demande n&#x27;est pas enregistrée" in html or "pas enregistrée" in html
    assert "ne peut pas être dans le futur" in html
    assert "Note &lt;gardée&gt; é" in html
    assert not Request.objects.exists()
