"""factory_boy factories and helpers for Relais tests.

Requests are never built with a status: `make_request` goes through `create_request` and
later states are reached through the named transitions (evaluate, orient, admit…), so every
test request carries the same RequestEvent timeline as a real one.
"""

import datetime as dt

import factory
from django.utils import timezone

from relais.accounts.enums import (
    ROLE_ORGANISATION_KINDS,
    OrganisationKind,
    OrganisationSubtype,
    Role,
)
from relais.accounts.models import Organisation, Territory, User
from relais.persons import enums as person_enums
from relais.persons.models import Person
from relais.places.enums import PlaceType, StructureType
from relais.places.models import PlaceCapacity, Structure
from relais.requests import enums as request_enums
from relais.requests.enums import Channel
from relais.requests.models import EvaluationReason, Request, SocialEvaluation, create_request

# Every factory-made account has this password (strong enough for AUTH_PASSWORD_VALIDATORS).
PASSWORD = "Motdepasse-solide-2026"

# Named départements first, in the order TerritoryFactory hands them out.
DEPARTEMENT_NAMES = {
    "68": "Haut-Rhin",
    "67": "Bas-Rhin",
    "75": "Paris",
    "13": "Bouches-du-Rhône",
    "2A": "Corse-du-Sud",
    "974": "La Réunion",
    "69": "Rhône",
    "33": "Gironde",
    "59": "Nord",
    "31": "Haute-Garonne",
    "44": "Loire-Atlantique",
    "35": "Ille-et-Vilaine",
    "2B": "Haute-Corse",
    "971": "Guadeloupe",
    "976": "Mayotte",
}
# Then every other valid INSEE département code (01–95 without 20, 2A, 2B, 971–976).
DEPARTEMENT_CODES = list(DEPARTEMENT_NAMES) + [
    code
    for code in [f"{n:02d}" for n in range(1, 96) if n != 20]
    + ["2A", "2B", "971", "972", "973", "974", "975", "976"]
    if code not in DEPARTEMENT_NAMES
]


def free_departement_code() -> str:
    """The first département code of the list that no territory uses yet (deterministic)."""
    used = set(Territory.objects.values_list("insee_code", flat=True))
    for code in DEPARTEMENT_CODES:
        if code not in used:
            return code
    raise RuntimeError("Plus aucun code de département libre pour TerritoryFactory.")


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    insee_code = factory.LazyFunction(free_departement_code)
    name = factory.LazyAttribute(
        lambda o: DEPARTEMENT_NAMES.get(o.insee_code, f"Département {o.insee_code}")
    )
    stores_social_security_number = False


# -- organisations ---------------------------------------------------------------------------

_ORGANISATION_NAMES = {
    OrganisationKind.SIAO: "SIAO {territory}",
    OrganisationKind.EMERGENCY_LINE: "115 {territory}",
    OrganisationKind.SOCIAL_SERVICE: "{subtype} de {city}",
    OrganisationKind.SPIP: "SPIP {territory}",
    OrganisationKind.PRISON: "{subtype} de {city}",
    OrganisationKind.STRUCTURE_MANAGER: "Association {city} Solidarité",
    OrganisationKind.SIAE: "{subtype} {city} Insertion",
    OrganisationKind.STATE_SERVICE: "{subtype} {territory}",
}


def _organisation_name(o) -> str:
    subtype = OrganisationSubtype(o.subtype).label if o.subtype else ""
    # Drop the parenthesised abbreviation: "Maison d'arrêt (MA)" → "Maison d'arrêt".
    subtype = subtype.split(" (")[0]
    return _ORGANISATION_NAMES[o.kind].format(
        territory=o.territory.name, subtype=subtype, city=o.city
    )


