"""`manage.py load_demo`: a realistic Haut-Rhin, one account per role, same data every time."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from relais.accounts.enums import OrganisationKind, OrganisationSubtype, Role
from relais.accounts.models import Organisation, Territory, User
from relais.demo import data
from relais.demo.identifiers import luhn_complete, luhn_is_valid
from relais.persons.enums import Relationship
from relais.persons.models import Household, HouseholdMember, Person
from relais.places.models import PlaceCapacity, Structure
from relais.requests.enums import Channel, RequestReason, RequestStatus
from relais.requests.models import Request, RequestEvent, SocialEvaluation

pytestmark = pytest.mark.django_db

EXPECTED_ACCOUNTS = {
    "operateur.siao": (Role.SIAO_OPERATOR, OrganisationKind.SIAO),
    "ecoutant.115": (Role.EMERGENCY_LINE, OrganisationKind.EMERGENCY_LINE),
    "travailleur.social": (Role.SOCIAL_WORKER, OrganisationKind.SOCIAL_SERVICE),
    "gestionnaire.structure": (Role.STRUCTURE_MANAGER, OrganisationKind.STRUCTURE_MANAGER),
    "cpip": (Role.CPIP, OrganisationKind.SPIP),
    "cip.siae": (Role.SIAE_COACH, OrganisationKind.SIAE),
    "etat.ddets": (Role.STATE_SERVICE, OrganisationKind.STATE_SERVICE),
    "admin.territoire": (Role.TERRITORY_ADMIN, OrganisationKind.SIAO),
    "encadrant.siae": (Role.SIAE_SUPERVISOR, OrganisationKind.SIAE),
    "greffe.lutterbach": (Role.PRISON_STAFF, OrganisationKind.PRISON),
}


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "persons": list(Person.objects.order_by("pk").values_list("birth_name", "first_names")),
        "requests": list(
            Request.objects.order_by("pk").values_list(
                "person__birth_name",
                "channel",
                "status",
                "host_structure__name",
                "referrer__username",
            )
        ),
        "counts": {
            model.__name__: model.objects.count()
            for model in [
                Territory,
                Organisation,
                User,
                Structure,
                PlaceCapacity,
                Person,
                Household,
                HouseholdMember,
                Request,
                RequestEvent,
                SocialEvaluation,
            ]
        },
    }


def test_load_demo_builds_a_realistic_territory():
    output = load_demo()

    territory = Territory.objects.get()
    assert (territory.insee_code, territory.name) == ("68", "Haut-Rhin")

    structures = Structure.objects.all()
    assert structures.count() >= 20
    assert structures.values("structure_type").distinct().count() >= 10
    assert structures.filter(has_chrs_status=True).exists()
    for structure in structures:
        assert structure.commune_insee_code.startswith("68")
        assert structure.postcode.startswith("68")
        assert len(structure.siret) == 14 and luhn_is_valid(structure.siret)
        assert structure.finess == "" or (
            len(structure.finess) == 9 and structure.finess.startswith("68")
        )
        assert structure.email
    capacities = PlaceCapacity.objects.all()
    assert capacities.aggregate(n=Sum("places"))["n"] >= 300
    assert capacities.filter(is_winter_only=True).exists()
    assert capacities.filter(is_scattered=True).exists()
    assert capacities.filter(is_dormitory=True).exists()

    organisations = Organisation.objects.all()
    assert organisations.filter(kind=OrganisationKind.SPIP).count() == 1
    assert organisations.filter(kind=OrganisationKind.PRISON).count() == 2
    assert organisations.filter(
        kind=OrganisationKind.SIAE, subtype=OrganisationSubtype.ACI
    ).exists()
    assert organisations.filter(
        kind=OrganisationKind.STATE_SERVICE, subtype=OrganisationSubtype.DDETS
    ).exists()
    assert organisations.filter(kind=OrganisationKind.STRUCTURE_MANAGER).count() >= 4
    assert organisations.filter(kind=OrganisationKind.SOCIAL_SERVICE).count() >= 5

    assert Person.objects.count() >= 200
    requests = Request.objects.all()
    pairs = set(requests.values_list("channel", "status"))
    assert pairs == {(c, s) for c in Channel.values for s in RequestStatus.values}
    assert requests.filter(is_direct_admission=True).exists()
    spip_releases = requests.filter(
        referrer_organisation__kind=OrganisationKind.SPIP,
        referrer__username="cpip",
        evaluation__reasons__reason=RequestReason.PRISON_RELEASE,
    )
    assert spip_releases.count() >= 3
    assert requests.filter(referrer__username="travailleur.social").count() >= 10
    assert requests.filter(
        status=RequestStatus.ADMITTED,
        host_structure__manager__members__username="gestionnaire.structure",
    ).exists()

    assert "Comptes de démonstration" in output
    for username in [*EXPECTED_ACCOUNTS, "personnel.penitentiaire", "avdl.justice", "admin"]:
        assert username in output


def test_households_have_one_request_per_member_and_realistic_people():
    load_demo()

    relationships = set(HouseholdMember.objects.values_list("relationship", flat=True))
    assert {Relationship.PRINCIPAL, Relationship.SPOUSE, Relationship.CHILD} <= relationships
    assert HouseholdMember.objects.filter(relationship=Relationship.CHILD).exclude(
        child_situation=""
    ).count() == (HouseholdMember.objects.filter(relationship=Relationship.CHILD).count())
    for household in Household.objects.prefetch_related("members", "requests"):
        members = {m.person_id for m in household.members.all()}
        assert household.principal_id in members
        assert {r.person_id for r in household.requests.all()} == members
        assert len({(r.channel, r.status) for r in household.requests.all()}) == 1

    persons = Person.objects.all()
    assert persons.filter(birth_month__isnull=True, birth_year__isnull=False).exists()
    assert persons.filter(birth_day__isnull=True, birth_month__isnull=False).exists()
    assert persons.filter(nationality_group="non_eu").exclude(residence_permit_type="").exists()
    assert persons.exclude(nationality="française").count() >= 40
    for person in persons:
        person.full_clean()


def test_timelines_are_past_and_consistent_with_the_status():
    load_demo()
    now = timezone.now()

    assert not RequestEvent.objects.filter(occurred_at__gt=now).exists()
    assert not RequestEvent.objects.filter(recorded_at__lt=now - dt.timedelta(days=200)).exists()
    oldest = RequestEvent.objects.order_by("occurred_at").first().occurred_at
    assert (now - oldest).days >= 120  # activity spread over months, not all "now"
    for request in Request.objects.prefetch_related("events"):
        events = list(request.events.all())
        assert events[0].kind == "created" and events[0].to_state == RequestStatus.NEW
        assert request.status_at(now) == request.status
        if request.closed_at:
            assert events[-1].kind == "closed" and events[-1].occurred_at == request.closed_at
        if request.ended_at:
            assert request.admitted_at < request.ended_at

    # Winter-only structures (November to March) host no one in summer.
    for request in Request.objects.filter(admitted_at__isnull=False):
        if request.host_structure and not request.host_structure.capacities.filter(
            is_winter_only=False
        ):
            assert timezone.localdate(request.admitted_at).month in (11, 12, 1, 2, 3)

    beyond_new = [
        RequestStatus.EVALUATED,
        RequestStatus.WAITING,
        RequestStatus.ORIENTED,
        RequestStatus.ADMITTED,
        RequestStatus.ENDED,
    ]
    evaluated = Request.objects.exclude(channel=Channel.EMERGENCY).filter(status__in=beyond_new)
    assert evaluated.exists()
    for request in evaluated.select_related("evaluation"):
        assert request.evaluation.is_complete, request.evaluation.missing_blocks()


def test_every_role_has_a_demo_account_that_logs_in():
    load_demo()

    roles = set()
    for username, (role, kind) in EXPECTED_ACCOUNTS.items():
        user = authenticate(username=username, password=data.PASSWORD)
        assert user is not None, username
        assert (user.role, user.organisation.kind) == (role, kind)
        assert user.first_name and user.last_name
        user.clean()  # role allowed in that kind of organisation
        roles.add(user.role)
    assert roles == set(Role.values)
    assert authenticate(username="ecoutant.115", password=data.PASSWORD).organisation.kind == (
        OrganisationKind.EMERGENCY_LINE
    )
    admin = authenticate(username="admin", password=data.PASSWORD)
    assert admin is not None and admin.is_superuser and admin.is_staff


def test_load_demo_twice_gives_the_same_data():
    load_demo()
    first = snapshot()
    load_demo()
    second = snapshot()

    assert first["persons"] == second["persons"]
    assert first == second
    assert Territory.objects.count() == 1


def test_load_demo_refuses_a_database_with_other_territories():
    Territory.objects.create(name="Bas-Rhin", insee_code="67")

    with pytest.raises(CommandError, match="Bas-Rhin"):
        load_demo()
    assert Territory.objects.get().insee_code == "67"


def test_identifiers_carry_a_luhn_key():
    assert luhn_is_valid("79927398713")  # the textbook example
    assert not luhn_is_valid("79927398714")
    assert luhn_complete("7992739871") == "79927398713"
