"""SEC-04, as a property: every form a user can send, filled with arbitrary strings, answers
without a 500 and, when it is refused, shows again every text that was typed.

FORMS lists each URL that takes typed input by POST, with who sends it and the page that
shows the form; NO_TYPED_INPUT lists every other URL of the project and why. A URL added to
the project without a line in one of them fails `test_sec_04_every_url_is_classified`.
"""

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relais.commission.models import Commission
from relais.core.inputs import strip_control_characters
from relais.iae.models import OutsideFollowUp, ResourcePerson
from relais.justice.models import SentenceAdjustment
from relais.orientations.models import Orientation
from relais.releases.models import FollowUpCheck
from tests.core.forms_on_page import fields_of
from tests.factories import (
    StructureFactory,
    make_detention,
    make_evaluation,
    make_implantation,
    make_parcours,
    make_request,
    make_site,
    orient,
)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Form:
    user: str  # a fixture of tests/conftest.py
    page: Callable  # world -> the URL of the page showing the form
    action: Callable | None = None  # world -> the URL posted to (default: the page)
    redisplays: bool = True  # False for secrets (passwords, codes), never shown again


def _url(name, *args):
    return lambda world: reverse(name, args=[arg(world) for arg in args])


def _req(world):
    return world["request"].pk


def _orientation(world):
    return world["orientation"].pk


def _in_stay(world):
    return world["in_stay"].pk


def _structure(world):
    return world["structure"].pk


def _detention(world):
    return world["detention"].pk


def _implantation(world):
    return world["implantation"].pk


def _followed(world):
    return world["parcours"]["followed"].pk


def _agreement(world):
    return world["agreement"].pk


def _capacity(world):
    return world["structure"].capacities.order_by("pk").first().pk


def _site(world):
    return world["site"].pk


def _commission(world):
    return world["commission"]["current"].pk


def _parcours(state: str):
    return lambda world: world["parcours"][state].pk


def _on_parcours(user: str, state: str, name: str) -> Form:
    return Form(user, _url("iae:detail", _parcours(state)), _url(name, _parcours(state)))