class OrganisationFactory(factory.django.DjangoModelFactory):
    """A social service (CCAS) by default; one trait per kind: OrganisationFactory(siao=True)."""

    class Meta:
        model = Organisation

    class Params:
        city = factory.Faker("city", locale="fr_FR")

        siao = factory.Trait(kind=OrganisationKind.SIAO, subtype="")
        emergency_line = factory.Trait(kind=OrganisationKind.EMERGENCY_LINE, subtype="")
        social_service = factory.Trait(
            kind=OrganisationKind.SOCIAL_SERVICE, subtype=OrganisationSubtype.CCAS
        )
        spip = factory.Trait(kind=OrganisationKind.SPIP, subtype="")
        prison = factory.Trait(kind=OrganisationKind.PRISON, subtype=OrganisationSubtype.MA)
        structure_manager = factory.Trait(kind=OrganisationKind.STRUCTURE_MANAGER, subtype="")
        siae = factory.Trait(kind=OrganisationKind.SIAE, subtype=OrganisationSubtype.ACI)
        state_service = factory.Trait(
            kind=OrganisationKind.STATE_SERVICE, subtype=OrganisationSubtype.DDETS
        )

    territory = factory.SubFactory(TerritoryFactory)
    kind = OrganisationKind.SOCIAL_SERVICE
    subtype = OrganisationSubtype.CCAS
    name = factory.LazyAttribute(_organisation_name)
    email = factory.Sequence(lambda n: f"contact{n}@organisation.example")
    phone = "03 89 00 00 00"


# -- users -----------------------------------------------------------------------------------


def _role_trait(role: str, organisation_trait: str) -> factory.Trait:
    assert getattr(OrganisationKind, organisation_trait.upper()) in ROLE_ORGANISATION_KINDS[role]
    return factory.Trait(
        role=role,
        organisation=factory.SubFactory(OrganisationFactory, **{organisation_trait: True}),
    )


class UserFactory(factory.django.DjangoModelFactory):
    """A social worker in a CCAS by default; one trait per role, with a fitting organisation.

    UserFactory(cpip=True) makes a CPIP in a new SPIP. Pass organisation=… to put the user in
    an existing organisation, or organisation__territory=… to choose the territory.
    """

    class Meta:
        model = User

    class Params:
        siao_operator = _role_trait(Role.SIAO_OPERATOR, "siao")
        emergency_line = _role_trait(Role.EMERGENCY_LINE, "emergency_line")
        social_worker = _role_trait(Role.SOCIAL_WORKER, "social_service")
        structure_manager = _role_trait(Role.STRUCTURE_MANAGER, "structure_manager")
        cpip = _role_trait(Role.CPIP, "spip")
        siae_coach = _role_trait(Role.SIAE_COACH, "siae")
        siae_supervisor = _role_trait(Role.SIAE_SUPERVISOR, "siae")
        prison_staff = _role_trait(Role.PRISON_STAFF, "prison")
        state_service = _role_trait(Role.STATE_SERVICE, "state_service")
        territory_admin = _role_trait(Role.TERRITORY_ADMIN, "siao")

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda o: f"{o.username}@relais.example")
    password = factory.django.Password(PASSWORD)
    role = Role.SOCIAL_WORKER
    organisation = factory.SubFactory(OrganisationFactory, social_service=True)
    is_active = True


# -- structures and places -------------------------------------------------------------------

_PLACE_TYPE_FOR_STRUCTURE = {
    StructureType.CHU: PlaceType.EMERGENCY,
    StructureType.EMERGENCY_IN_CHRS: PlaceType.EMERGENCY,
    StructureType.HOTEL: PlaceType.EMERGENCY,
    StructureType.EMERGENCY_OTHER: PlaceType.EMERGENCY,
    StructureType.STABILISATION_CHRS: PlaceType.STABILISATION,
    StructureType.STABILISATION_OTHER: PlaceType.STABILISATION,
    StructureType.INSERTION_CHRS: PlaceType.INSERTION,
    StructureType.INSERTION_OTHER: PlaceType.INSERTION,
}


