"""Annex IV social evaluations written the way a social worker of the Haut-Rhin would."""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from relais.accounts.enums import OrganisationKind, Role
from relais.accounts.models import Organisation, User
from relais.persons.enums import NationalityGroup, ResidencePermitType, Sex
from relais.persons.models import Person
from relais.places.enums import StructureType
from relais.requests.enums import (
    Channel,
    ContractType,
    DebtKind,
    EmploymentStatus,
    HealthCoverage,
    Holder,
    HousingAidScheme,
    HousingAidStatus,
    HousingSituation,
    OrientationProposal,
    ProtectionMeasure,
    ReferralOrigin,
    RequestReason,
    ResourceKind,
)
from relais.requests.models import (
    Debt,
    Employment,
    EvaluationReason,
    HousingAid,
    Request,
    ResourceLine,
    SocialEvaluation,
)

from . import data
from .people import weighted

R = RequestReason

PROPOSAL_BY_STRUCTURE_TYPE = {
    StructureType.CHU: OrientationProposal.EMERGENCY,
    StructureType.EMERGENCY_IN_CHRS: OrientationProposal.EMERGENCY,
    StructureType.HOTEL: OrientationProposal.EMERGENCY,
    StructureType.EMERGENCY_OTHER: OrientationProposal.EMERGENCY,
    StructureType.STABILISATION_CHRS: OrientationProposal.STABILISATION,
    StructureType.STABILISATION_OTHER: OrientationProposal.STABILISATION,
    StructureType.INSERTION_CHRS: OrientationProposal.INSERTION_CHRS,
    StructureType.INSERTION_OTHER: OrientationProposal.INSERTION_OTHER,
    StructureType.ALT: OrientationProposal.ALT,
    StructureType.MAISON_RELAIS: OrientationProposal.MAISON_RELAIS,
    StructureType.SOCIAL_RESIDENCE: OrientationProposal.SOCIAL_RESIDENCE,
    StructureType.IML: OrientationProposal.IML,
    StructureType.ORDINARY_HOUSING: OrientationProposal.ORDINARY_HOUSING,
}

# Monthly amounts close to those of 2026 (RSA for one person, AAH, ADA for an asylum seeker).
RSA_SINGLE = Decimal("646.52")
AAH = Decimal("1033.32")
ADA_SINGLE = Decimal("206.00")

HOUSING_BY_REASON = {
    R.PRISON_RELEASE: [(HousingSituation.JUDICIAL, 1)],
    R.HOSPITAL_DISCHARGE: [(HousingSituation.MEDICO_SOCIAL, 3), (HousingSituation.NONE, 1)],
    R.EVICTION: [
        (HousingSituation.PRIVATE_RENTAL, 4),
        (HousingSituation.PUBLIC_RENTAL, 2),
        (HousingSituation.HOSTED_FREE, 3),
    ],
    R.FAMILY_BREAKDOWN: [(HousingSituation.HOSTED_FREE, 1)],
    R.NO_HOUSING: [(HousingSituation.NONE, 3), (HousingSituation.PRECARIOUS, 1)],
    R.END_OF_ASE: [(HousingSituation.MEDICO_SOCIAL, 2), (HousingSituation.HOSTED_FREE, 1)],
    R.FAMILY_VIOLENCE: [(HousingSituation.SHELTER, 2), (HousingSituation.HOSTED_FREE, 1)],
    R.ARRIVAL_IN_FRANCE: [(HousingSituation.NONE, 2), (HousingSituation.SHELTER, 2)],
    R.NO_RESOURCES: [(HousingSituation.HOSTED_FREE, 1)],
    R.TAKEN_BACK: [(HousingSituation.PRIVATE_RENTAL, 1)],
    R.UNFIT_HOUSING: [(HousingSituation.PRIVATE_RENTAL, 3), (HousingSituation.PRECARIOUS, 1)],
    R.CLOSER_TO_WORK: [(HousingSituation.HOSTED_FREE, 2), (HousingSituation.TEMPORARY, 1)],
    R.DISABILITY: [(HousingSituation.HOSTED_FREE, 2), (HousingSituation.PRIVATE_RENTAL, 1)],
    R.FAMILY_REUNIFICATION: [(HousingSituation.PRIVATE_RENTAL, 1)],
}

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
]  # fmt: skip


def fr_date(day: dt.date) -> str:
    return f"{day.day}{'er' if day.day == 1 else ''} {MONTHS[day.month - 1]} {day.year}"