FORMS: dict[str, Form] = {
    # Work insertion in prison (IAE-01, 02, 04): each step by its actor, on the parcours page.
    "iae:prescribe": Form("cpip", _url("iae:prescribe", lambda w: w["detainee"].pk)),
    "iae:cpu_create": Form("prison_staff", _url("iae:cpu_create")),
    # The sites (IAE-03, IAE-07): their partners keep the charter.
    "iae:site_create": Form("prison_staff", _url("iae:site_create")),
    "iae:site_edit": Form("prison_staff", _url("iae:site_edit", _site)),
    "iae:site_matrix": Form("prison_staff", _url("iae:site_matrix", _site)),
    "iae:resource_add": Form("prison_staff", _url("iae:resource_add", _site)),
    "iae:resource_edit": Form(
        "prison_staff", _url("iae:resource_edit", lambda w: w["resource_person"].pk)
    ),
    "iae:cpu_decision": _on_parcours("prison_staff", "prescribed", "iae:cpu_decision"),
    "iae:close": _on_parcours("prison_staff", "prescribed", "iae:close"),
    "iae:agreement": _on_parcours("cpip", "prescribed", "iae:agreement"),
    "iae:consent": _on_parcours("cpip", "unconsented", "iae:consent"),
    "iae:interview": _on_parcours("siae_coach", "oriented", "iae:interview"),
    "iae:immersion": _on_parcours("siae_coach", "oriented", "iae:immersion"),
    "iae:assign": _on_parcours("prison_staff", "retained", "iae:assign"),
    "iae:end": _on_parcours("prison_staff", "active", "iae:end"),
    "iae:consent_withdraw": _on_parcours("cpip", "active", "iae:consent_withdraw"),
    "iae:log_add": _on_parcours("cpip", "active", "iae:log_add"),
    "iae:hours": _on_parcours("siae_coach", "active", "iae:hours"),
    "iae:action_add": _on_parcours("siae_coach", "active", "iae:action_add"),
    "requests:create": Form("social_worker", _url("requests:create")),
    "requests:create_emergency": Form("emergency_line_user", _url("requests:create_emergency")),
    "requests:edit": Form("social_worker", _url("requests:edit", _req)),
    "requests:evaluation": Form("social_worker", _url("requests:evaluation", _req)),
    "requests:household_add": Form("social_worker", _url("requests:household_add", _req)),
    "requests:close": Form("social_worker", _url("requests:close", _req)),
    "places:direct_admission": Form("structure_manager", _url("places:direct_admission")),
    "places:create": Form("siao_operator", _url("places:create")),
    # JUS-03: the SIAO records an agreement; the SPIP places a person on its places.
    "places:agreement_create": Form("siao_operator", _url("places:agreement_create")),
    "places:agreement_edit": Form("siao_operator", _url("places:agreement_edit", _agreement)),
    "places:agreement_placement": Form("cpip", _url("places:agreement_placement", _agreement)),
    "places:edit": Form("siao_operator", _url("places:edit", _structure)),
    "places:declare_availability": Form(
        "structure_manager",
        _url("places:structure", _structure),
        _url("places:declare_availability", _structure, _capacity),
    ),
    "orientations:attribute": Form(
        "siao_operator",
        _url("orientations:suggestions", lambda w: w["orientable"].pk),
        _url("orientations:attribute", lambda w: w["orientable"].pk),
    ),
    "orientations:reserve": Form(
        "siao_operator",
        lambda w: (
            reverse("orientations:reserve", args=[w["reservable"].pk]) + f"?capacity={_capacity(w)}"
        ),
        _url("orientations:reserve", lambda w: w["reservable"].pk),
    ),
    "orientations:change_window": Form(
        "siao_operator",
        _url("orientations:detail", lambda w: w["reservation"].pk),
        _url("orientations:change_window", lambda w: w["reservation"].pk),
    ),
    "orientations:refuse": Form(
        "structure_manager",
        _url("orientations:detail", _orientation),
        _url("orientations:refuse", _orientation),
    ),
    "orientations:cancel": Form(
        "siao_operator",
        _url("orientations:detail", _orientation),
        _url("orientations:cancel", _orientation),
    ),
    "orientations:end_stay": Form(
        "structure_manager",
        _url("orientations:detail", _in_stay),
        _url("orientations:end_stay", _in_stay),
    ),
    "access:create": Form("outsider", _url("access:create", _req)),
    "accounts:create": Form("territory_admin", _url("accounts:create")),
    "apitokens:create": Form("territory_admin", _url("apitokens:create")),
    "accounts:edit": Form("territory_admin", _url("accounts:edit", lambda w: w["account"].pk)),
    "releases:follow_up": Form(
        "siao_operator", _url("releases:follow_up", lambda w: w["follow_up"].pk)
    ),
    "accounts:territory": Form("territory_admin", _url("accounts:territory")),
    "accounts:organisation_referent": Form(
        "territory_admin", _url("accounts:organisation_referent", lambda w: w["spip"].pk)
    ),
    "password_change": Form("social_worker", _url("password_change"), redisplays=False),
    # The detention context (JUS-01): the CPIP following the person.
    "justice:create": Form("cpip", _url("justice:create")),
    "justice:edit": Form("cpip", _url("justice:edit", _detention)),
    "justice:import": Form("cpip", _url("justice:import")),
    **{
        name: Form("cpip", _url("justice:detail", _detention), _url(name, _detention))
        for name in (
            "justice:move_end_date",
            "justice:release",
            "justice:adjustment_create",
            "justice:area_add",
        )
    },
    "justice:adjustment_step": Form(
        "cpip",
        _url("justice:detail", _detention),
        _url("justice:adjustment_step", lambda w: w["adjustment"].pk),
    ),
    # The implantation of an SIAE (IAE-09): the prison's staff runs the project.
    "implantation:create": Form("prison_staff", _url("implantation:create")),
    "implantation:edit": Form("prison_staff", _url("implantation:edit", _implantation)),
    "implantation:step": Form(
        "prison_staff",
        _url("implantation:detail", _implantation),
        _url("implantation:step", lambda w: w["implantation"].steps.get(number=1).pk),
    ),
    "implantation:record": Form(
        "prison_staff",
        _url("implantation:detail", _implantation),
        _url("implantation:record", _implantation),
    ),
    # The skills booklet and the exit (IAE-05, IAE-06): the SIAE within consent, the SPIP.
    "iae:assessment_create": Form(
        "siae_coach",
        _url("iae:booklet", _followed),
        _url("iae:assessment_create", _followed),
    ),
    "iae:skill_add": Form(
        "siae_coach", _url("iae:skill_add", lambda w: w["parcours"]["followed"].site_id)
    ),
    "iae:synthesis": Form("siae_coach", _url("iae:synthesis", _followed)),
    "iae:handover": Form("cpip", _url("iae:handover", _followed)),
    "iae:follow_up": Form("siae_coach", _url("iae:follow_up", _followed, lambda w: 3)),
    # The commission justice (JUS-10): its page carries attendance, decisions, actions done.
    "commission:create": Form("siao_operator", _url("commission:create")),
    "commission:attendance": Form(
        "siao_operator",
        _url("commission:detail", _commission),
        _url("commission:attendance", _commission),
    ),
    "commission:decide": Form(
        "siao_operator",
        _url("commission:detail", _commission),
        _url("commission:decide", lambda w: w["commission"]["item"].pk),
    ),
    "commission:mark_done": Form(
        "siao_operator",
        _url("commission:detail", lambda w: w["commission"]["next"].pk),
        _url("commission:mark_done", lambda w: w["commission"]["decision"].pk),
    ),
}