class StructureFactory(factory.django.DjangoModelFactory):
    """An insertion CHRS of a new structure manager; its territory is its manager's.

    StructureFactory(places=12) also creates a PlaceCapacity of 12 places of the fitting kind.
    """

    class Meta:
        model = Structure
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"CHRS Les Tilleuls {n}")
    structure_type = StructureType.INSERTION_CHRS
    manager = factory.SubFactory(OrganisationFactory, structure_manager=True)
    territory = factory.SelfAttribute("manager.territory")
    has_chrs_status = factory.LazyAttribute(
        lambda o: o.structure_type in StructureType.chrs_types()
    )
    street = "12 rue des Tilleuls"
    postcode = "68100"
    commune = "Mulhouse"
    email = factory.LazyAttribute(lambda o: o.manager.email)

    @factory.post_generation
    def places(obj, create, extracted, **kwargs):
        if extracted:
            PlaceCapacityFactory(
                structure=obj,
                places=extracted,
                place_type=_PLACE_TYPE_FOR_STRUCTURE.get(obj.structure_type, PlaceType.HOUSING),
                **kwargs,
            )


class PlaceCapacityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaceCapacity

    structure = factory.SubFactory(StructureFactory)
    place_type = PlaceType.INSERTION
    places = 10
    is_winter_only = False


# -- persons ---------------------------------------------------------------------------------


class PersonFactory(factory.django.DjangoModelFactory):
    """An adult with a full birth date; pass birth_month=None, birth_day=None for a partial one."""

    class Meta:
        model = Person

    class Params:
        born_on = factory.Faker("date_of_birth", minimum_age=18, maximum_age=75)
        female_first_name = factory.Faker("first_name_female", locale="fr_FR")
        male_first_name = factory.Faker("first_name_male", locale="fr_FR")

    sex = factory.Iterator([person_enums.Sex.FEMALE, person_enums.Sex.MALE])
    birth_name = factory.Faker("last_name", locale="fr_FR")
    first_names = factory.LazyAttribute(
        lambda o: o.female_first_name if o.sex == person_enums.Sex.FEMALE else o.male_first_name
    )
    birth_year = factory.LazyAttribute(lambda o: o.born_on.year)
    birth_month = factory.LazyAttribute(lambda o: o.born_on.month)
    birth_day = factory.LazyAttribute(lambda o: o.born_on.day)
    birth_place = factory.Faker("city", locale="fr_FR")
    nationality_group = person_enums.NationalityGroup.FRENCH


# -- requests --------------------------------------------------------------------------------


def make_request(
    person: Person | None = None,
    channel: str = Channel.INSERTION,
    referrer: User | None = None,
    **kw,
) -> Request:
    """A new request through `create_request`, referred by `referrer`'s organisation.

    `referrer` defaults to a new social worker; `by` defaults to the referrer. Other keyword
    arguments (household, requested_on, notes, current_location, occurred_at,
    referrer_organisation…) go to `create_request`.
    """
    if referrer is None:
        referrer = UserFactory(social_worker=True)
    return create_request(
        person=person or PersonFactory(),
        channel=channel,
        referrer_organisation=kw.pop("referrer_organisation", referrer.organisation),
        by=kw.pop("by", referrer),
        **kw,
    )


