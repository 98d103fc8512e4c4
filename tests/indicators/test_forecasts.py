"""JUS-09: the SPIP's yearly forecast of place needs per establishment, and the SIAO's
periodic report of its offer — computed from the data, exported with charts, printable."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from relais.indicators import forecast, offer
from relais.indicators.calendar import PARIS
from relais.indicators.models import ForecastSnapshot
from relais.justice.enums import LegalStatus
from relais.orientations.models import Orientation, OrientationEvent
from relais.places.enums import PlaceReservation, PlaceType
from relais.places.models import CapacityChange, PlaceCapacity
from relais.releases.models import DryExit
from relais.requests.enums import Channel
from tests.factories import (
    OrganisationFactory,
    StructureFactory,
    UserFactory,
    make_detention,
    make_evaluation,
    make_request,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LONG = (6, 0, 0)  # over 5 years: no LSC, the release is due at the end of sentence


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def exit_of(cpip, prison, *, ago: int, dry: bool):
    """A person who left `prison` `ago` days ago: released, or a dry exit recorded."""
    detention = make_detention(cpip=cpip, establishment=prison, end_date=days(-ago))
    if dry:
        DryExit.objects.create(
            detention=detention, person=detention.person, on=days(-ago), solution="evaluated"
        )
    else:
        detention.release(on=days(-ago), by=cpip)
    return detention


@pytest.fixture
def spip_case(cpip, territory):
    """Two establishments of the CPIP's SPIP, one of another SPIP of the territory.

    Lutterbach: 8 releases due in the coming year (and one after it, one awaiting trial);
    over the past year 4 exits, 1 of them dry (25 %); its past requests asked 3 insertion,
    1 housing. Ensisheim: 2 releases due, no exit and no request over the past year."""
    lutterbach = OrganisationFactory(prison=True, territory=territory, name="CP Lutterbach")
    ensisheim = OrganisationFactory(prison=True, territory=territory, name="MC Ensisheim")
    for n in range(8):
        make_detention(
            cpip=cpip, establishment=lutterbach, end_date=days(10 + 40 * n), sentence=LONG
        )
    make_detention(cpip=cpip, establishment=lutterbach, end_date=days(400), sentence=LONG)
    make_detention(
        cpip=cpip,
        establishment=lutterbach,
        legal_status=LegalStatus.REMAND,
        sentence=(0, 0, 0),
        incarcerated_on=days(-20),
    )
    exits = [
        exit_of(cpip, lutterbach, ago=30, dry=True),
        exit_of(cpip, lutterbach, ago=60, dry=False),
        exit_of(cpip, lutterbach, ago=90, dry=False),
        exit_of(cpip, lutterbach, ago=200, dry=False),
    ]
    exit_of(cpip, lutterbach, ago=400, dry=True)  # before the past year: not counted
    for detention, channel in zip(
        exits,
        [Channel.INSERTION, Channel.INSERTION, Channel.INSERTION, Channel.HOUSING],
        strict=True,
    ):
        make_request(
            person=detention.person,
            channel=channel,
            referrer=cpip,
            detention=detention,
            requested_on=days(-100),
        )
    for n in range(2):
        make_detention(cpip=cpip, establishment=ensisheim, end_date=days(50 + n), sentence=LONG)
    other_spip = UserFactory(cpip=True, organisation__territory=territory)
    elsewhere = OrganisationFactory(prison=True, territory=territory, name="MA Colmar")
    make_detention(cpip=other_spip, establishment=elsewhere, end_date=days(20), sentence=LONG)
    return lutterbach, ensisheim, elsewhere


def test_jus_09_forecast_counts_expected_releases_rate_and_needs_by_type(cpip, spip_case):
    lutterbach, ensisheim, _ = spip_case
    built = forecast.compute(forecast.scope_for(cpip), TODAY)
    lines = {line.establishment.name: line for line in built.lines}
    assert set(lines) == {"CP Lutterbach", "MC Ensisheim"}  # the CPIP's SPIP only
    cp = lines["CP Lutterbach"]
    assert (cp.expected, cp.undated, cp.past_exits, cp.past_dry) == (8, 1, 4, 1)
    assert cp.rate == Decimal("0.25") and not cp.rate_from_all
    assert cp.need == 2  # 8 × 25 %
    # 2 places split 3 : 1 — 1.5 and 0.5, the tie of remainders goes to insertion.
    assert cp.type_values == [0, 2, 0]
    mc = lines["MC Ensisheim"]
    assert (mc.expected, mc.past_exits) == (2, 0)
    assert mc.rate_from_all and mc.rate == Decimal("0.25")  # the rate of all shown
    assert mc.need == 1  # 2 × 25 % = 0.5, half up
    assert mc.mix_from_all and mc.type_values == [0, 1, 0]
    assert built.total.need == 3 and built.total.type_values == [0, 3, 0]
    assert built.total.difference == 3 - 1  # against last year's dry exits


def test_jus_09_siao_sees_every_establishment_of_its_territory(siao_operator, spip_case):
    built = forecast.compute(forecast.scope_for(siao_operator), TODAY)
    assert {line.establishment.name for line in built.lines} == {
        "CP Lutterbach",
        "MC Ensisheim",
        "MA Colmar",
    }
    assert built.total.expected == 11


def test_jus_09_split_adds_up_to_the_need():
    assert forecast.split(5, {"emergency": 1, "insertion": 1, "housing": 1}) == {
        "emergency": 2,
        "insertion": 2,
        "housing": 1,
    }
    assert sum(forecast.split(7, {"insertion": 3, "housing": 4}).values()) == 7
    assert forecast.split(3, {}) == {}


def test_jus_09_forecast_page_shows_the_method_and_prints(client, cpip, spip_case):
    client.force_login(cpip)
    html = client.get(reverse("indicators:forecast")).content.decode()
    assert "CP Lutterbach" in html and "MA Colmar" not in html
    assert "Comment la prévision est calculée" in html
    assert "Comparaison avec l'année écoulée" in html
    printed = client.get(reverse("indicators:forecast_print")).content.decode()
    assert "CP Lutterbach" in printed and "Ctrl + P" in printed


def test_jus_09_forecast_is_refused_to_other_roles(client, social_worker):
    client.force_login(social_worker)
    assert client.get(reverse("indicators:forecast")).status_code == 403


def _workbook(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def test_jus_09_forecast_xlsx_opens_with_charts_and_safe_cells(client, cpip, spip_case):
    lutterbach, _, _ = spip_case
    lutterbach.name = '=HYPERLINK("http://x")'
    lutterbach.save()
    client.force_login(cpip)
    book = _workbook(client.get(reverse("indicators:forecast"), {"format": "xlsx"}))
    assert sum(len(sheet._charts) for sheet in book.worksheets) == 2
    cells = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://x")' in cells
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)


# -- the offer -------------------------------------------------------------------------------

YEAR = TODAY.year - 1


def at(month: int, day: int, year: int = YEAR) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=PARIS)


def change(
    capacity,
    *,
    places: int,
    when: dt.datetime,
    recorded: dt.datetime | None = None,
    reservation=None,
):
    return CapacityChange.objects.create(
        capacity=capacity,
        structure_id=capacity.structure_id,
        place_type=capacity.place_type,
        is_winter_only=False,
        reservation=reservation or capacity.reservation,
        places=places,
        places_before=0,
        occurred_at=when,
        recorded_at=recorded or when,
    )


@pytest.fixture
def offer_case(territory, siao_operator, structure_manager, cpip):
    """Last year: a CHRS with 10 insertion places reserved for people leaving detention from
    10 February, 12 from 15 June; 4 flying urgence places from 1 March; a person held one
    reserved place from 5 April. Now: everything changed since, and a change dated back
    into last year was entered today."""
    structure = StructureFactory(manager=structure_manager.organisation)
    reserved = PlaceCapacity.objects.create(
        structure=structure,
        place_type=PlaceType.INSERTION,
        places=10,
        reservation=PlaceReservation.DETENTION,
    )
    flying = PlaceCapacity.objects.create(
        structure=structure,
        place_type=PlaceType.EMERGENCY,
        places=4,
        reservation=PlaceReservation.FLYING,
    )
    CapacityChange.objects.all().delete()
    change(reserved, places=10, when=at(2, 10))
    change(reserved, places=12, when=at(6, 15))
    change(flying, places=4, when=at(3, 1))
    detention = make_detention(cpip=cpip, end_date=days(60), sentence=LONG)
    request = make_request(
        detention.person, channel=Channel.INSERTION, referrer=cpip, detention=detention
    )
    make_evaluation(request)
    request.evaluate(by=cpip)
    orientation = Orientation.attribute(request=request, capacity=reserved, by=siao_operator)
    OrientationEvent.objects.filter(orientation=orientation).update(
        occurred_at=at(4, 5), recorded_at=at(4, 5)
    )
    return reserved, flying


def test_jus_09_offer_report_counts_places_by_type_and_reservation(territory, offer_case):
    report = offer.build(territory, offer.Period(YEAR), now=timezone.now())
    assert report.cell(PlaceType.INSERTION, PlaceReservation.DETENTION).places == 12
    assert report.cell(PlaceType.EMERGENCY, PlaceReservation.FLYING).places == 4
    assert report.cell(None, None).places == 16
    by_month = {line.month.month: line for line in report.months}
    assert by_month[1].total.places == 0
    assert by_month[2].detention.places == 10 and by_month[2].flying.places == 0
    assert by_month[3].detention.held == 0 and by_month[4].detention.held == 1
    assert by_month[6].detention.places == 12 and by_month[12].total.vacant == 15
    assert report.average_held == round(9 / 12, 1)  # held from April to December


def test_jus_09_offer_of_a_past_period_is_recomputed_the_same(territory, offer_case):
    reserved, flying = offer_case
    before = offer.build(territory, offer.Period(YEAR), now=timezone.now())
    # Today: a change dated back into last year, and a change of this year.
    change(reserved, places=30, when=at(9, 1), recorded=timezone.now())
    change(flying, places=8, when=timezone.now() - dt.timedelta(hours=1))
    flying.declare_unavailable(by=None, count=2, note="Travaux")
    after = offer.build(territory, offer.Period(YEAR), now=timezone.now())
    assert [m.total.places for m in after.months] == [m.total.places for m in before.months]
    assert after.cell(None, None).places == before.cell(None, None).places == 16
    assert after.months[-1].total.unavailable == 0


def test_jus_09_offer_compares_with_the_year_before(territory, offer_case):
    reserved, _ = offer_case
    change(reserved, places=5, when=at(1, 5, YEAR - 1))  # two years ago: 5 reserved
    current = offer.build(territory, offer.Period(YEAR), now=timezone.now())
    previous = offer.build(territory, offer.Period(YEAR - 1), now=timezone.now())
    lines = {line.label: line for line in offer.compare(current, previous)}
    reserved_line = lines["Places à la fin de la période – réservées sortants de détention"]
    assert (reserved_line.current, reserved_line.previous, reserved_line.difference) == (12, 5, 7)
    total = lines["Places à la fin de la période – total"]
    assert (total.current, total.previous, total.difference) == (16, 5, 11)


def test_jus_09_offer_page_xlsx_and_print(client, siao_operator, offer_case):
    client.force_login(siao_operator)
    query = {"annee": YEAR, "periode": "annee"}
    html = client.get(reverse("indicators:offer"), query).content.decode()
    assert "Comparaison avec l&#x27;année précédente" in html or "Comparaison avec l'année" in html
    assert "Places volantes" in html or "Volantes" in html
    book = _workbook(client.get(reverse("indicators:offer"), {**query, "format": "xlsx"}))
    assert {"Offre en fin de période", "Comparaison", "Par mois"} <= set(book.sheetnames)
    assert sum(len(sheet._charts) for sheet in book.worksheets) == 2
    comparison = book["Comparaison"]
    assert [c.value for c in comparison[1]][:4] == [
        "Ligne",
        f"Année {YEAR}",
        f"Année {YEAR - 1}",
        "Écart",
    ]
    printed = client.get(reverse("indicators:offer_print"), query).content.decode()
    assert f"année {YEAR}" in printed and "Ctrl + P" in printed


def test_jus_09_offer_xlsx_cells_are_safe(client, siao_operator, offer_case, monkeypatch):
    monkeypatch.setitem(offer.SHORT_RESERVATION, PlaceReservation.FLYING, "=CMD()")
    client.force_login(siao_operator)
    response = client.get(reverse("indicators:offer"), {"annee": YEAR, "format": "xlsx"})
    book = _workbook(response)
    cells = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)
    assert any(isinstance(v, str) and v.startswith("'=CMD()") for v in cells)


# -- sent to the SIAO ------------------------------------------------------------------------


def test_jus_09_the_spip_sends_a_frozen_dated_copy_that_the_siao_reads(
    client, cpip, siao_operator, spip_case
):
    client.force_login(cpip)
    response = client.post(reverse("indicators:forecast_send"), {"debut": TODAY.isoformat()})
    snapshot = ForecastSnapshot.objects.get()
    assert response.url == reverse("indicators:forecast_sent", args=[snapshot.pk])
    assert (snapshot.spip, snapshot.first_day, snapshot.sent_by) == (
        cpip.organisation,
        TODAY,
        cpip,
    )
    total = snapshot.lines[-1]
    assert (total["label"], total["expected"], total["need"]) == ("Total", 10, 3)
    # Later releases change the forecast, never the copy sent.
    lutterbach = spip_case[0]
    make_detention(cpip=cpip, establishment=lutterbach, end_date=days(30), sentence=LONG)
    client.force_login(siao_operator)
    html = client.get(reverse("indicators:forecast_sent", args=[snapshot.pk])).text
    assert "CP Lutterbach" in html and "Copie figée" in html
    assert '<td class="relais-number">10</td>' in html
    assert "Prévision du" in client.get(reverse("indicators:forecast")).text


def test_jus_09_only_a_spip_sends_its_forecast(client, siao_operator):
    client.force_login(siao_operator)
    assert client.post(reverse("indicators:forecast_send")).status_code == 403
    assert not ForecastSnapshot.objects.exists()
