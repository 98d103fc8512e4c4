"""The demo's work insertion in prison (issue 11): the ACI Tremplin Doller implanted at the CP
de Mulhouse-Lutterbach, and twenty of its detainees at every step of a parcours — proposed by
the SPIP, oriented by a CPU, on the waiting list (one in immersion, one whose consent is not yet
recorded), retained, in parcours with their hours, trainings, skills and the handover log,
ended, stopped. Some were outside the sentence bounds on the day of their affectation: the
three agreements were recorded first (IAE-01).

Built after the detentions, from the same generator; everything is dated from `now`.
"""

import datetime as dt
import random
from decimal import Decimal

from relais.accounts.enums import Role
from relais.iae.enums import ParcoursState, SkillFamily, SkillLevel
from relais.iae.models import (
    Agreement,
    Assessment,
    Consent,
    CpuSession,
    ExitContact,
    ExitSynthesis,
    LogEntry,
    MonthlyHours,
    Parcours,
    ParcoursAction,
    Rating,
    ResourcePerson,
    Site,
    Skill,
)
from relais.justice.enums import DetentionState
from relais.justice.models import Detention

from .territory import Cast

# (state, how many, with consent)
PLAN = [
    (ParcoursState.ACTIVE, 6, True),
    (ParcoursState.ENDED, 2, True),
    (ParcoursState.RETAINED, 2, True),
    (ParcoursState.NOT_RETAINED, 1, True),
    (ParcoursState.ORIENTED, 3, True),
    (ParcoursState.ORIENTED, 1, False),
    (ParcoursState.NOT_ORIENTED, 1, True),
    (ParcoursState.CLOSED, 1, True),
    (ParcoursState.PRESCRIBED, 2, True),
    (ParcoursState.PRESCRIBED, 1, False),
]
TECHNICAL_SKILLS = [
    "Lire un plan de débit",
    "Utiliser les machines-outils en sécurité",
    "Assembler et finir un meuble",
    "Contrôler la qualité et conditionner",
]
RESOURCES = [
    (
        0,
        "Mme Claudine Brun",
        "Agent d'accueil",
        "Mairie de Lutterbach — état civil",
        "03 89 50 71 00",
    ),
    (1, "M. Yann Keller", "Référent hébergement-logement", "SPIP du Haut-Rhin", "03 89 45 21 10"),
    (2, "Dr Agnès Roux", "Médecin", "Unité sanitaire du CP", "03 89 33 40 00"),
    (4, "Mme Inès Caron", "Conseillère justice", "France Travail Mulhouse", "3949"),
    (5, "M. Paul Ott", "Responsable formation", "AFPA Mulhouse", "03 89 32 55 00"),
]