def make_evaluation(request: Request, complete: bool = True, **fields) -> SocialEvaluation:
    """The request's social evaluation; complete=True fills every REQUIRED_BLOCKS item.

    With complete=False, only `fields` are set, so `request.evaluate()` is refused.
    """
    evaluation, _ = SocialEvaluation.objects.get_or_create(request=request)
    if complete:
        defaults = {
            "interview_date": request.requested_on or timezone.localdate(),
            "interviewers": "Travailleur social du service prescripteur",
            "referral_origin": request_enums.ReferralOrigin.SERVICE,
            "prescriber_service": request.referrer_organisation.name,
            "housing_situation": request_enums.HousingSituation.HOSTED_FREE,
            "wants_shelter": True,
            "argument": (
                "Hébergée chez un tiers depuis trois mois, la personne doit quitter les lieux "
                "à la fin du mois. Besoin d'un accompagnement vers le logement."
            ),
            "orientation_proposal": request_enums.OrientationProposal.INSERTION_CHRS,
        }
        fields = {**defaults, **fields}
    for name, value in fields.items():
        setattr(evaluation, name, value)
    evaluation.save()
    if complete:
        EvaluationReason.objects.get_or_create(
            evaluation=evaluation,
            reason=request_enums.RequestReason.NO_HOUSING,
            defaults={"detail": "Hébergement chez un tiers qui prend fin"},
        )
        missing = evaluation.missing_blocks()
        if missing:  # SocialEvaluation.REQUIRED_BLOCKS grew: teach make_evaluation the new block.
            raise AssertionError(f"make_evaluation ne remplit pas : {', '.join(missing)}")
    return evaluation


def orient(request: Request, *, by: User, structure: Structure | None = None, places: int = 5):
    """Attribute `request` a place in `structure` (a new capacity of `places` there): the one
    way a request becomes oriented (Orientation.attribute)."""
    from relais.orientations.models import Orientation

    structure = structure or StructureFactory(manager__territory=request.territory)
    capacity = PlaceCapacityFactory(
        structure=structure,
        places=places,
        place_type=_PLACE_TYPE_FOR_STRUCTURE.get(structure.structure_type, PlaceType.HOUSING),
    )
    orientation = Orientation.attribute(request=request, capacity=capacity, by=by)
    request.refresh_from_db()
    return orientation


# -- justice ---------------------------------------------------------------------------------


def make_detention(
    person: Person | None = None,
    *,
    cpip: User | None = None,
    establishment: Organisation | None = None,
    end_date: dt.date | None = None,
    incarcerated_on: dt.date | None = None,
    sentence: tuple[int, int, int] = (1, 6, 0),
    territory=None,
    **values,
):
    """A convicted person in detention, followed by `cpip` (a new CPIP by default), due out
    on `end_date` (default: in 120 days)."""
    from relais.justice.models import Detention

    today = timezone.localdate()
    if cpip is None:
        cpip = (
            UserFactory(cpip=True, organisation__territory=territory)
            if territory
            else UserFactory(cpip=True)
        )
    spip = cpip.organisation
    establishment = establishment or OrganisationFactory(prison=True, territory=spip.territory)
    end_date = end_date or today + dt.timedelta(days=120)
    years, months, days = sentence
    return Detention.record(
        by=cpip,
        person=person or PersonFactory(),
        establishment=establishment,
        prison_number=values.pop("prison_number", None) or f"{Detention.objects.count() + 1:06d}",
        spip=spip,
        cpip=cpip,
        incarcerated_on=incarcerated_on
        or end_date - dt.timedelta(days=365 * years + 30 * months + days),
        sentence_years=years,
        sentence_months=months,
        sentence_days=days,
        end_date=end_date,
        **values,
    )


# -- work insertion in prison (IAE) ----------------------------------------------------------


def make_site(
    *, establishment: Organisation | None = None, siae: Organisation | None = None, **values
):
    """An SIAE implanted in a prison; the prison's SPIP is set (a new one by default)."""
    from relais.iae.models import Site

    if establishment is None:
        establishment = OrganisationFactory(
            prison=True, territory=(siae.territory if siae else None) or TerritoryFactory()
        )
    if establishment.spip_id is None:
        establishment.spip = OrganisationFactory(spip=True, territory=establishment.territory)
        establishment.save(update_fields=["spip"])
    siae = siae or OrganisationFactory(siae=True, territory=establishment.territory)
    return Site.objects.create(establishment=establishment, siae=siae, **values)