def fr_month(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def at_place(name: str) -> str:
    """« au CHRS Les Armoises », « à la Maison centrale d'Ensisheim », « à l'Hôtel de la Gare »."""
    first = name.split()[0]
    if first in ("Logements", "Places"):
        return f"aux {name}"
    if first in ("Pension", "Résidence", "Halte", "Maison", "Stabilisation"):
        return f"à la {name}"
    if first[0] in "AEÉIOUH":  # Accueil, Intermédiation, Hôtel (h muet)
        return f"à l'{name}"
    return f"au {name}"


@dataclass
class Situation:
    """What the evaluation says about one household; filled in by the household builder."""

    channel: str
    reason: str
    composition: str
    principal: Person
    spouse: Person | None
    children: list[Person]
    commune: str
    referrer_organisation: Organisation
    referrer: User | None
    interview_on: dt.date
    proposal: str
    prison: str = ""
    release_on: dt.date | None = None
    # The structure a person is hosted in when its own staff refers them, and since when.
    sheltered_in: str = ""
    sheltered_since: dt.date | None = None


class EvaluationWriter:
    def __init__(self, *, rng: random.Random) -> None:
        self.rng = rng
        self.day = dt.date.min  # the interview date of the form being written

    # -- grammar -----------------------------------------------------------------------

    @staticmethod
    def _g(person: Person, masculine: str, feminine: str) -> str:
        return feminine if person.sex == Sex.FEMALE else masculine

    def _who(self, person: Person) -> str:
        title = self._g(person, "Monsieur", "Madame")
        return f"{title} {person.last_name.upper()}"

    def _age(self, person: Person) -> int:
        return person.age_on(self.day) or 35

    # -- the form ----------------------------------------------------------------------

    def write(self, situation: Situation, request: Request, *, complete: bool) -> SocialEvaluation:
        """The principal applicant's evaluation; a draft lacks argument and proposal."""
        self.day = situation.interview_on  # every date on the form is reckoned from the interview
        rng = self.rng
        s = situation
        p = s.principal
        worker = s.referrer
        org = s.referrer_organisation
        housing = weighted(rng, HOUSING_BY_REASON.get(s.reason, [(HousingSituation.NONE, 1)]))
        if s.sheltered_in:
            housing = HousingSituation.SHELTER
        evaluation = SocialEvaluation(
            request=request,
            interview_date=s.interview_on,
            interviewers=f"{worker.get_full_name()}, {org.name}" if worker else org.name,
            referral_origin=ReferralOrigin.SERVICE
            if s.reason == R.PRISON_RELEASE
            else weighted(
                rng,
                [
                    (ReferralOrigin.SERVICE, 80),
                    (ReferralOrigin.SELF, 15),
                    (ReferralOrigin.FAMILY, 5),
                ],
            ),
            prescriber_service=org.name,
            prescriber_name=(
                f"{worker.get_full_name()}, {self._job(worker, org)}" if worker else ""
            ),
            prescriber_address=org.address,
            prescriber_phone=worker.phone if worker else org.phone,
            prescriber_email=worker.email if worker else org.email,
            referent_name=worker.get_full_name() if worker else "",
            referent_phone=worker.phone if worker else "",
            referent_email=worker.email if worker else "",
            housing_situation=housing,
            housing_comment=self._housing_comment(s, housing),
            wants_shelter=s.channel == Channel.INSERTION,
            wants_independent_housing=s.proposal
            in (OrientationProposal.IML, OrientationProposal.ORDINARY_HOUSING),
            wants_maison_relais=s.proposal == OrientationProposal.MAISON_RELAIS,
            wants_social_residence=s.proposal == OrientationProposal.SOCIAL_RESIDENCE,
            wants_fjt=s.proposal == OrientationProposal.SOCIAL_RESIDENCE and self._age(p) < 26,
        )
        self._administrative(evaluation, s)
        employments, resources = self._work_and_money(evaluation, s)
        debts = self._debts(evaluation, s)
        self._protection_and_problems(evaluation, s)
        if s.channel == Channel.HOUSING:
            evaluation.landlord_steps_taken = True
            filed = self.day - dt.timedelta(days=rng.randint(60, 900))
            evaluation.landlord_steps_detail = (
                f"Demande de logement social n° 068{filed:%y}{rng.randint(10000, 99999)} "
                f"déposée le {filed:%d/%m/%Y}, renouvelée ; "
                f"{rng.randint(0, 3)} proposition(s) de bailleur à ce jour."
            )
        if complete:
            evaluation.argument = self._argument(s, housing)
            evaluation.orientation_proposal = s.proposal
            evaluation.orientation_comment = self._orientation_comment(s)
        evaluation.save()
        reasons = [
            EvaluationReason(evaluation=evaluation, reason=s.reason, detail=self._reason_detail(s))
        ]
        extra = self._secondary_reason(s)
        if extra:
            reasons.append(EvaluationReason(evaluation=evaluation, reason=extra))
        EvaluationReason.objects.bulk_create(reasons)
        Employment.objects.bulk_create(employments)
        ResourceLine.objects.bulk_create(resources)
        Debt.objects.bulk_create(debts)
        HousingAid.objects.bulk_create(self._housing_aids(evaluation, s))
        return evaluation

    def write_attached(
        self, principal_evaluation: SocialEvaluation, request: Request, *, reason: str
    ) -> SocialEvaluation:
        """A spouse's or child's request carries the household's evaluation by reference."""
        e = principal_evaluation
        evaluation = SocialEvaluation.objects.create(
            request=request,
            interview_date=e.interview_date,
            interviewers=e.interviewers,
            referral_origin=e.referral_origin,
            prescriber_service=e.prescriber_service,
            prescriber_name=e.prescriber_name,
            referent_name=e.referent_name,
            housing_situation=e.housing_situation,
            wants_shelter=e.wants_shelter,
            wants_independent_housing=e.wants_independent_housing,
            wants_maison_relais=e.wants_maison_relais,
            wants_social_residence=e.wants_social_residence,
            wants_fjt=e.wants_fjt,
            argument=(
                f"Demande rattachée à celle de {e.request.person.full_name}, demandeur principal : "
                "voir l'évaluation sociale du ménage."
            ),
            orientation_proposal=e.orientation_proposal,
        )
        EvaluationReason.objects.create(evaluation=evaluation, reason=reason)
        return evaluation

    # -- blocks ------------------------------------------------------------------------

    @staticmethod
    def _job(worker: User, org: Organisation) -> str:
        woman = data.is_womans_name(worker.first_name)
        if worker.role == Role.CPIP:
            return "CPIP"
        if worker.role == Role.EMERGENCY_LINE:
            return "écoutante 115" if woman else "écoutant 115"
        if org.kind == OrganisationKind.STRUCTURE_MANAGER:
            return "éducatrice spécialisée" if woman else "éducateur spécialisé"
        return "assistante sociale" if woman else "assistant social"

    def _housing_comment(self, s: Situation, housing: str) -> str:
        rng = self.rng
        p = s.principal
        match housing:
            case HousingSituation.JUDICIAL:
                # Free text never says where: the situation is a box only some may read.
                return f"Sans logement à compter du {s.release_on:%d/%m/%Y}."
            case HousingSituation.SHELTER:
                hosted = self._g(p, "Hébergé", "Hébergée")
                if s.sheltered_in:
                    return (
                        f"{hosted} {at_place(s.sheltered_in)} depuis {fr_month(s.sheltered_since)}."
                    )
                return (
                    f"{hosted} sur une place d'urgence (115) depuis {rng.randint(2, 14)} semaines."
                )
            case HousingSituation.HOSTED_FREE:
                host = rng.choice(["un ami", "sa sœur", "son frère", "sa mère", "une connaissance"])
                return f"Hébergement chez {host} à {s.commune}, qui ne peut plus durer (sur-occupation)."
            case HousingSituation.PRIVATE_RENTAL | HousingSituation.PUBLIC_RENTAL:
                return f"Locataire à {s.commune}, loyer de {rng.randint(38, 75) * 10} € charges comprises."
            case HousingSituation.PRECARIOUS:
                return rng.choice(
                    [
                        "Vit dans une caravane sur un terrain privé, sans eau ni électricité.",
                        "Dort dans sa voiture depuis plusieurs semaines.",
                        "Squat dans un bâtiment désaffecté, menacé d'évacuation.",
                    ]
                )
            case HousingSituation.MEDICO_SOCIAL:
                if s.reason == R.END_OF_ASE:
                    return "Maison d'enfants à caractère social (MECS) jusqu'à la fin du contrat jeune majeur."
                return "Prise en charge en cours ; la sortie est à préparer."
            case HousingSituation.TEMPORARY:
                return f"Logement temporaire (ALT) à {s.commune}, fin de convention prochaine."
            case _:
                return "Sans domicile stable : rue, 115 et accueils de nuit."

    def _administrative(self, e: SocialEvaluation, s: Situation) -> None:
        rng = self.rng
        p = s.principal
        procedures = []
        if p.nationality_group == NationalityGroup.NON_EU:
            permit = p.residence_permit_type
            if permit == ResidencePermitType.ASYLUM_SEEKER:
                e.health_coverage = HealthCoverage.BASIC
                procedures.append("Demande d'asile en cours d'instruction à l'OFPRA.")
            elif permit == ResidencePermitType.NONE:
                e.health_coverage = weighted(
                    rng, [(HealthCoverage.NONE, 2), (HealthCoverage.UNKNOWN, 1)]
                )
                procedures.append("Demande d'aide médicale de l'État (AME) à déposer à la CPAM.")
                procedures.append("Demande de titre de séjour à constituer avec l'avocat.")
            else:
                e.health_coverage = weighted(
                    rng,
                    [(HealthCoverage.BASIC_AND_COMPLEMENTARY, 3), (HealthCoverage.BASIC, 1)],
                )
                if (
                    p.residence_permit_valid_until
                    and p.residence_permit_valid_until < self.day + dt.timedelta(days=90)
                ):
                    procedures.append(
                        "Renouvellement du titre de séjour : rendez-vous pris en préfecture."
                    )
        else:
            e.health_coverage = weighted(
                rng,
                [
                    (HealthCoverage.BASIC_AND_COMPLEMENTARY, 5),
                    (HealthCoverage.BASIC_AND_MUTUAL, 2),
                    (HealthCoverage.BASIC, 2),
                    (HealthCoverage.UNKNOWN, 1),
                ],
            )
        if e.health_coverage == HealthCoverage.BASIC_AND_MUTUAL:
            e.mutual_insurance = f"Mutuelle d'Alsace, adhérent n° {rng.randint(100000, 999999)}"
        if s.reason != R.ARRIVAL_IN_FRANCE or rng.random() < 0.3:
            e.caf_number = str(rng.randint(1000000, 9999999))
        if p.has_id_card is False and p.nationality_group == NationalityGroup.FRENCH:
            procedures.append("Demande de carte d'identité (perte) déposée en mairie.")
        if s.reason in (R.NO_HOUSING, R.PRISON_RELEASE, R.ARRIVAL_IN_FRANCE):
            # A SPIP's name would say the person is followed by the justice.
            if s.referrer_organisation.kind == OrganisationKind.SPIP:
                procedures.append("Domiciliation administrative en cours.")
            else:
                procedures.append(f"Domiciliation administrative : {s.referrer_organisation.name}.")
        if s.reason == R.NO_RESOURCES:
            procedures.append("Dossier RSA déposé à la CAF, en cours d'instruction.")
        if s.reason == R.DISABILITY:
            procedures.append("Renouvellement de droits en cours.")
        e.ongoing_procedures = "\n".join(procedures)

    def _work_and_money(self, e: SocialEvaluation, s: Situation):
        employments, resources = [], []
        adults = [(Holder.APPLICANT, s.principal)]
        if s.spouse is not None:
            adults.append((Holder.SPOUSE, s.spouse))
        for holder, person in adults:
            status, contract = self._employment(person, s)
            job = Employment(evaluation=e, holder=holder, status=status, contract_type=contract)
            if status == EmploymentStatus.EMPLOYED:
                job.start_date = self.day - dt.timedelta(days=self.rng.randint(20, 900))
                job.part_time = self.rng.random() < 0.4
                if contract in (ContractType.CDD, ContractType.INTERIM):
                    job.end_date = self.day + dt.timedelta(days=self.rng.randint(15, 200))
            employments.append(job)
            resources += self._resources(e, holder, person, status, job, s)
        if s.children and s.composition in ("single_parent", "family"):
            dependent = len(s.children)
            resources.append(
                ResourceLine(
                    evaluation=e,
                    holder=Holder.APPLICANT,
                    kind=ResourceKind.FAMILY_BENEFITS,
                    monthly_amount=Decimal(140 * dependent + self.rng.randint(0, 120)),
                    detail="Allocations familiales"
                    + (", ASF" if s.composition == "single_parent" else ""),
                )
            )
        return employments, resources

    def _employment(self, person: Person, s: Situation) -> tuple[str, str]:
        age = self._age(person)
        if age >= 64:
            return EmploymentStatus.RETIRED, ""
        if s.reason == R.PRISON_RELEASE:
            return weighted(
                self.rng, [(EmploymentStatus.JOB_SEEKER, 3), (EmploymentStatus.NO_ACTIVITY, 2)]
            ), ""
        if s.reason in (R.DISABILITY, R.ARRIVAL_IN_FRANCE, R.HOSPITAL_DISCHARGE):
            return EmploymentStatus.NO_ACTIVITY, ""
        if s.reason == R.CLOSER_TO_WORK:
            return EmploymentStatus.EMPLOYED, weighted(
                self.rng, [(ContractType.CDI, 2), (ContractType.CDD, 1)]
            )
        if s.reason == R.END_OF_ASE:
            if self.rng.random() < 0.4:
                return EmploymentStatus.EMPLOYED, ContractType.APPRENTICE
            return EmploymentStatus.JOB_SEEKER, ""
        status = weighted(
            self.rng,
            [
                (EmploymentStatus.EMPLOYED, 25),
                (EmploymentStatus.JOB_SEEKER, 50),
                (EmploymentStatus.NO_ACTIVITY, 25),
            ],
        )
        if status != EmploymentStatus.EMPLOYED:
            return status, ""
        return status, weighted(
            self.rng,
            [
                (ContractType.CDI, 3),
                (ContractType.CDD, 4),
                (ContractType.INTERIM, 3),
                (ContractType.TRAINEE, 1),
            ],
        )

    def _resources(self, e, holder, person, status, job, s) -> list[ResourceLine]:
        rng = self.rng
        lines = []
        if status == EmploymentStatus.EMPLOYED:
            base = 700 if job.contract_type == ContractType.APPRENTICE else 1100
            amount = Decimal(rng.randint(base, base + 700))
            if job.part_time:
                amount = (amount * Decimal("0.6")).quantize(Decimal("1"))
            lines.append(
                ResourceLine(
                    evaluation=e, holder=holder, kind=ResourceKind.SALARY, monthly_amount=amount
                )
            )
        elif status == EmploymentStatus.RETIRED:
            lines.append(
                ResourceLine(
                    evaluation=e,
                    holder=holder,
                    kind=ResourceKind.OTHER,
                    monthly_amount=Decimal(rng.randint(900, 1250)),
                    detail="Pension de retraite et ASPA",
                )
            )
        elif s.reason == R.DISABILITY and holder == Holder.APPLICANT:
            lines.append(
                ResourceLine(evaluation=e, holder=holder, kind=ResourceKind.AAH, monthly_amount=AAH)
            )
        elif person.residence_permit_type == ResidencePermitType.ASYLUM_SEEKER:
            lines.append(
                ResourceLine(
                    evaluation=e,
                    holder=holder,
                    kind=ResourceKind.OTHER,
                    monthly_amount=ADA_SINGLE,
                    detail="Allocation pour demandeur d'asile (OFII)",
                )
            )
        elif person.residence_permit_type == ResidencePermitType.NONE or s.reason == R.NO_RESOURCES:
            pass
        elif status == EmploymentStatus.JOB_SEEKER and rng.random() < 0.4:
            start = self.day - dt.timedelta(days=rng.randint(30, 400))
            lines.append(
                ResourceLine(
                    evaluation=e,
                    holder=holder,
                    kind=ResourceKind.ARE_ASS,
                    monthly_amount=Decimal(rng.randint(550, 1150)),
                    rights_start=start,
                    rights_end=start + dt.timedelta(days=rng.choice([182, 365, 547, 730])),
                    detail="ARE",
                )
            )
        elif s.reason != R.PRISON_RELEASE and self._age(person) >= 25:
            amount = (
                RSA_SINGLE
                if s.spouse is None
                else (RSA_SINGLE * Decimal("1.5")).quantize(Decimal("0.01"))
            )
            if holder == Holder.APPLICANT:
                lines.append(
                    ResourceLine(
                        evaluation=e, holder=holder, kind=ResourceKind.RSA, monthly_amount=amount
                    )
                )
        return lines

    def _debts(self, e: SocialEvaluation, s: Situation) -> list[Debt]:
        rng = self.rng
        debts = []
        if s.reason in (R.EVICTION, R.TAKEN_BACK) or rng.random() < 0.15:
            debts.append(
                Debt(
                    evaluation=e,
                    kind=DebtKind.RENT,
                    amount=Decimal(rng.randint(8, 90) * 100),
                    detail="Arriérés de loyer, ancien bailleur",
                )
            )
        if rng.random() < 0.25:
            debts.append(
                Debt(
                    evaluation=e,
                    kind=DebtKind.CONSUMER,
                    amount=Decimal(rng.randint(5, 150) * 100),
                    detail="Crédits renouvelables",
                )
            )
        if rng.random() < 0.12:
            debts.append(
                Debt(
                    evaluation=e,
                    kind=DebtKind.OTHER,
                    amount=Decimal(rng.randint(2, 30) * 100),
                    detail=rng.choice(["Amendes", "Trop-perçu CAF", "Factures d'énergie"]),
                )
            )
        e.is_indebted = bool(debts)
        if debts:
            e.over_indebtedness_filed = rng.random() < 0.35
            if e.over_indebtedness_filed:
                e.over_indebtedness_filed_on = self.day - dt.timedelta(days=rng.randint(30, 500))
                e.moratorium = rng.random() < 0.5
        return debts

    def _protection_and_problems(self, e: SocialEvaluation, s: Situation) -> None:
        rng = self.rng
        e.has_protection_measure = (
            rng.random() < 0.08 or s.reason == R.DISABILITY and rng.random() < 0.5
        )
        if e.has_protection_measure:
            e.protection_measure = weighted(
                rng,
                [
                    (ProtectionMeasure.CURATORSHIP, 5),
                    (ProtectionMeasure.GUARDIANSHIP, 1),
                    (ProtectionMeasure.MASP, 2),
                    (ProtectionMeasure.SAFEGUARD, 1),
                ],
            )
            e.protection_referent = rng.choice(
                ["UDAF du Haut-Rhin", "Service mandataire de l'association Tutelaire d'Alsace"]
            )
        p = s.principal
        e.problem_administrative = (
            p.nationality_group == NationalityGroup.NON_EU or rng.random() < 0.3
        )
        e.problem_financial = e.is_indebted or rng.random() < 0.5
        e.problem_health = s.reason in (R.HOSPITAL_DISCHARGE, R.DISABILITY) or rng.random() < 0.25
        e.problem_justice = s.reason == R.PRISON_RELEASE or rng.random() < 0.05
        e.needs_adapted_housing = s.reason in (R.DISABILITY, R.HOSPITAL_DISCHARGE)
        e.fit_for_collective_life = rng.random() < 0.85
        # As the form asks: health and justice go in their boxes, never in the comments. The
        # draw that chose a health remark is kept, so that the rest of the demo stays the same.
        remarks = []
        if e.problem_health:
            rng.randrange(4)
        if e.problem_financial:
            remarks.append("Budget très contraint ; accompagnement budgétaire accepté.")
        if s.children:
            remarks.append(f"{len(s.children)} enfant(s) scolarisé(s) ou gardé(s) à {s.commune}.")
        if not e.fit_for_collective_life:
            remarks.append("Supporte mal la vie en collectif : privilégier un logement individuel.")
        e.situation_comment = " ".join(remarks)

    def _housing_aids(self, e: SocialEvaluation, s: Situation) -> list[HousingAid]:
        rng = self.rng
        aids = []
        if s.channel == Channel.HOUSING:
            aids.append(
                HousingAid(
                    evaluation=e,
                    scheme=HousingAidScheme.FSL_ACCESS,
                    status=weighted(
                        rng, [(HousingAidStatus.TO_REQUEST, 2), (HousingAidStatus.IN_PROGRESS, 1)]
                    ),
                    detail="Dépôt de garantie et premier loyer",
                )
            )
            if rng.random() < 0.5:
                aids.append(
                    HousingAid(
                        evaluation=e,
                        scheme=HousingAidScheme.ASLL_ACCESS,
                        status=HousingAidStatus.TO_REQUEST,
                        detail="Accompagnement de 6 mois à l'entrée dans les lieux",
                    )
                )
            if rng.random() < 0.4:
                aids.append(
                    HousingAid(
                        evaluation=e,
                        scheme=HousingAidScheme.PREFECTORAL,
                        status=HousingAidStatus.IN_PROGRESS,
                        detail="Inscription au contingent préfectoral (SYPLO)",
                    )
                )
        if s.reason in (R.UNFIT_HOUSING, R.EVICTION) and rng.random() < 0.6:
            decided = self.day - dt.timedelta(days=rng.randint(20, 200))
            aids.append(
                HousingAid(
                    evaluation=e,
                    scheme=HousingAidScheme.DALO_HOUSING,
                    status=weighted(
                        rng, [(HousingAidStatus.PRIORITY, 2), (HousingAidStatus.IN_PROGRESS, 1)]
                    ),
                    decision_date=decided,
                    detail="Commission de médiation du Haut-Rhin",
                )
            )
        if s.reason == R.EVICTION and rng.random() < 0.5:
            aids.append(
                HousingAid(
                    evaluation=e,
                    scheme=HousingAidScheme.FSL_STAY,
                    status=HousingAidStatus.REFUSED,
                    decision_date=self.day - dt.timedelta(days=rng.randint(120, 400)),
                    detail="Dette trop importante au regard des ressources",
                )
            )
        if s.channel == Channel.INSERTION and s.reason == R.NO_HOUSING and rng.random() < 0.2:
            aids.append(
                HousingAid(
                    evaluation=e,
                    scheme=HousingAidScheme.DALO_SHELTER,
                    status=HousingAidStatus.IN_PROGRESS,
                    decision_date=self.day + dt.timedelta(days=rng.randint(10, 60)),
                    detail="Recours DAHO déposé, passage en commission prévu",
                )
            )
        return aids

    # -- texts -------------------------------------------------------------------------

    def _reason_detail(self, s: Situation) -> str:
        match s.reason:
            case R.PRISON_RELEASE:
                return f"Libération prévue le {s.release_on:%d/%m/%Y} ({s.prison})."
            case R.HOSPITAL_DISCHARGE:
                return "Sortie d'hospitalisation sans solution d'hébergement."
            case R.NO_HOUSING if s.sheltered_in:
                return f"Hébergement actuel : {s.sheltered_in}."
            case _:
                return ""

    def _secondary_reason(self, s: Situation) -> str:
        if (
            s.reason in (R.PRISON_RELEASE, R.EVICTION, R.FAMILY_BREAKDOWN)
            and self.rng.random() < 0.4
        ):
            return R.NO_RESOURCES
        if s.reason == R.FAMILY_VIOLENCE:
            return R.FAMILY_BREAKDOWN
        return ""

    def _argument(self, s: Situation, housing: str) -> str:
        rng = self.rng
        p = s.principal
        who = self._who(p)
        il = self._g(p, "il", "elle")
        Il = il.capitalize()
        e = self._g(p, "", "e")
        age = self._age(p)
        months_ago = self.day - dt.timedelta(days=rng.randint(60, 400))
        household = ""
        if s.spouse is not None:
            household += f" avec {self._g(s.spouse, 'son conjoint', 'sa conjointe')}"
        if s.children:
            household += (
                f" et {len(s.children)} enfant(s)"
                if s.spouse
                else f" avec {len(s.children)} enfant(s)"
            )
        winter = self.day.month in (11, 12, 1, 2, 3)
        deadline = "dès la fin de la trêve hivernale" if winter else "dans les prochaines semaines"
        match s.reason:
            case R.PRISON_RELEASE:
                text = (
                    f"{who}, {age} ans, n'aura plus de solution d'hébergement à compter du "
                    f"{fr_date(s.release_on)}. Les liens familiaux sont distendus et {il} ne peut pas "
                    f"retourner à son ancienne adresse. {Il} prépare ses démarches avec son service "
                    f"référent (ouverture des droits, inscription à France Travail). Un hébergement "
                    f"accompagné sécuriserait cette étape."
                )
            case R.HOSPITAL_DISCHARGE:
                rng.randint(10, 60)  # the draw of a date no longer written: the demo stays the same
                text = (
                    f"{who}, {age} ans, n'a aucun lieu où aller à la fin de sa prise en charge "
                    f"actuelle : {il} vivait à la rue auparavant. Un hébergement stable permettrait "
                    f"de poursuivre l'accompagnement engagé."
                )
            case R.EVICTION if housing in (
                HousingSituation.PRIVATE_RENTAL,
                HousingSituation.PUBLIC_RENTAL,
            ):
                text = (
                    f"{who}{household} fait l'objet d'une procédure d'expulsion de son logement à "
                    f"{s.commune}, après une dette locative née d'une perte d'emploi. Le concours de "
                    f"la force publique a été accordé ; l'expulsion peut intervenir {deadline}. Un "
                    f"accompagnement budgétaire est engagé ; un relogement ou un hébergement doit "
                    f"être trouvé avant."
                )
            case R.EVICTION:
                text = (
                    f"Le ménage a été expulsé de son logement à {s.commune} le {fr_date(months_ago)}, "
                    f"après une dette locative née d'une perte d'emploi. {who}{household} est "
                    f"hébergé{e} provisoirement par des proches qui ne peuvent plus les accueillir. "
                    f"Un accompagnement budgétaire est engagé ; l'hébergement permettrait de reprendre "
                    f"pied avant l'accès à un logement."
                )
            case R.FAMILY_BREAKDOWN:
                text = (
                    f"À la suite d'une séparation en {fr_month(months_ago)}, {who}, {age} ans, a quitté "
                    f"le domicile commun{household}. {Il} est hébergé{e} chez un proche à {s.commune}, "
                    f"solution qui prend fin. Ses ressources ne lui permettent pas d'accéder seul{e} à "
                    f"un logement. L'hébergement permettrait de stabiliser la situation et de reprendre "
                    f"les démarches d'insertion professionnelle."
                )
            case R.NO_HOUSING if s.sheltered_in and s.channel == Channel.HOUSING:
                text = (
                    f"{who} est hébergé{e} {at_place(s.sheltered_in)}{household} depuis "
                    f"{fr_month(s.sheltered_since)}. Le projet d'accès au logement est mûr : budget tenu, "
                    f"ressources stables, démarches administratives à jour. {Il} est prêt{e} à vivre de "
                    f"façon autonome ; un accompagnement léger est prévu les premiers mois."
                )
            case R.NO_HOUSING if s.sheltered_in:
                text = (
                    f"{who}, {age} ans, est mis{e} à l'abri {at_place(s.sheltered_in)} depuis "
                    f"{fr_month(s.sheltered_since)}. La mise à l'abri a permis de poser la situation ; "
                    f"un accompagnement global en hébergement d'insertion est désormais nécessaire "
                    f"(ressources, démarches, projet professionnel)."
                )
            case R.NO_HOUSING:
                text = (
                    f"{who}, {age} ans, est sans domicile stable depuis {fr_month(months_ago)} ; {il} "
                    f"alterne les nuitées du 115, les accueils de nuit et la rue. {Il} fréquente "
                    f"l'accueil de jour et a accepté un accompagnement. La vie à la rue l'épuise. "
                    + (
                        "Un logement accompagné lui permettrait de se poser et de construire un projet."
                        if s.channel == Channel.HOUSING
                        else "Une place d'hébergement lui permettrait de se poser et de construire "
                        "un projet."
                    )
                )
            case R.END_OF_ASE:
                text = (
                    f"{p.first_names.split()[0]}, {age} ans, a été confié{e} à l'Aide sociale à "
                    f"l'enfance du Haut-Rhin depuis l'âge de {rng.randint(6, 15)} ans. Le contrat jeune "
                    f"majeur a pris fin le {fr_date(months_ago)}, sans solution de logement. {Il} suit "
                    f"un CAP et a besoin d'un hébergement accompagné pour le mener à bien."
                )
            case R.FAMILY_VIOLENCE:
                text = (
                    f"Madame a quitté le domicile conjugal le {fr_date(months_ago)}{household} à la "
                    f"suite de violences. Elle a besoin d'un hébergement "
                    f"sécurisé, à adresse non communiquée, avec un accompagnement spécialisé."
                )
            case R.ARRIVAL_IN_FRANCE:
                text = (
                    f"{who} est arrivé{e} en France en {months_ago.year}{household}. "
                    f"{self._permit_sentence(p)} {Il} est sans hébergement depuis la fin de sa prise en "
                    f"charge dans le dispositif national d'accueil. {Il} suit des cours de français à "
                    f"l'accueil de jour et souhaite travailler dès que sa situation le permettra."
                )
            case R.NO_RESOURCES:
                text = (
                    f"{who}, {age} ans, n'a plus de ressources depuis la fin de ses droits au chômage en "
                    f"{fr_month(months_ago)}. {Il} est hébergé{e} par un proche qui ne peut plus "
                    f"l'accueillir. Le dossier RSA est en cours d'instruction ; un hébergement est "
                    f"nécessaire le temps de l'ouverture des droits et de la reprise d'emploi."
                )
            case R.TAKEN_BACK:
                text = (
                    f"Le propriétaire a délivré à {who} un congé pour vente à effet du "
                    f"{fr_date(self.day + dt.timedelta(days=rng.randint(20, 120)))}. Malgré ses "
                    f"recherches, {il} n'a pas trouvé de logement compatible avec ses ressources."
                )
            case R.UNFIT_HOUSING:
                text = (
                    f"Le logement occupé{household and ' par le ménage'} à {s.commune} fait l'objet "
                    f"d'un arrêté d'insalubrité (humidité, installation électrique dangereuse) ; le "
                    f"propriétaire n'a pas engagé les travaux. Le relogement est prioritaire."
                )
            case R.CLOSER_TO_WORK:
                job = rng.choice(
                    ["agent de production", f"aide-soignant{e}", "cariste", "agent d'entretien"]
                )
                text = (
                    f"{who} a été embauché{e} à {s.commune} ({job}). "
                    f"{Il} loge loin de son lieu de travail et passe plus de deux heures par jour dans les "
                    f"transports. Un logement proche sécuriserait son emploi."
                )
            case R.DISABILITY:
                text = (
                    f"{who}, {age} ans, vit chez un proche dans un logement trop petit, qui ne "
                    f"peut plus durer. {Il} est autonome au quotidien mais a besoin d'un cadre "
                    f"rassurant."
                )
            case R.FAMILY_REUNIFICATION:
                text = (
                    f"{who}, titulaire d'un titre de séjour, a obtenu l'autorisation de regroupement "
                    f"familial. Le logement actuel (studio de 24 m²) est trop petit pour accueillir sa "
                    f"famille : un logement de trois pièces au moins est nécessaire."
                )
            case _:
                text = f"{who}, {age} ans, sollicite un hébergement ou un logement adapté à sa situation."
        return text

    def _permit_sentence(self, p: Person) -> str:
        match p.residence_permit_type:
            case ResidencePermitType.ASYLUM_SEEKER:
                return "Sa demande d'asile est en cours d'instruction à l'OFPRA."
            case ResidencePermitType.RECEIPT:
                return "Un récépissé lui a été délivré dans l'attente de son titre de séjour."
            case ResidencePermitType.APS:
                return "Une autorisation provisoire de séjour lui a été délivrée."
            case ResidencePermitType.NONE:
                return "Sa demande d'asile a été rejetée ; une demande de titre de séjour est à l'étude."
            case _:
                return "Sa situation administrative est en cours de régularisation."

    def _orientation_comment(self, s: Situation) -> str:
        rng = self.rng
        if s.reason == R.PRISON_RELEASE:
            return rng.choice(
                [
                    "Interdiction de paraître à Colmar : pas d'orientation sur ce secteur.",
                    "Obligation de résider dans le Haut-Rhin (contrôle judiciaire).",
                    "Entrée souhaitée le jour de la libération.",
                ]
            )
        if s.children:
            return f"Secteur de {s.commune} souhaité : scolarité des enfants."
        if s.reason == R.FAMILY_VIOLENCE:
            return "Éloignement de l'ancien domicile nécessaire."
        return rng.choice(
            ["", "Secteur de Mulhouse souhaité (suivi médical).", "Tout secteur accepté.", ""]
        )