NO_TYPED_INPUT = {
    # Read-only pages, or GET filters (parsed by ListParams / GET forms, see test_bad_input).
    "home": "page",
    "requests:list": "GET filters",
    "requests:detail": "page",
    "requests:evaluation_print": "page",
    "persons:file": "page",
    "places:list": "page",
    "places:agreements": "page",
    "places:agreement": "page (its placements are places:agreement_placement)",
    "places:agreement_document": "download",
    "places:structure": "page (its forms are places:declare_availability)",
    "places:vacancies": "GET filters",
    "places:hosted": "page",
    "orientations:list": "GET filters",
    "orientations:detail": "page (its forms are refuse, cancel, end_stay…)",
    "orientations:suggestions": "GET filters (its forms are orientations:attribute)",
    "notifications:list": "page",
    "access:list": "page",
    "access:search": "GET form",
    "accounts:list": "page",
    "justice:directory": "page",
    "justice:letter": "page (printed)",
    "audit:search": "GET form",
    "identity:review_queue": "page",
    "identity:pair": "page",
    "identity:merge": "page",
    "identity:entry_candidates": "htmx fragment of the intake forms, read-only",
    "indicators:dashboard": "GET parameters",
    "indicators:drilldown": "GET parameters",
    "indicators:export": "GET parameters",
    "indicators:transmission": "GET parameters",
    "indicators:report": "GET parameters",
    "indicators:quality": "GET parameters",
    "privacy:export": "page",
    "releases:pipeline": "GET filters (parsed by ListParams)",
    "releases:pipeline_export": "download, the same GET filters",
    "privacy:export_json": "download",
    "privacy:rectifications": "page",
    "privacy:notice": "page",
    # A button, no field to type in.
    "requests:evaluate": "button",
    "orientations:admit": "button",
    "orientations:start_stay": "button (owned by the arrival form's own tests)",
    "orientations:confirm": "button",
    "accounts:toggle": "button",
    "apitokens:list": "page",
    "apitokens:revoke": "button",
    "access:revoke": "button",
    "identity:pair_decide": "buttons and a choice between two records",
    "identity:merge_undo": "button",
    "logout": "button",
    # Authentication: typed secrets are never shown again, and fuzzing would lock accounts.
    "login": "authentication (django-axes lockout)",
    "second_factor_verify": "a one-time code",
    "second_factor_enrol": "a one-time code",
    "password_reset_confirm": "a secret link",
    "password_reset_complete": "page",
    "justice:list": "GET filters",
    "iae:list": "GET filters",
    "iae:detail": "page (its forms are the steps, agreement, consent, log, hours, trainings)",
    "iae:waiting_list": "page",
    "iae:cpu_list": "page",
    "iae:cpu_detail": "page",
    "iae:site_list": "page",
    "iae:site_detail": "page (its forms are iae:site_edit, site_matrix, resource_add…)",
    "iae:site_print": "page (printed)",
    "iae:resource_delete": "button",
    "justice:detail": "page (its forms are move_end_date, release, adjustments, areas)",
    "justice:area_delete": "button",
    "implantation:list": "page",
    "implantation:detail": "page (its forms are implantation:step and implantation:record)",
    "implantation:print": "page (printed)",
    "iae:booklet": "page (its form is iae:assessment_create)",
    "iae:booklet_print": "page (printed)",
    "iae:synthesis_print": "page (printed)",
    "iae:synthesis_send": "button",
    "iae:indicators": "GET parameters (parsed by ListParams)",
    "iae:indicators_export": "download, the same GET parameters",
    "iae:steering_report": "page (printed), GET parameters",
    # -- JUS-09 (forecasts) --
    "indicators:forecast": "GET parameters (parsed by ListParams), and its downloads",
    "indicators:forecast_print": "page (printed), GET parameters",
    "indicators:offer": "GET parameters (parsed by ListParams), and its downloads",
    "indicators:offer_print": "page (printed), GET parameters",
    "commission:list": "page",
    "commission:detail": "page (its forms are attendance, decide, mark_done)",
    "commission:minutes": "page (printed)",
    "commission:build_agenda": "button",
    "commission:hold": "button",
    "commission:close": "button",
    "indicators:forecast_send": "button (the forecast's first day, hidden)",
    "indicators:forecast_sent": "page (printed)",
    # OPS-02: a file, not typed text (its bad files: tests/imports/test_flow.py).
    "imports:requests": "file upload",
    "imports:structures": "file upload",
    "imports:requests_template": "download",
    "imports:structures_template": "download",
    "imports:job": "page (its form is imports:job_run)",
    "imports:job_progress": "htmx fragment, read-only but for the dry run's progress",
    "imports:job_run": "button",
}


