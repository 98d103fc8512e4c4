"""The demo's exit plans (EXIT-01..04): people of the justice demo at every point of their exit.

- the plans the daily job opened by itself, 120 days before each release, every item still to
  do; those due out later have no plan yet (the pipeline says « plan non ouvert »);
- a plan opened this morning, every item still to do;
- a plan with several late items, three weeks before the release;
- a plan in progress with the Tremplin Doller parcours: the SIAE, owner of the work items by
  the site's who-leads-what matrix, has lined up the job and is registering the person at
  France Travail; the first appointments are booked (SPIP milieu ouvert, CCAS, CAF, France
  Travail); the AAH added, the RSA « sans objet » and why;
- a complete plan for someone out in 18 days with a reserved place, the first night told by
  the SIAO: the paper for the release day prints from it;
- a plan still open after the release, a few items done since, and plans closed once the
  situation was stabilised;
- for the indicators (EXIT-04), the plans of past releases over the last months, complete or
  not on the release day.

Built last, from the detentions, parcours and places the other builders made, without any
random generator: the rest of the demo stays as it was. Every fact is dated when it happened
(events occurred and recorded then), counted from `now`.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from relais.accounts.enums import Role
from relais.accounts.models import Organisation
from relais.exitplan.enums import DEFAULT_KINDS, OPENS_DAYS_BEFORE
from relais.exitplan.enums import ItemEventKind as Step
from relais.exitplan.enums import ItemKind as K
from relais.exitplan.models import ExitItemEvent, ExitPlan, ExitPlanEvent, plan_release
from relais.justice.enums import DetentionState
from relais.justice.models import Detention
from relais.releases.housing import housing_for

from .detentions import ENSISHEIM, LUTTERBACH
from .forecasts import PAST_RELEASES
from .territory import Cast, ascii_slug

SPIP, SIAE, SIAO = "spip", "siae", "siao"
# The town of the place the person goes to (Mulhouse when not housed, or elsewhere).
HOST = "host"
TOWNS = ("mulhouse", "colmar", "guebwiller", "altkirch")


@dataclass(frozen=True)
class Act:
    """One step on one item, `day` days from the release day (-10: ten days before it)."""

    kind: str
    step: str
    day: int
    by: str = SPIP
    remarks: str = ""
    # An appointment booked: (service, town, days after the release, "HH:MM").
    rdv: tuple | None = None


@dataclass(frozen=True)
class Story:
    # Whose exit: ("due", days from today to the release), ("released", days ago, prison) for
    # a person of the justice demo, ("past", index in forecasts.PAST_RELEASES).
    who: tuple
    acts: tuple = ()
    opened: int = OPENS_DAYS_BEFORE  # days before the release
    added: tuple = ()  # (item kind, day) added for this person only
    first_night: dict | None = None
    first_night_day: int = -3
    stabilised: int | None = None  # days after the release
    stabilised_by: str = SPIP
    stabilised_note: str = ""


# The services of the first appointments, by town: (name, address, phone). The SPIP and the
# CCAS of Mulhouse and Colmar are the demo's organisations (their address is read from them).
SERVICES = {
    ("caf", "mulhouse"): (
        "CAF du Haut-Rhin — accueil de Mulhouse",
        "26 avenue Robert Schuman, 68100 Mulhouse",
        "3230",
    ),
    ("caf", "colmar"): (
        "CAF du Haut-Rhin — accueil de Colmar",
        "8 rue des Bonnes Gens, 68000 Colmar",
        "3230",
    ),
    ("caf", "altkirch"): (
        "CAF du Haut-Rhin — permanence d'Altkirch",
        "5 place de la République, 68130 Altkirch",
        "3230",
    ),
    ("ft", "mulhouse"): (
        "France Travail Mulhouse — Mme Inès Caron, conseillère justice",
        "34 rue de Sausheim, 68100 Mulhouse",
        "3949",
    ),
    ("ft", "colmar"): ("France Travail Colmar", "2 rue Timken, 68000 Colmar", "3949"),
    ("ft", "altkirch"): (
        "France Travail Altkirch",
        "12 rue de Ferrette, 68130 Altkirch",
        "3949",
    ),
    ("ccas", "guebwiller"): (
        "CCAS de Guebwiller, à l'Espace solidarité",
        "5 rue de la République, 68500 Guebwiller",
        "03 89 94 04 23",
    ),
    ("ccas", "altkirch"): (
        "CCAS d'Altkirch",
        "5 place de la République, 68130 Altkirch",
        "03 89 08 32 10",
    ),
}
DEMO_SERVICES = {("ccas", "mulhouse"): "CCAS de Mulhouse", ("ccas", "colmar"): "CCAS de Colmar"}
SPIP_PLACE = "{name} — milieu ouvert"


def routine(
    town: str,
    *,
    start: int = -60,
    missing: tuple = (),
    not_needed: dict | None = None,
    after: dict | None = None,
) -> tuple[Act, ...]:
    """Every default item settled before the release, from `start` days before it, the
    appointments booked in its last weeks — but `missing` (still to do on the release day),
    `not_needed` ({kind: why}) and `after` ({kind: days after the release it was done})."""
    not_needed = not_needed or {}
    after = after or {}
    acts = []
    rdv = {
        K.APPOINTMENT_SPIP: ("spip", 2, "09:30"),
        K.APPOINTMENT_CCAS: ("ccas", 4, "14:00"),
        K.APPOINTMENT_CAF: ("caf", 7, "10:00"),
        K.APPOINTMENT_FRANCE_TRAVAIL: ("ft", 5, "11:00"),
    }
    paperwork = [k for k in DEFAULT_KINDS if k not in rdv]
    step = max(1, (-start - 12) // max(1, len(paperwork)))
    for n, kind in enumerate(paperwork):
        day = after.get(kind, start + n * step)
        if kind in missing:
            continue
        if kind in not_needed:
            acts.append(Act(kind, Step.NOT_NEEDED, day, remarks=not_needed[kind]))
        else:
            acts.append(Act(kind, Step.DONE, day))
    for n, (kind, (service, days, hour)) in enumerate(rdv.items()):
        if kind in missing:
            continue
        day = after.get(kind, -10 + 2 * n)
        acts.append(Act(kind, Step.DONE, day, rdv=(service, town, days, hour)))
    return tuple(sorted(acts, key=lambda act: act.day))


STORIES = [
    # Opened this morning, three months before the release: everything to do.
    Story(("due", 100), opened=100),
    # Three weeks before the release, the rights barely started: several items late.
    Story(
        ("due", 27),
        acts=(
            Act(K.HEALTH_INSURANCE, Step.DONE, -60),
            Act(
                K.IDENTITY_DOCUMENT,
                Step.STARTED,
                -48,
                remarks="Demande de carte d'identité déposée à la mairie de Lutterbach ; le "
                "recueil des empreintes reste à organiser avec l'établissement.",
            ),
        ),
    ),
    # Two months before the release, with the SIAE (Tremplin Doller): the work items are its.
    Story(
        ("due", 65),
        added=((K.AAH, -95),),
        acts=(
            Act(
                K.IDENTITY_DOCUMENT,
                Step.DONE,
                -100,
                remarks="Carte d'identité valable, déposée au vestiaire de l'établissement.",
            ),
            Act(K.HEALTH_INSURANCE, Step.DONE, -85),
            Act(
                K.AAH,
                Step.STARTED,
                -90,
                remarks="L'AAH a été réduite pendant la détention : la CAF la rétablit à taux "
                "plein dès le lendemain de la sortie, sur le billet de sortie.",
            ),
            Act(
                K.RSA,
                Step.NOT_NEEDED,
                -90,
                remarks="Ses ressources reprennent dès la sortie : pas de RSA à demander.",
            ),
            Act(
                K.COMPLEMENTARY_HEALTH,
                Step.STARTED,
                -80,
                remarks="Demande envoyée à la CPAM, réponse attendue sous deux mois.",
            ),
            Act(
                K.JOB_OR_TRAINING,
                Step.DONE,
                -75,
                by=SIAE,
                remarks="Contrat à durée déterminée d'insertion sur le chantier espaces verts "
                "de Tremplin Doller, 26 heures par semaine, dès le lendemain de la sortie.",
            ),
            Act(
                K.FRANCE_TRAVAIL,
                Step.STARTED,
                -73,
                by=SIAE,
                remarks="Inscription préparée avec la conseillère justice ; elle se termine au "
                "premier rendez-vous.",
            ),
            Act(
                K.APPOINTMENT_FRANCE_TRAVAIL,
                Step.DONE,
                -73,
                by=SIAE,
                rdv=("ft", "mulhouse", 3, "10:00"),
            ),
            Act(K.APPOINTMENT_SPIP, Step.DONE, -70, rdv=("spip", "mulhouse", 2, "09:30")),
            Act(K.APPOINTMENT_CCAS, Step.DONE, -68, rdv=("ccas", "mulhouse", 1, "14:00")),
            Act(
                K.POSTAL_ADDRESS,
                Step.DETAILS,
                -68,
                remarks="Domiciliation à demander au CCAS de Mulhouse, au premier rendez-vous.",
            ),
            Act(K.APPOINTMENT_CAF, Step.DONE, -67, rdv=("caf", "mulhouse", 6, "10:30")),
        ),
    ),
    # Out in 18 days, a place reserved at the Logements d'insertion du Florival: complete,
    # the first night told by the SIAO yesterday.
    Story(
        ("due", 18),
        acts=(
            Act(
                K.IDENTITY_DOCUMENT,
                Step.DONE,
                -95,
                remarks="Carte d'identité valable, au vestiaire de l'établissement.",
            ),
            Act(K.HEALTH_INSURANCE, Step.DONE, -80),
            Act(
                K.COMPLEMENTARY_HEALTH,
                Step.DONE,
                -60,
                remarks="Complémentaire santé solidaire renouvelée pour un an.",
            ),
            Act(
                K.BANK_ACCOUNT,
                Step.DONE,
                -50,
                remarks="Compte à La Banque Postale toujours ouvert ; la carte renouvelée est "
                "au vestiaire.",
            ),
            Act(
                K.RSA,
                Step.DONE,
                -40,
                remarks="Demande faite avec la CAF, versée à compter de la sortie.",
            ),
            Act(
                K.POSTAL_ADDRESS,
                Step.NOT_NEEDED,
                -35,
                remarks="Le courrier arrivera sur place ({host}), où la place est réservée.",
            ),
            Act(K.FRANCE_TRAVAIL, Step.DONE, -32),
            Act(
                K.JOB_OR_TRAINING,
                Step.NOT_NEEDED,
                -30,
                remarks="D'abord s'installer au logement : le point sur l'emploi se fait au "
                "premier rendez-vous à France Travail.",
            ),
            Act(K.APPOINTMENT_SPIP, Step.DONE, -28, rdv=("spip", HOST, 3, "09:30")),
            Act(K.APPOINTMENT_CCAS, Step.DONE, -24, rdv=("ccas", HOST, 2, "14:00")),
            Act(K.APPOINTMENT_CAF, Step.DONE, -21, rdv=("caf", "mulhouse", 8, "14:00")),
            Act(
                K.APPOINTMENT_FRANCE_TRAVAIL,
                Step.DONE,
                -19,
                rdv=("ft", "mulhouse", 6, "10:00"),
            ),
        ),
        first_night={
            "arrival_hours": "de 14 h à 18 h",
            "arrival_contact": "Mme Nathalie Wagner, travailleuse sociale",
            "arrival_note": "Se présenter à l'accueil : {host_address}.\n"
            "Apporter la carte d'identité et le billet de sortie.\n"
            "Le repas du soir est servi à 19 h.",
        },
        first_night_day=-19,
    ),
    # Released 16 days ago to CHRS L'Escale: the plan goes on, some items done since.
    Story(
        ("released", 16, LUTTERBACH),
        acts=routine(
            HOST,
            start=-55,
            missing=(K.BANK_ACCOUNT, K.JOB_OR_TRAINING, K.APPOINTMENT_FRANCE_TRAVAIL),
            not_needed={K.POSTAL_ADDRESS: "Le courrier arrive sur place : {host}."},
            after={K.RSA: 3, K.APPOINTMENT_CAF: 4},
        )
        + (
            Act(
                K.BANK_ACCOUNT,
                Step.STARTED,
                6,
                remarks="Rendez-vous pris à La Banque Postale de Colmar pour ouvrir un compte.",
            ),
        ),
        first_night={
            "arrival_hours": "de 11 h à 17 h",
            "arrival_contact": "l'éducateur de permanence",
            "arrival_note": "Apporter le billet de sortie.",
        },
    ),
    # Released 40 days ago with everything ready; stabilised ten days ago.
    Story(
        ("released", 40, LUTTERBACH),
        acts=routine(
            HOST,
            start=-50,
            not_needed={
                K.BANK_ACCOUNT: "Compte courant toujours ouvert au Crédit Mutuel.",
                K.POSTAL_ADDRESS: "Le courrier arrive sur place : {host}.",
                K.JOB_OR_TRAINING: "Recherche d'emploi après l'installation, avec France Travail.",
            },
        ),
        stabilised=30,
        stabilised_note="Hébergé ({host}) ; droits ouverts, suivi SPIP en cours.",
    ),
    # Released from Ensisheim 75 days ago, ready on the day; the plan still open.
    Story(
        ("released", 75, ENSISHEIM),
        acts=routine(
            HOST,
            not_needed={
                K.JOB_OR_TRAINING: "La recherche d'emploi commence après l'installation, avec France "
                "Travail."
            },
        ),
    ),
    # Released 118 days ago, ready on the day; the SPIP's measure ended, the SIAO closed it.
    Story(
        ("released", 118, LUTTERBACH),
        acts=routine(
            HOST,
            not_needed={K.POSTAL_ADDRESS: "Le courrier arrive sur place : {host}."},
        ),
        stabilised=70,
        stabilised_by=SIAO,
        stabilised_note="Toujours hébergé, accompagnement de la structure en cours.",
    ),
    # The past releases without housing (relais/demo/forecasts.py): never complete.
    Story(
        ("past", 0),
        acts=routine("mulhouse", missing=(K.BANK_ACCOUNT, K.APPOINTMENT_CAF)),
    ),
    Story(
        ("past", 1),
        acts=(
            Act(K.IDENTITY_DOCUMENT, Step.DONE, -70),
            Act(K.HEALTH_INSURANCE, Step.DONE, -40),
            Act(K.APPOINTMENT_SPIP, Step.DONE, -8, rdv=("spip", "mulhouse", 2, "09:00")),
        ),
    ),
    Story(
        ("past", 2),
        acts=routine("mulhouse", missing=(K.COMPLEMENTARY_HEALTH,)),
        stabilised=40,
        stabilised_by=SIAO,
        stabilised_note="Hébergé chez sa sœur à Wittenheim, droits ouverts.",
    ),
    Story(
        ("past", 10),
        acts=routine(HOST, missing=(K.RSA, K.FRANCE_TRAVAIL, K.APPOINTMENT_FRANCE_TRAVAIL)),
    ),
]


class ExitPlanBuilder:
    def __init__(self, cast: Cast, *, now: dt.datetime) -> None:
        self.cast = cast
        self.now = now
        self.today = timezone.localdate(now)
        self.actors = {
            SPIP: cast.staff("spip", Role.CPIP)[0],
            SIAE: cast.staff("siae", Role.SIAE_COACH)[0],
            SIAO: cast.staff("siao", Role.SIAO_OPERATOR)[0],
        }
        spip = cast.organisations["spip"]
        self.services = dict(SERVICES)
        for town in TOWNS:
            self.services["spip", town] = (
                SPIP_PLACE.format(name=spip.name),
                spip.address,
                spip.phone,
            )
        for key, name in DEMO_SERVICES.items():
            ccas = Organisation.objects.get(territory=cast.territory, name=name)
            self.services[key] = (ccas.name, ccas.address, ccas.phone)
        # {event pk: moment}: every fact dated when it happened, once all have run.
        self.times: dict[type, dict[int, dt.datetime]] = {ExitPlanEvent: {}, ExitItemEvent: {}}

    def _moment(self, day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
        return min(moment, self.now - dt.timedelta(minutes=30))

    def build(self) -> list[ExitPlan]:
        plans = [self._story(story) for story in STORIES]
        for model, times in self.times.items():
            model.objects.bulk_update(
                [model(pk=pk, occurred_at=at, recorded_at=at) for pk, at in times.items()],
                ["occurred_at", "recorded_at"],
                batch_size=500,
            )
        return plans

    # -- whose exit ---------------------------------------------------------------------

    def _detention(self, who: tuple) -> Detention:
        match who:
            case ("due", days):
                return Detention.objects.get(
                    state=DetentionState.IN_DETENTION,
                    due_on=self.today + dt.timedelta(days=days),
                    establishment=self.cast.organisations[LUTTERBACH],
                )
            case ("released", days, prison):
                # A person of the justice demo, housed on release (through their request).
                return Detention.objects.get(
                    released_on=self.today - dt.timedelta(days=days),
                    establishment=self.cast.organisations[prison],
                    requests__isnull=False,
                )
            case ("past", index):
                assert index < len(PAST_RELEASES)
                return Detention.objects.get(prison_number=f"{900000 + index}")
        raise ValueError(who)

    def _host(self, detention: Detention) -> dict:
        """Where the person sleeps on release: the structure of their housing solution, its
        town for the appointments (else the town of the prison), its manager's phone."""
        orientation = housing_for(detention).orientation
        structure = orientation.capacity.structure if orientation else None
        prison_town = (
            "colmar"
            if detention.establishment == self.cast.organisations[ENSISHEIM]
            else "mulhouse"
        )
        if structure is None:
            return {"town": prison_town, "name": "", "address": "", "phone": ""}
        town = ascii_slug(structure.commune)
        return {
            "town": town if town in TOWNS else prison_town,
            "name": structure.name,
            "address": structure.address,
            "phone": structure.manager.phone or self.cast.organisations["siao"].phone,
        }

    # -- one plan -----------------------------------------------------------------------

    def _story(self, story: Story) -> ExitPlan:
        detention = self._detention(story.who)
        release = ExitPlan(detention=detention).release_on(self.today)
        host = self._host(detention)
        words = {"host": host["name"], "host_address": host["address"]}
        # Opened before the release, after the SPIP recorded the detention, never after today.
        recorded = timezone.localdate(detention.created_at)
        opened_on = min(
            max(release - dt.timedelta(days=story.opened), recorded + dt.timedelta(days=2)),
            self.today,
        )
        opened_at = self._moment(opened_on, 8, 30)
        plan = ExitPlan.open_for(detention, by=self.actors[SPIP], at=opened_at)
        ExitPlan.objects.filter(pk=plan.pk).update(opened_at=opened_at)
        plan.opened_at = opened_at
        for pk in plan.events.values_list("pk", flat=True):
            self.times[ExitPlanEvent][pk] = opened_at
        for pk in ExitItemEvent.objects.filter(item__plan=plan).values_list("pk", flat=True):
            self.times[ExitItemEvent][pk] = opened_at

        def on(day: int) -> dt.date:
            # Never before the opening: a story's days keep their order.
            when = max(release + dt.timedelta(days=day), opened_on)
            assert when <= self.today, (story.who, day)
            return when

        for kind, day in story.added:
            item = plan.add_item(kind, by=self.actors[SPIP])
            self.times[ExitItemEvent][item.events.get().pk] = self._moment(on(day), 9)
        items = {item.kind: item for item in plan.items.all()}
        for n, act in enumerate(story.acts):
            self._act(items[act.kind], act, on=on(act.day), release=release, host=host, n=n)
        if story.first_night:
            fields = {
                "arrival_phone": host["phone"],
                **{k: v.format(**words) for k, v in story.first_night.items()},
            }
            plan.set_first_night(by=self.actors[SIAO], **fields)
            self._last(plan, self._moment(on(story.first_night_day), 16))
        if story.stabilised is not None:
            day = on(story.stabilised)
            plan.stabilise(
                on=day,
                by=self.actors[story.stabilised_by],
                note=story.stabilised_note.format(**words),
            )
            self._last(plan, self._moment(day, 15))
        return plan

    def _last(self, plan: ExitPlan, moment: dt.datetime) -> None:
        self.times[ExitPlanEvent][plan.events.order_by("-pk").values_list("pk", flat=True)[0]] = (
            moment
        )

    def _act(self, item, act: Act, *, on: dt.date, release: dt.date, host: dict, n: int):
        details = {}
        if act.remarks:
            details["remarks"] = act.remarks.format(host=host["name"])
        if act.rdv:
            service, town, days, hour = act.rdv
            town = host["town"] if town == HOST else town
            day = release + dt.timedelta(days=days)
            day = _open_day(day)
            place, address, phone = self.services.get(
                (service, town), self.services[service, "mulhouse"]
            )
            details.update(
                appointment_at=timezone.make_aware(
                    dt.datetime.combine(day, dt.time.fromisoformat(hour))
                ),
                place=place,
                address=address,
                phone=phone,
            )
        done = {"on": on} if act.step == Step.DONE else {}
        _, event = item.take(act.step, by=self.actors[act.by], **done, **details)
        # Done: that day at noon, as the plan dates it; the other steps through the day.
        hour = 12 if act.step == Step.DONE else 9 + n % 7
        self.times[ExitItemEvent][event.pk] = self._moment(
            on, hour, 0 if hour == 12 else 15 * (n % 4)
        )


