"""SEC-01: every page, fragment or export that shows a person writes a READ row naming them.

The walk goes through every URL of the project (the permission matrix's enumeration), as each
role and as the superuser, over a small territory where every kind of page has a person to
show: files of each service, a household with a child, an attribution waiting for the
structure, a person in stay, notifications, an access on request, a pair to review, a merge.
A person counts as shown when their (distinctive) birth name is in the response.
"""

import datetime as dt

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from relais.access.models import AccessGrant
from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.commission.models import Commission
from relais.iae.models import CpuSession, OutsideFollowUp, ResourcePerson
from relais.identity.models import PersonMerge, PersonPair
from relais.justice.models import JudicialArea
from relais.orientations.models import Orientation
from relais.persons.enums import Relationship
from relais.persons.models import HouseholdMember, Person
from relais.releases.models import FollowUpCheck
from relais.requests.enums import Channel
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    make_detention,
    make_evaluation,
    make_implantation,
    make_parcours,
    make_request,
    make_site,
)
from tests.permissions.test_permission_matrix import (
    MATRIX,
    PUBLIC,
    ROLE_FIXTURES,
    ROLES,
    _url_names,
)

pytestmark = pytest.mark.django_db

# Pages known to show persons: the walk must have found one on each (else it proves nothing).
MUST_SHOW = {
    "siao_operator": {
        "home",
        "requests:list",
        "requests:detail",
        "requests:edit",
        "requests:evaluation",
        "requests:evaluation_print",
        "requests:household_add",
        "identity:review_queue",
        "identity:pair",
        "identity:merge",
        "orientations:list",
        "orientations:detail",
        "orientations:suggestions",
        "places:structure",
        "places:hosted",
        "access:list",
        "privacy:export",
        "privacy:export_json",
        "privacy:rectifications",
        "privacy:notice",
        "persons:file",
        "justice:list",
        "justice:detail",
        "justice:edit",
        "releases:follow_up",
        "releases:pipeline",
        "releases:pipeline_export",
        "justice:letter",
        "commission:detail",
        "commission:minutes",
        "places:agreement",  # JUS-03: the persons placed under the agreement
    },
    "structure_manager": {
        "home",
        "requests:detail",
        "orientations:list",
        "orientations:detail",
        "notifications:list",
        "places:structure",
        "places:hosted",
        "persons:file",
    },
    "social_worker": {
        "requests:list",
        "requests:detail",
        "access:list",
        "access:create",
        "persons:file",
    },
    "emergency_line": {"requests:list", "requests:detail", "persons:file"},
    "cpip": {
        "home",
        "requests:detail",
        "access:create",
        "persons:file",
        "justice:list",
        "justice:detail",
        "justice:edit",
        "releases:pipeline",
        "releases:pipeline_export",
        "justice:letter",
        "iae:list",
        "iae:detail",
        "iae:booklet",
        "iae:booklet_print",
        "iae:synthesis",
        "iae:synthesis_print",
        "iae:handover",
        "iae:follow_up",
        "commission:detail",
        "commission:minutes",
        "places:agreement",  # JUS-03
        "places:agreement_placement",  # JUS-03: the requests a placement may be for
    },
    # Work insertion in prison (IAE-04): the SIAE within the person's consent, the prison.
    "siae_coach": {"home", "iae:list", "iae:detail", "iae:waiting_list", "iae:booklet"},
    "siae_supervisor": {"home", "iae:list", "iae:detail"},
    "prison_staff": {"home", "iae:list", "iae:detail", "iae:waiting_list"},
}
# AVDL Justice (JUS-11): the SIAO's measures and caseloads, the CPIP's view of the dates.
MUST_SHOW["siao_operator"] |= {"avdl:list", "avdl:detail", "avdl:caseload"}
MUST_SHOW["cpip"] |= {"avdl:list", "avdl:detail"}
# Exit plans (EXIT-01): the three partners of the person's exit; each prints the person's
# paper for release day (EXIT-03).
for _role in ("siao_operator", "cpip", "siae_coach"):
    MUST_SHOW[_role] |= {"exitplan:list", "exitplan:plan", "exitplan:paper"}


# Signing in and out shows no person, and walking them would end the verified session.
SIGN_IN_PAGES = {
    *PUBLIC,
    "password_change",
    "second_factor_verify",
    "second_factor_enrol",
}


def _person(name: str, **kw) -> Person:
    return PersonFactory(birth_name=name, usage_name="", **kw)


def _twin(name: str) -> Person:
    return _person(name, first_names="Sophie", sex="F", birth_year=1962, birth_month=7, birth_day=4)