# -- AVDL Justice measures (JUS-11) -----------------------------------------------------------
FORMS.update(
    {
        "avdl:assign": Form("siao_operator", _url("avdl:assign")),
        "avdl:renew": Form(
            "siao_operator",
            _url("avdl:detail", lambda w: w["avdl_measure"].pk),
            _url("avdl:renew", lambda w: w["avdl_measure"].pk),
        ),
        "avdl:close": Form(
            "siao_operator",
            _url("avdl:detail", lambda w: w["avdl_measure"].pk),
            _url("avdl:close", lambda w: w["avdl_measure"].pk),
        ),
    }
)
NO_TYPED_INPUT.update(
    {
        "avdl:list": "GET filters",
        "avdl:detail": "page (its forms are avdl:renew and avdl:close)",
        "avdl:workers": "page (its buttons are avdl:designate)",
        "avdl:designate": "button",
        "avdl:caseload": "page",
        "avdl:mine": "page",
    }
)


# -- exit plans (EXIT-01) ---------------------------------------------------------------------
def _plan_page(key):
    return lambda world: reverse("exitplan:plan", kwargs={"detention_pk": world[key].detention_id})


FORMS.update(
    {
        "exitplan:item": Form(
            "cpip",
            _plan_page("exit_plan"),
            _url("exitplan:item", lambda w: w["exit_plan"].items.get(kind="rdv_ccas").pk),
        ),
        "exitplan:first_night": Form(
            "siao_operator",
            _plan_page("exit_plan"),
            _url("exitplan:first_night", lambda w: w["exit_plan"].pk),
        ),
        "exitplan:add_item": Form(
            "cpip",
            _plan_page("exit_plan"),
            _url("exitplan:add_item", lambda w: w["exit_plan"].pk),
        ),
        "exitplan:close": Form(
            "siao_operator",
            _plan_page("released_plan"),
            _url("exitplan:close", lambda w: w["released_plan"].pk),
        ),
    }
)
NO_TYPED_INPUT.update(
    {
        "exitplan:list": "GET filters",
        "exitplan:plan": "page (its forms are exitplan:item, first_night, add_item, close)",
        "exitplan:open": "button",
        "exitplan:reopen": "button",
        "exitplan:paper": "page (printed)",
    }
)


def _exit_plan_world(cpip, released) -> dict:
    from relais.exitplan.models import ExitPlan

    return {
        "exit_plan": ExitPlan.open_for(make_detention(cpip=cpip), by=cpip),
        "released_plan": ExitPlan.open_for(released, by=released.cpip),
    }


def _avdl_world(siao_operator) -> dict:
    from tests.avdl.cases import make_measure, make_worker, released

    worker = make_worker(siao_operator.organisation)
    released(siao_operator.organisation.territory)  # someone to assign
    return {"avdl_measure": make_measure(worker, siao_operator=siao_operator)}