# Days the services are closed (Alsace-Moselle keeps 26 December); Easter's days aside.
CLOSED = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25), (12, 26)}


def _open_day(day: dt.date) -> dt.date:
    """That day, or the next one the services are open."""
    while day.weekday() >= 5 or (day.month, day.day) in CLOSED:
        day += dt.timedelta(days=1)
    return day


def load(cast: Cast, *, now: dt.datetime) -> list[ExitPlan]:
    plans = ExitPlanBuilder(cast, now=now).build()
    return plans + open_as_the_daily_job_did(now=now)


def open_as_the_daily_job_did(*, now: dt.datetime) -> list[ExitPlan]:
    """The plans the daily job would have opened by now (`OPENS_DAYS_BEFORE` days before each
    release, every item still to do), each dated the day it opened. The detentions due out
    later have none yet: their page offers to open it."""
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=OPENS_DAYS_BEFORE)
    opened = []
    for detention in Detention.objects.filter(
        state=DetentionState.IN_DETENTION, exit_plan__isnull=True
    ).order_by("pk"):
        release = plan_release(detention, today)
        if release is None or release > horizon:
            continue
        day = release - dt.timedelta(days=OPENS_DAYS_BEFORE)
        at = min(timezone.make_aware(dt.datetime.combine(day, dt.time(6, 30))), now)
        plan = ExitPlan.open_for(detention, by=None, at=at)
        ExitPlanEvent.objects.filter(plan=plan).update(recorded_at=at)
        ExitItemEvent.objects.filter(item__plan=plan).update(recorded_at=at)
        ExitPlan.objects.filter(pk=plan.pk).update(opened_at=at)
        opened.append(plan)
    return opened