@pytest.fixture
def world(
    siao_operator,
    social_worker,
    outsider,
    cpip,
    emergency_line_user,
    structure_manager,
    structure,
    prison,
    siae_coach,
    siae_supervisor,
    prison_staff,
):
    """One object of each kind, named so that a page showing a person can be told."""
    capacity = structure.capacities.get()
    oriented = make_request(_person("Abadie"), referrer=social_worker, channel=Channel.INSERTION)
    HouseholdMember.objects.create(
        household=oriented.household,
        person=_person("Bergeron", birth_year=2016, birth_month=None, birth_day=None),
        relationship=Relationship.CHILD,
    )
    make_evaluation(oriented)
    oriented.evaluate(by=social_worker)
    orientation = Orientation.attribute(request=oriented, capacity=capacity, by=siao_operator)
    hosted = make_request(_person("Castaing"), referrer=social_worker, channel=Channel.INSERTION)
    make_evaluation(hosted)
    hosted.evaluate(by=social_worker)
    stay = Orientation.attribute(request=hosted, capacity=capacity, by=siao_operator)
    stay.admit(by=structure_manager)
    stay.start_stay(by=structure_manager)
    emergency = make_request(
        _person("Delhomme"), referrer=emergency_line_user, channel=Channel.EMERGENCY
    )
    spip = make_request(_person("Espinasse"), referrer=cpip, channel=Channel.INSERTION)
    make_evaluation(spip)
    elsewhere = make_request(_person("Fabregas"), referrer=outsider, channel=Channel.INSERTION)
    granted = make_request(_person("Garrigues"), referrer=outsider, channel=Channel.INSERTION)
    grant = AccessGrant.grant(user=social_worker, request=granted, reason="Suivi commun au CCAS")
    make_request(_twin("Quintanar"), referrer=social_worker)
    make_request(_twin("Quintanal"), referrer=outsider)
    kept, merged = _twin("Villaret"), _twin("Villarey")
    make_request(kept, referrer=social_worker)
    make_request(merged, referrer=outsider)
    merge = PersonMerge.merge(kept=kept, merged=merged, by=siao_operator)
    detention = make_detention(_person("Hautbois"), cpip=cpip)
    JudicialArea.objects.create(
        detention=detention, kind="exclusion", level="commune", insee_code="68224"
    )
    released = make_detention(_person("Hourcade"), cpip=cpip)
    released.release(on=timezone.localdate(), by=cpip)
    follow_up = FollowUpCheck.objects.create(
        detention=released, months=1, due_on=timezone.localdate()
    )
    # In detention, due out in two months with no request yet: the release pipeline and the
    # CPIP's home show them (JUS-06, JUS-02).
    make_detention(
        _person("Hennequin"), cpip=cpip, end_date=timezone.localdate() + dt.timedelta(days=60)
    )
    # An implantation project (IAE-09) at the prison its SPIP works in: it shows no person.
    prison.spip = cpip.organisation
    prison.save()
    implantation = make_implantation(
        establishment=prison, siae=OrganisationFactory(siae=True, territory=prison.territory)
    )
    # A parcours at the SIAE of that prison, the person's consent recorded (IAE-04), and one
    # oriented on the waiting list.
    site = make_site(establishment=prison, siae=siae_coach.organisation)
    parcours = make_parcours(
        site=site,
        detention=make_detention(
            _person("Ibarra"),
            cpip=cpip,
            establishment=prison,
            end_date=timezone.localdate() + dt.timedelta(days=300),
        ),
        state="active",
    )
    make_parcours(
        site=site,
        detention=make_detention(
            _person("Jaureguy"),
            cpip=cpip,
            establishment=prison,
            end_date=timezone.localdate() + dt.timedelta(days=300),
        ),
        state="oriented",
    )
    OutsideFollowUp.plan(parcours, released_on=timezone.localdate() - dt.timedelta(days=100))
    cpu = CpuSession.objects.create(
        establishment=prison, held_on=timezone.localdate(), chaired_by="Direction", members="SPIP"
    )
    # JUS-10: a commission justice of the territory, its agenda built (a detainee with an open
    # request, the release followed), one decision.
    kerguelen = make_detention(
        _person("Kerguelen"), cpip=cpip, end_date=timezone.localdate() + dt.timedelta(days=200)
    )
    make_request(kerguelen.person, referrer=cpip, detention=kerguelen)
    commission = Commission.plan(
        territory=cpip.organisation.territory,
        held_on=timezone.localdate(),
        place="SPIP de Mulhouse",
        services=[cpip.organisation],
        by=siao_operator,
    )
    commission.build_agenda(by=siao_operator)
    commission_decision = commission.decide(
        commission.items.get(person=kerguelen.person),
        action="Appeler le CHRS",
        due_on=timezone.localdate(),
        owner_user=cpip,
        by=cpip,
    )
    # AVDL Justice (JUS-11): a measure of a person released and followed by the CPIP.
    from tests.avdl.cases import make_measure, make_worker

    avdl_detention = make_detention(_person("Lestrade"), cpip=cpip)
    avdl_detention.release(
        on=timezone.localdate() - dt.timedelta(days=10),
        by=cpip,
        measure_ends_on=timezone.localdate() + dt.timedelta(days=200),
    )
    avdl_measure = make_measure(
        make_worker(siao_operator.organisation),
        siao_operator=siao_operator,
        detention=avdl_detention,
    )
    # JUS-03: an agreement of the CPIP's SPIP, a person placed under it, one to place.
    from tests.places.agreements import make_agreement

    agreement = make_agreement(structure, cpip.organisation, places=2)
    for name in ("Kerbrat", "Lagarde"):
        placed = make_detention(_person(name), cpip=cpip)
        placed_request = make_request(
            placed.person, referrer=cpip, channel=Channel.INSERTION, detention=placed
        )
        if name == "Kerbrat":
            Orientation.place_outside(
                request=placed_request, capacity=agreement.capacities.get(), by=cpip
            )
    # EXIT-01: the exit plan of the person in the parcours, shared with the SIAE.
    from relais.exitplan.models import ExitPlan

    exit_plan = ExitPlan.open_for(parcours.detention, by=cpip)
    own = {
        "siao_operator": oriented,
        "social_worker": oriented,
        "structure_manager": oriented,
        "emergency_line": emergency,
        "cpip": spip,
    }
    return {
        "own": own,
        "elsewhere": elsewhere,
        "orientation": orientation,
        "structure": structure,
        "pair": PersonPair.objects.to_review().first(),
        "merge": merge,
        "grant": grant,
        "follow_up": follow_up,
        "account": social_worker,
        "detention": detention,
        "directory_entry": cpip.organisation,
        "implantation": implantation,
        "parcours": parcours,
        "cpu": cpu,
        "commission": commission,
        "commission_decision": commission_decision,
        "site": site,
        "avdl_measure": avdl_measure,
        "agreement": agreement,
        "exit_plan": exit_plan,
        "resource_person": ResourcePerson.objects.create(
            site=site, responsibility=site.responsibilities.first(), name="Nadia Roux"
        ),
    }