def _url_names(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in ("admin", "api"):
                continue  # the API takes JSON, fuzzed from its schema (tests/api/test_fuzz.py)
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_sec_04_every_url_is_classified():
    names = set(_url_names())
    unclassified = names - FORMS.keys() - NO_TYPED_INPUT.keys()
    assert not unclassified, f"Add to FORMS or NO_TYPED_INPUT: {sorted(unclassified)}"
    assert not (FORMS.keys() | NO_TYPED_INPUT.keys()) - names


@pytest.fixture
def world(
    social_worker,
    siao_operator,
    structure_manager,
    structure,
    territory_admin,
    cpip,
    prison,
    siae_coach,
    prison_staff,
):
    req = make_request(referrer=social_worker)
    make_evaluation(req)
    proposed = make_request(referrer=siao_operator)
    make_evaluation(proposed)
    proposed.evaluate(by=siao_operator)
    orientation = orient(proposed, by=siao_operator, structure=structure)
    hosted = make_request(referrer=siao_operator)
    make_evaluation(hosted)
    hosted.evaluate(by=siao_operator)
    in_stay = orient(
        hosted, by=siao_operator, structure=StructureFactory(manager=structure_manager.organisation)
    )
    in_stay.admit(by=structure_manager)
    in_stay.start_stay(by=structure_manager)
    orientable = make_request(referrer=siao_operator)
    make_evaluation(orientable)
    orientable.evaluate(by=siao_operator)
    reservable, reserved = (_detained_request(siao_operator, structure.territory) for _ in range(2))
    start, end = Orientation.default_window(reserved.detention)
    reservation = Orientation.reserve(
        request=reserved,
        capacity=structure.capacities.order_by("pk").first(),
        by=siao_operator,
        starts_on=start,
        ends_on=end,
    )
    released = make_detention(territory=siao_operator.organisation.territory)
    released.release(on=timezone.localdate(), by=released.cpip)
    follow_up = FollowUpCheck.objects.create(
        detention=released, months=1, due_on=timezone.localdate()
    )
    from tests.places.agreements import make_agreement

    agreement = make_agreement(structure, cpip.organisation, places=2)
    return {
        "agreement": agreement,
        "reservable": reservable,
        "reservation": reservation,
        "request": req,
        "follow_up": follow_up,
        "orientation": orientation,
        "in_stay": in_stay,
        "orientable": orientable,
        "structure": structure,
        "account": social_worker,
        "detention": (detention := make_detention(cpip=cpip)),
        "adjustment": SentenceAdjustment.plan(detention, kind="lc", by=cpip),
        "spip": cpip.organisation,
        "implantation": make_implantation(establishment=prison),
        **_iae_world(prison, cpip, siae_coach),
        "commission": _commission_world(siao_operator, cpip),
        **_avdl_world(siao_operator),
        **_exit_plan_world(cpip, released),
    }


def _commission_world(siao_operator, cpip) -> dict:
    """JUS-10: a commission with a case on its agenda; a validated one whose action carries to
    the next."""
    today = timezone.localdate()
    territory = siao_operator.organisation.territory
    detention = make_detention(cpip=cpip, end_date=today + dt.timedelta(days=200))
    make_request(detention.person, referrer=cpip, detention=detention)

    def plan(held_on):
        return Commission.plan(
            territory=territory,
            held_on=held_on,
            place="SPIP",
            services=[cpip.organisation],
            by=siao_operator,
        )

    past = plan(today - dt.timedelta(days=30))
    past.build_agenda(by=siao_operator)
    decision = past.decide(
        past.items.get(person=detention.person),
        action="Appeler le CHRS",
        due_on=today,
        owner_user=cpip,
        by=cpip,
    )
    current = plan(today)
    current.build_agenda(by=siao_operator)
    return {
        "current": current,
        "item": current.items.get(person=detention.person),
        "decision": decision,
        "next": current,
    }


def _iae_world(prison, cpip, siae_coach) -> dict:
    """A site at `prison` (its SPIP: the CPIP's) with a parcours at each step."""
    prison.spip = cpip.organisation
    prison.save()
    site = make_site(establishment=prison, siae=siae_coach.organisation)

    def detained(**values):
        return make_detention(
            cpip=cpip,
            establishment=prison,
            end_date=timezone.localdate() + dt.timedelta(days=300),
            **values,
        )

    parcours = {
        state: make_parcours(site=site, detention=detained(), state=state)
        for state in ("oriented", "retained", "active")
    }
    # On remand: the joint agreement is asked (IAE-01).
    parcours["prescribed"] = make_parcours(
        site=site, detention=detained(legal_status="remand"), state="prescribed"
    )
    parcours["unconsented"] = make_parcours(
        site=site, detention=detained(), state="prescribed", consent=False
    )
    # Active, its outside follow-ups planned (IAE-05, IAE-06).
    parcours["followed"] = make_parcours(site=site, detention=detained(), state="active")
    OutsideFollowUp.plan(
        parcours["followed"], released_on=timezone.localdate() - dt.timedelta(days=100)
    )
    resource_person = ResourcePerson.objects.create(
        site=site, responsibility=site.responsibilities.first(), name="Nadia Roux"
    )
    return {
        "parcours": parcours,
        "detainee": detained(),
        "site": site,
        "resource_person": resource_person,
    }


def _detained_request(siao_operator, territory):
    """An evaluated request for a person in detention (JUS-06 reservations)."""
    detention = make_detention(territory=territory, sentence=(8, 0, 0))
    req = make_request(detention.person, referrer=siao_operator, detention=detention)
    make_evaluation(req)
    req.evaluate(by=siao_operator)
    return req


# Printable text, with what breaks things: quotes, markup, accents, line breaks, controls.
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from(["<", ">", "&", '"', "'", "\x00", "\n", "é", "€", "%"]),
    ),
    max_size=40,
)
# A date-time of the last two days typed with an offset: Python takes up to ±24 h,
# PostgreSQL refuses past ±16 h (a saved arrival gave a 500 so).
OFFSET_MINUTES = st.one_of(
    st.sampled_from([23 * 60, -23 * 60, 17 * 60, -(24 * 60 - 1)]),
    st.integers(-(24 * 60 - 1), 24 * 60 - 1),
)
DATE_TIMES_WITH_AN_OFFSET = st.builds(
    lambda hours_ago, minutes: (
        (timezone.now() - dt.timedelta(hours=hours_ago))
        .astimezone(dt.timezone(dt.timedelta(minutes=minutes)))
        .isoformat(timespec="minutes")
    ),
    st.integers(0, 48),
    OFFSET_MINUTES,
)
SKIPPED = ("csrfmiddlewaretoken", "submission", "_FORMS", "MIN_NUM", "__prefix__")