class IaeBuilder:
    def __init__(self, *, cast: Cast, rng: random.Random, now: dt.datetime) -> None:
        self.cast = cast
        self.rng = rng
        self.today = now.date()
        self.prison = cast.organisations["cp-lutterbach"]
        self.siae = cast.organisations["siae"]
        self.prison_staff = cast.staff("cp-lutterbach", Role.PRISON_STAFF)[0]
        self.coach = cast.staff("siae", Role.SIAE_COACH)[0]
        self.supervisor = cast.staff("siae", Role.SIAE_SUPERVISOR)[0]

    def build(self) -> Site:
        Skill.ensure_common()
        site = Site.objects.create(
            establishment=self.prison,
            siae=self.siae,
            activity="Menuiserie et reconditionnement de palettes",
            posts=12,
        )
        for position, label in enumerate(TECHNICAL_SKILLS):
            Skill.objects.create(
                site=site, family=SkillFamily.TECHNICAL, label=label, position=position
            )
        rows = list(site.responsibilities.all())
        for index, name, function, organisation, phone in RESOURCES:
            ResourcePerson.objects.create(
                site=site,
                responsibility=rows[index],
                name=name,
                function=function,
                organisation_name=organisation,
                phone=phone,
            )
        self.sessions = self._sessions()
        detainees = list(
            Detention.objects.filter(establishment=self.prison, state=DetentionState.IN_DETENTION)
            .select_related("cpip", "person")
            .order_by("incarcerated_on", "id")
        )
        # A person on remand first: recruited on the three parties' joint agreement (IAE-01).
        detainees.sort(key=lambda d: d.legal_status != "remand")
        for state, count, consent in PLAN:
            for _ in range(count):
                if not detainees:
                    return site
                self._parcours(site, detainees.pop(0), state, consent=consent)
        return site

    # -- helpers -----------------------------------------------------------------------------

    def _sessions(self) -> list[CpuSession]:
        """A CPU every four weeks over the last ten months."""
        sessions = []
        day = self.today - dt.timedelta(days=300)
        while day <= self.today - dt.timedelta(days=2):
            sessions.append(
                CpuSession.objects.create(
                    establishment=self.prison,
                    held_on=day,
                    chaired_by="Mme Sophie Marchal, directrice adjointe",
                    members=(
                        "Mme Sophie Marchal, directrice adjointe (présidente)\n"
                        "Chef de détention\nResponsable local du travail\n"
                        "CPIP du SPIP du Haut-Rhin\nPsychologue PEP\n"
                        "Représentant de Tremplin Doller"
                    ),
                    recorded_by=self.prison_staff,
                )
            )
            day += dt.timedelta(days=28)
        return sessions

    def _after(self, day: dt.date, low: int, high: int) -> dt.date:
        return min(day + dt.timedelta(days=self.rng.randint(low, high)), self.today)

    def _session_after(self, day: dt.date) -> CpuSession | None:
        return next((s for s in self.sessions if s.held_on >= day), None)

    def _parcours(self, site, detention, state: str, *, consent: bool) -> None:
        rng = self.rng
        cpip = detention.cpip
        depth = {
            ParcoursState.ACTIVE: 260,
            ParcoursState.ENDED: 280,
            ParcoursState.RETAINED: 110,
            ParcoursState.NOT_RETAINED: 120,
            ParcoursState.ORIENTED: 80,
            ParcoursState.NOT_ORIENTED: 70,
            ParcoursState.CLOSED: 60,
        }.get(state, 20)
        prescribed_on = max(
            self.today - dt.timedelta(days=depth + rng.randint(0, 30)),
            detention.incarcerated_on + dt.timedelta(days=10),
        )
        prescribed_on = min(prescribed_on, self.today)
        parcours = Parcours.prescribe(
            detention=detention,
            site=site,
            by=cpip,
            prescribed_on=prescribed_on,
            spip_opinion=rng.choice(["favourable", "favourable", "reserved"]),
            spip_opinion_note="Projet professionnel à construire ; assidu aux activités.",
            identity_document=rng.choice(["national_id", "birth_certificate", "residence_permit"]),
            identity_document_valid_until=self.today + dt.timedelta(days=rng.randint(200, 2000)),
            volunteer=True,
        )
        if consent:
            Consent.objects.create(
                parcours=parcours,
                given_on=prescribed_on,
                informed=True,
                continues_outside=rng.random() < 0.6,
                shares_with_partners=rng.random() < 0.7,
                paper_kept_at="Dossier SPIP de la personne, bureau du CPIP",
                recorded_by=cpip,
            )
        if state == ParcoursState.PRESCRIBED:
            return
        session = self._session_after(prescribed_on + dt.timedelta(days=3))
        if session is None:
            return
        if state == ParcoursState.NOT_ORIENTED:
            parcours.decline_orientation(
                session=session, by=self.prison_staff, note="Classement au service général d'abord."
            )
            return
        if state == ParcoursState.CLOSED:
            parcours.orient(session=session, by=self.prison_staff)
            parcours.close(
                on=self._after(session.held_on, 5, 20),
                reason="withdrawn",
                by=cpip,
                note="La personne préfère suivre la formation qualifiante.",
            )
            return
        parcours.orient(session=session, by=self.prison_staff)
        if state == ParcoursState.ORIENTED:
            if consent and rng.random() < 0.5:
                start = self._after(session.held_on, 3, 10)
                parcours.record_immersion(
                    starts_on=start, ends_on=self._after(start, 2, 4), by=self.supervisor
                )
            return
        interviewed_on = self._after(session.held_on, 5, 15)
        if state == ParcoursState.NOT_RETAINED:
            parcours.interview(on=interviewed_on, retained=False, reason="no_post", by=self.coach)
            return
        parcours.interview(on=interviewed_on, retained=True, by=self.coach)
        if state == ParcoursState.RETAINED:
            return
        assigned_on = self._after(interviewed_on, 5, 12)
        if parcours.eligibility(on=assigned_on).needs_agreement:
            self._agreements(parcours, cpip, assigned_on)
        parcours.assign(
            on=assigned_on, signed_by="M. Laurent Frey, chef d'établissement", by=self.prison_staff
        )
        self._running(parcours, cpip)
        if state == ParcoursState.ENDED:
            ended_on = self._after(assigned_on, 60, 120)
            reason = rng.choice(["resignation", "disciplinary"])
            parcours.end(on=ended_on, reason=reason, by=self.prison_staff)

    def _agreements(self, parcours, cpip, day: dt.date) -> None:
        for party, name, by in (
            ("prison_head", "M. Laurent Frey, chef d'établissement", self.prison_staff),
            ("spip", "Mme Anne Vogel, directrice pénitentiaire d'insertion et de probation", cpip),
            ("siae", "M. Marc Steib, directeur de Tremplin Doller", self.coach),
        ):
            Agreement.objects.create(
                parcours=parcours,
                party=party,
                given_by_name=name,
                given_on=day - dt.timedelta(days=2),
                recorded_by=by,
            )

    def _running(self, parcours: Parcours, cpip) -> None:
        """Hours month by month, a training or two, skills assessed, the log written."""
        rng = self.rng
        start = parcours.assigned_on
        month = start.replace(day=1)
        while month < self.today.replace(day=1):
            MonthlyHours.objects.create(
                parcours=parcours,
                month=month,
                hours=Decimal(rng.randint(60, 112)),
                recorded_by=self.coach,
            )
            month = (month + dt.timedelta(days=32)).replace(day=1)
        ParcoursAction.objects.create(
            parcours=parcours,
            kind="clea",
            title="Certificat CléA",
            provider="GRETA Sud Alsace",
            starts_on=self._after(start, 20, 40),
            status=rng.choice(["planned", "obtained"]),
            recorded_by=self.coach,
        )
        if rng.random() < 0.5:
            ParcoursAction.objects.create(
                parcours=parcours,
                kind="training",
                title="Sauveteur secouriste du travail",
                provider="AFPA Mulhouse",
                starts_on=self._after(start, 30, 60),
                ends_on=self._after(start, 62, 64),
                status="done",
                hours=14,
                recorded_by=self.coach,
            )
        referential = list(Skill.referential(parcours.site))
        levels = {skill.pk: rng.choice([1, 1, 2]) for skill in referential}
        day = self._after(start, 5, 10)
        kind = "entry"
        while day <= self.today:
            assessment = Assessment.objects.create(
                parcours=parcours, kind=kind, assessed_on=day, assessed_by=self.supervisor
            )
            Rating.objects.bulk_create(
                Rating(assessment=assessment, skill=skill, level=levels[skill.pk])
                for skill in referential
            )
            levels = {
                pk: min(SkillLevel.MASTERED, level + (rng.random() < 0.5))
                for pk, level in levels.items()
            }
            day += dt.timedelta(days=60)
            kind = "follow_up"
        for author, text in (
            (cpip, "Demande de permission de sortir déposée pour l'entretien à la mission locale."),
            (self.coach, "Bonne intégration à l'atelier ; souhaite préparer le CléA."),
            (cpip, "Le JAP examine l'aménagement de peine le mois prochain."),
        )[: rng.randint(1, 3)]:
            LogEntry.objects.create(
                parcours=parcours,
                author=author,
                about_on=self._after(start, 10, 90),
                text=text,
            )
        if parcours.detention.due_on and parcours.detention.due_on <= self.today + dt.timedelta(
            days=70
        ):
            synthesis = ExitSynthesis.objects.create(
                parcours=parcours,
                skills_acquired="Utilisation des machines-outils en sécurité, assemblage, "
                "contrôle qualité.",
                steps_engaged="Inscription à France Travail préparée ; contact avec un employeur.",
                outcome="siae_outside",
                outside_conditions="Un entretien tous les quinze jours à l'antenne de Mulhouse.",
                written_by=self.coach,
            )
            ExitContact.objects.create(
                synthesis=synthesis,
                kind="france_travail",
                name="France Travail Mulhouse — Mme Caron",
                details="3949",
                note="Inscription à la sortie",
            )