def _kwargs(name: str, role: str, world: dict) -> dict | None:
    """The URL's arguments: the role's own file, or the one object of the world it is about."""
    req = world["own"].get(role, world["own"]["siao_operator"])
    namespace, _, view = name.partition(":")
    if name == "access:create":
        return {"request_pk": world["elsewhere"].pk}
    if name == "releases:follow_up":
        return {"pk": world["follow_up"].pk}
    if namespace == "privacy":
        return {"person_pk": req.person_id}
    if namespace == "persons":
        return {"pk": req.person_id}
    if name in ("orientations:suggestions", "orientations:attribute", "orientations:reserve"):
        return {"request_pk": req.pk}
    if name in ("iae:resource_edit", "iae:resource_delete"):
        return {"pk": world["resource_person"].pk}
    if name.startswith("iae:site_") or name == "iae:resource_add":
        return {"pk": world["site"].pk}
    if name == "iae:prescribe":
        return {"detention_pk": world["parcours"].detention_id}
    if name == "iae:waiting_list":
        return {"pk": world["parcours"].site_id}
    if name == "iae:skill_add":
        return {"pk": world["parcours"].site_id}
    if name == "iae:follow_up":
        return {"pk": world["parcours"].pk, "months": 3}
    if name == "iae:cpu_detail":
        return {"pk": world["cpu"].pk}
    if name == "commission:decide":
        return {"pk": world["commission_decision"].item_id}
    if name == "commission:mark_done":
        return {"pk": world["commission_decision"].pk}
    if namespace == "commission":
        return {"pk": world["commission"].pk}
    if name == "avdl:caseload":
        return {"pk": world["avdl_measure"].worker_id}
    if name.startswith("avdl:"):
        return {"pk": world["avdl_measure"].pk}
    if name.startswith("places:agreement"):
        return {"pk": world["agreement"].pk}
    if name in ("exitplan:plan", "exitplan:open"):
        return {"detention_pk": world["exit_plan"].detention_id}
    if name == "exitplan:item":
        return {"pk": world["exit_plan"].items.first().pk}
    if namespace == "exitplan":
        return {"pk": world["exit_plan"].pk}
    if name == "accounts:organisation_referent":
        return {"pk": world["directory_entry"].pk}
    by_namespace = {
        "requests": req,
        "orientations": world["orientation"],
        "places": world["structure"],
        "access": world["grant"],
        "accounts": world["account"],
        "justice": world["detention"],
        "implantation": world["implantation"],
        "iae": world["parcours"],
    }
    if namespace == "identity":
        return {"pk": (world["merge"] if view.startswith("merge") else world["pair"]).pk}
    if namespace in by_namespace:
        return {"pk": by_namespace[namespace].pk}
    return None