@pytest.mark.parametrize("name", sorted(FORMS))
def test_sec_04_every_form_takes_arbitrary_strings_without_a_500_and_keeps_them(
    request, client, world, name
):
    form = FORMS[name]
    client.force_login(request.getfixturevalue(form.user))
    page_url = form.page(world)
    action = form.action(world) if form.action else page_url
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    fields = fields_of(page.content.decode(), action=action)
    typed_fields = [f for f in fields if not any(s in f.name for s in SKIPPED)]
    assert typed_fields, f"no field found on {page_url} for {action}"

    def value_for(field):
        if field.kind in ("select", "radio"):
            return st.one_of(st.sampled_from(field.options or [""]), TEXT)
        if field.kind == "checkbox":
            return st.sampled_from(["", field.options[0] if field.options else "on"])
        if field.kind == "hidden":
            return st.one_of(st.just(field.value), TEXT)
        if field.kind == "datetime-local":
            return st.one_of(DATE_TIMES_WITH_AN_OFFSET, TEXT)
        return TEXT

    strategy = st.fixed_dictionaries({f.name: value_for(f) for f in typed_fields})
    untouched = {
        f.name: f.value for f in fields if f not in typed_fields and "__prefix__" not in f.name
    }

    @settings(
        max_examples=5 if name == "requests:evaluation" else 12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(typed=strategy)
    def sends(typed):
        response = client.post(action, {**untouched, **typed})
        assert response.status_code < 500
        if response.status_code in (301, 302) or not form.redisplays:
            return
        content = html.unescape(response.content.decode())
        for field in typed_fields:
            value = strip_control_characters(typed[field.name])
            if field.is_text and value.strip():
                assert value in content or value.replace("\r\n", "\n") in content, (
                    f"{field.name}: {value!r} not shown again"
                )

    sends()