def make_parcours(
    *,
    site=None,
    detention=None,
    cpip: User | None = None,
    state: str = "prescribed",
    consent: bool = True,
    days_ago: int = 60,
    **values,
):
    """A parcours taken through its workflow up to `state` (prescribed, oriented, retained,
    active, ended), with the person's consent recorded unless `consent=False`. Steps are
    dated from `days_ago` days back."""
    from relais.iae.models import Consent, CpuSession, Parcours

    today = timezone.localdate()
    start = today - dt.timedelta(days=days_ago)
    if site is None:
        establishment = detention.establishment if detention else None
        site = make_site(establishment=establishment)
    spip = site.establishment.spip
    if detention is None:
        cpip = cpip or UserFactory(cpip=True, organisation=spip)
        detention = make_detention(
            cpip=cpip,
            establishment=site.establishment,
            sentence=(1, 6, 0),
            end_date=today + dt.timedelta(days=300),
        )
    cpip = cpip or detention.cpip
    prison_staff = UserFactory(prison_staff=True, organisation=site.establishment)
    siae_staff = UserFactory(siae_coach=True, organisation=site.siae)
    parcours = Parcours.prescribe(
        detention=detention,
        site=site,
        by=cpip,
        prescribed_on=start,
        spip_opinion=values.pop("spip_opinion", "favourable"),
        identity_document=values.pop("identity_document", "national_id"),
        identity_document_valid_until=values.pop(
            "identity_document_valid_until", today + dt.timedelta(days=900)
        ),
        volunteer=values.pop("volunteer", True),
        **values,
    )
    if consent:
        Consent.objects.create(
            parcours=parcours,
            given_on=start,
            informed=True,
            continues_outside=True,
            paper_kept_at="Dossier SPIP",
            recorded_by=cpip,
        )
    steps = ["oriented", "retained", "active", "ended"]
    wanted = steps[: steps.index(state) + 1] if state in steps else []
    if "oriented" in wanted:
        session = CpuSession.objects.create(
            establishment=site.establishment,
            held_on=start + dt.timedelta(days=7),
            chaired_by="La directrice adjointe",
            members="SPIP\nSIAE\nResponsable du travail",
            recorded_by=prison_staff,
        )
        parcours.orient(session=session, by=prison_staff)
    if "retained" in wanted:
        parcours.interview(on=start + dt.timedelta(days=14), retained=True, by=siae_staff)
    if "active" in wanted:
        parcours.assign(
            on=start + dt.timedelta(days=21), signed_by="Le chef d'établissement", by=prison_staff
        )
    if "ended" in wanted:
        parcours.end(on=start + dt.timedelta(days=50), reason="need_met", by=siae_staff)
    parcours.refresh_from_db()
    return parcours


def make_implantation(
    *,
    establishment: Organisation | None = None,
    siae: Organisation | None = None,
    territory=None,
    started_on: dt.date | None = None,
    by: User | None = None,
    **values,
):
    """An implantation project (IAE-09) opened through `ImplantationProject.open`, with its six
    steps and five acts: at a new prison of `territory` by default, started 200 days ago."""
    from relais.implantation.models import ImplantationProject

    if establishment is None:
        establishment = (
            OrganisationFactory(prison=True, territory=territory)
            if territory
            else OrganisationFactory(prison=True)
        )
    by = by or UserFactory(prison_staff=True, organisation=establishment)
    return ImplantationProject.open(
        by=by,
        establishment=establishment,
        siae=siae,
        lead_name=values.pop("lead_name", "Chef de projet commun"),
        activity=values.pop("activity", "Blanchisserie"),
        started_on=started_on or timezone.localdate() - dt.timedelta(days=200),
        **values,
    )


# -- exit plan (EXIT-01) ---------------------------------------------------------------------


def make_exit_plan(detention=None, *, by: User | None = None, **detention_values):
    """The exit plan of `detention` (a new detention by default), opened with its default
    items; owners from the site's matrix when the person has a parcours."""
    from relais.exitplan.models import ExitPlan

    detention = detention or make_detention(**detention_values)
    return ExitPlan.open_for(detention, by=by or detention.cpip)