def _url(name: str, role: str, world: dict) -> str | None:
    for kwargs in (None, _kwargs(name, role, world)):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None  # needs arguments nothing here stands for (password reset links)


def _walk(client, user, role: str, world: dict) -> tuple[dict[str, set[str]], list[str]]:
    """GET every URL (and the htmx POSTs of the matrix); (pages showing whom, missed reads)."""
    persons = {p.pk: p.birth_name.casefold() for p in Person.objects.all()}
    # A server error shows nobody; the permission matrix is where pages are checked to answer.
    client.raise_request_exception = False
    names = [*_url_names(), "admin:persons_person_changelist"]
    shown, missed = {}, []
    for name in names:
        url = _url(name, role, world)
        if url is None or name in SIGN_IN_PAGES:
            continue
        entry = MATRIX.get(name)
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        data = getattr(entry, "data", ())
        if getattr(entry, "method", "get") == "post" and data and not callable(data):
            response = client.post(url, dict(data), headers={"HX-Request": "true"})
        else:
            response = client.get(url)
        if not 200 <= response.status_code < 300:
            continue
        text = response.content.decode(errors="replace").casefold()
        on_page = {pk for pk, birth_name in persons.items() if birth_name in text}
        if not on_page:
            continue
        shown[name] = on_page
        logged = set(
            AuditEvent.objects.filter(
                id__gt=before, user=user, action__in=[Action.READ, Action.EXPORT]
            ).values_list("person_id", flat=True)
        )
        for pk in sorted(on_page - logged):
            missed.append(f"{name} ({url}) shows {persons[pk]!r} with no READ row")
    return shown, missed


@pytest.mark.parametrize("role", ROLES)
def test_sec_01_every_page_showing_a_person_logs_a_read_of_them(
    client, request, world, admin_user, role
):
    user = admin_user if role == "superuser" else request.getfixturevalue(ROLE_FIXTURES[role])
    client.force_login(user)
    shown, missed = _walk(client, user, role, world)
    assert not missed, "\n".join(missed)
    expected = MUST_SHOW.get(role, set())
    assert expected <= set(shown), f"no person found on {sorted(expected - set(shown))}"
    if role in ("state_service", "territory_admin"):
        assert not shown, f"{role} sees no person, yet {sorted(shown)} showed one"


def test_sec_01_a_read_under_an_access_on_request_keeps_its_reason(client, social_worker, world):
    granted = world["grant"].request
    client.force_login(social_worker)
    assert client.get(reverse("requests:detail", args=[granted.pk])).status_code == 200
    row = AuditEvent.objects.get(action=Action.READ, person_id=granted.person_id)
    assert row.reason == "Suivi commun au CCAS"
    assert row.detail == {"page": "requests:detail", "access_grant": world["grant"].pk}
    assert (row.object_type, row.object_id) == ("request", str(granted.pk))


def test_sec_01_one_row_per_person_shown_and_none_for_a_redirect(client, social_worker, world):
    req = world["own"]["social_worker"]
    client.force_login(social_worker)
    client.get(reverse("requests:detail", args=[req.pk]))
    rows = AuditEvent.objects.filter(action=Action.READ)
    household = set(req.household.members.values_list("person_id", flat=True))
    assert sorted(rows.values_list("person_id", flat=True)) == sorted(household)
    assert rows.get(person_id=req.person_id).object_type == "request"
    last = AuditEvent.objects.order_by("-id").first().pk
    # A form posted and redirected shows nobody: its write is logged, no read.
    client.post(reverse("requests:evaluate", args=[req.pk]))
    assert not AuditEvent.objects.filter(id__gt=last, action=Action.READ).exists()


def test_sec_01_an_anonymous_or_refused_request_logs_no_read(client, outsider, world):
    req = world["own"]["social_worker"]
    client.get(reverse("requests:detail", args=[req.pk]))
    client.force_login(outsider)
    assert client.get(reverse("requests:detail", args=[req.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.READ).exists()


def test_sec_01_the_superuser_reads_are_logged_too(admin_client, world):
    person = world["own"]["siao_operator"].person
    url = reverse("admin:persons_person_change", args=[person.pk])
    assert admin_client.get(url).status_code == 200
    assert AuditEvent.objects.filter(action=Action.READ, person_id=person.pk).exists()


def test_sec_01_the_walk_fails_when_reads_are_not_collected(client, siao_operator, world, settings):
    """The walk's own check: without the middleware, it finds the missed reads."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("ReadsMiddleware")]
    client.force_login(siao_operator)
    _, missed = _walk(client, siao_operator, "siao_operator", world)
    assert any(line.startswith("requests:detail ") for line in missed)
    assert any(line.startswith("places:hosted ") for line in missed)
