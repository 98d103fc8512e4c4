"""IAE-09, from seed 003 (national guide to IAE in prisons), §E « Les 6 étapes clés »: the six
steps of an SIAE's implantation in a prison, and the « Tableau synthétique des actes
administratifs » of step 5. This module is the one place they are written: the steps of every
project and the signers and recipients of every act are read from here, never copied.

Durations, as the guide gives them (its words are in `duration`):
- overall: « de l'idée à la contractualisation […] 6 à 8 mois a minima » (steps 1 to 5);
- step 1: « 2 à 3 COPIL sur une période de 2 à 3 mois »;
- step 2: « Mettre en œuvre la méthodologie de recherche, 1 à 2 mois »;
- step 3: no duration of its own. The guide's timeline spans steps 3 to 5 with « 3 à 6 mois »
  (and steps 1 and 2 with « 2 à 4 mois selon les configurations territoriales »); taking
  steps 4 (1 to 2 months) and 5 (1 to 3 months) out of 3 to 6 months leaves about one month,
  the planning figure used here, said as deduced on the page;
- step 4: « 2 à 3 COPIL sur une période de 1 à 2 mois »;
- step 5: « Délais de réalisation et de retour, 1 à 3 mois »;
- step 6: no duration: it ends when the workshop opens (the project's target opening date).
"""

from dataclasses import dataclass

from .enums import ActKind, Party, PartyRole

# « La construction du projet, de l'idée à la contractualisation devrait s'envisager sur une
# période de 6 à 8 mois a minima » (steps 1 to 5).
OVERALL_MIN_MONTHS = 6
OVERALL_MAX_MONTHS = 8
OVERALL_DURATION = (
    "De l'idée à la contractualisation : 6 à 8 mois a minima, pour sécuriser l'installation de "
    "la SIAE dans les meilleures conditions."
)
# « La date de démarrage effectif de l'activité doit être programmée hors périodes de congés ».
OPENING_ADVICE = (
    "Le guide conseille de programmer le démarrage effectif de l'activité hors périodes de "
    "congés, pour ne pas manquer des personnes ressources."
)
HOLIDAY_MONTHS = {7, 8}


@dataclass(frozen=True)
class StepGuide:
    number: int
    title: str
    pilots: tuple[str, ...]  # « QUI PILOTE ? »
    partners: tuple[str, ...]  # « AVEC QUI ? »
    how: tuple[str, ...]  # « COMMENT ? »
    objectives: tuple[str, ...]
    duration: str  # the guide's words
    min_months: int | None = None
    max_months: int | None = None
    # The duration is a planning figure deduced from the guide's timeline, not its own words.
    deduced: bool = False
    # Ends on the project's target opening date rather than after a duration.
    ends_at_opening: bool = False


STEPS: tuple[StepGuide, ...] = (
    StepGuide(
        number=1,
        title="Identifier l'établissement candidat à l'implantation d'une SIAE",
        pilots=("DISP",),
        partners=(
            "Établissement",
            "SPIP de l'établissement",
            "ULE",
            "PSY PEP",
            "Référent de l'insertion professionnelle en DISP",
            "ATIGIP (informée)",
            "DREETS / DDETS (informée)",
            "DT Pôle emploi (informée)",
        ),
        how=(
            "Présentation du modèle SIAE en détention, bénéfices, objectifs",
            "Recensement des activités pouvant être mises en place",
            "Annoncer les rôles dans la phase de recherche et de construction",
            "Mettre en place une méthodologie de recherche d'une SIAE partenaire",
        ),
        objectives=(
            "Un établissement où un vivier de personnes détenues correspond au principe de "
            "l'IAE en détention : profil socio-professionnel, quantum de peine…",
            "Un établissement avec des locaux disponibles (atelier de travail et bureaux à "
            "disposition de la SIAE)",
            "Nommer un chef de projet commun au SPIP et à l'établissement pénitentiaire",
        ),
        duration="Mise en place de 2 à 3 COPIL sur une période de 2 à 3 mois",
        min_months=2,
        max_months=3,
    ),
    StepGuide(
        number=2,
        title="Réaliser le sourcing des SIAE qui pourraient être candidates pour s'installer",
        pilots=("DREETS / DDETS",),
        partners=("SPIP", "Référent DISP", "Réseaux IAE", "DT Pôle emploi", "Mission locale"),
        how=(
            "Prendre contact avec les institutions et les partenaires, en premier lieu la "
            "DREETS, le réseau des SIAE, la maison départementale de l'emploi, le CDIAE",
            "Les rencontrer, présenter le projet",
            "Faire visiter l'établissement",
            "Présenter la population pénale et le dispositif SIAE en EP, avantages et "
            "inconvénients",
        ),
        objectives=(
            "Rechercher les SIAE capables de mettre en œuvre l'activité et volontaires pour "
            "s'implanter en établissement pénitentiaire",
            "Pré-identifier l'activité la plus pertinente à mettre en place",
        ),
        duration="Mettre en œuvre la méthodologie de recherche, 1 à 2 mois",
        min_months=1,
        max_months=2,
    ),
    StepGuide(
        number=3,
        title="Engager la réflexion sur l'étude de faisabilité et les moyens nécessaires",
        pilots=("Établissement", "SPIP", "SIAE"),
        partners=("ULE", "PSY PEP", "Référent DISP", "DREETS / DDETS"),
        how=(
            "Identifier les moyens humains, budgétaires, matériels",
            "Identifier les intervenants et les rôles",
            "Identifier les possibilités de parcours des PPSMJ et les outils à mettre en place",
            "Établir les devis nécessaires",
        ),
        objectives=(
            "Analyser les profils et besoins de la population pénale",
            "Analyser l'ensemble des conditions d'installation",
            "Définir les moyens à prévoir pour l'accompagnement dans et hors les murs",
            "Valider le choix de l'activité support",
            "Définir le budget prévisionnel et les ressources mobilisables",
            "Établir un pré-calendrier",
        ),
        duration=(
            "Pas de durée propre dans le guide : environ 1 mois, déduit de sa frise (3 à 6 mois "
            "pour les étapes 3 à 5, dont 1 à 2 mois pour l'étape 4 et 1 à 3 mois pour l'étape 5)"
        ),
        min_months=1,
        max_months=1,
        deduced=True,
    ),
    StepGuide(
        number=4,
        title="Co-construire le projet et préparer l'installation",
        pilots=("Établissement", "SPIP", "SIAE"),
        partners=(
            "ULE",
            "PSY PEP",
            "Référent DISP",
            "DREETS / DDETS",
            "DT Pôle emploi",
            "Mission locale",
        ),
        how=(
            "Définir le rôle de chacun dans le dispositif",
            "Définir le mode de fonctionnement et de communication",
            "Définir le calendrier des comités techniques",
            "Définir la place du parcours d'IAE et son articulation dans le PEP des PPSMJ, "
            "recrutement, formation, projet…",
        ),
        objectives=(
            "Organiser les relations entre les acteurs pour assurer un accompagnement de "
            "qualité dans et hors les murs",
            "Planifier les actions de formation des intervenants et des immersions préalables "
            "à l'installation",
            "Définir le dispositif de suivi et de pilotage, y compris la gestion des situations "
            "particulières ou jugées critiques",
            "Établir une feuille de route cohérente et réaliste",
        ),
        duration="Mise en place de 2 à 3 COPIL sur une période de 1 à 2 mois",
        min_months=1,
        max_months=2,
    ),
    StepGuide(
        number=5,
        title="Valider le projet et contractualiser",
        # The guide names the actors of this step under one « QUI ? », without a pilot.
        pilots=("Établissement", "SPIP départemental", "DISP", "DREETS / DDETS", "SIAE"),
        partners=(),
        how=(
            "Réunion de validation du projet dans toutes ses dimensions",
            "Rédaction et transmission des documents administratifs",
            "Planification de la phase de recrutement",
            "Réalisation du calendrier d'ouverture",
        ),
        objectives=(
            "Valider le dispositif entre les partenaires, validation du PV final regroupant "
            "toutes les décisions",
            "Engager la réalisation et transmettre les documents administratifs nécessaires à "
            "l'ouverture et l'implantation de la SIAE (voir le tableau des actes)",
        ),
        duration="Délais de réalisation et de retour, 1 à 3 mois",
        min_months=1,
        max_months=3,
    ),
    StepGuide(
        number=6,
        title="Mettre en place les conditions pour travailler ensemble",
        pilots=("Établissement", "SPIP", "SIAE"),
        partners=(
            "Référent DISP",
            "Région",
            "ULE",
            "DT Pôle emploi",
            "JAP",
            "Mission locale",
        ),
        how=(
            "Contractualiser les rôles de chacun dans le parcours d'insertion par l'activité "
            "économique",
            "Identifier les interlocuteurs",
            "Immersion des intervenants SIAE en détention et en SPIP",
            "Définir les rôles de l'ULE et de la Région si des coopérations sont envisagées",
            "Organisation des entretiens par la SIAE",
            "Définir le cadre des instances de suivi",
            "Établir une feuille de route",
            "Définir un outil de suivi des parcours et un système d'échange d'informations",
            "Mettre en place un protocole de préparation à la sortie (lien dedans/dehors) avec "
            "les partenaires (Pôle emploi, Mission locale, réseau des SIAE)",
            "Informer les acteurs de la santé et du social pour s'assurer de leur mobilisation "
            "à la sortie de détention",
            "Informer le JAP et s'assurer de son adhésion au projet, pour favoriser l'octroi "
            "des aménagements de peine",
        ),
        objectives=(
            "Définir des modalités d'échange d'informations entre les parties prenantes, de "
            "pilotage et de prise de décision",
            "Aménager les locaux : bureaux (pour le personnel de la SIAE et pour recevoir les "
            "personnes détenues en toute confidentialité) et atelier (mobilier, internet…)",
            "Acculturation des parties prenantes : formation sur les enjeux et pratiques de "
            "chacun, sur les procédures et règles applicables en EP (notamment le travail "
            "pénitentiaire)",
        ),
        duration=(
            "Pas de durée dans le guide : l'étape s'achève à l'ouverture de l'atelier (date "
            "d'ouverture visée du projet)"
        ),
        ends_at_opening=True,
    ),
)

STEP_BY_NUMBER = {step.number: step for step in STEPS}


# -- the administrative acts (step 5) ---------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """What one party does with one act: its role, and the table's words."""

    role: str
    words: str


_SIGNS = Cell(PartyRole.SIGNS, "Signe")
_RECEIVES = Cell(PartyRole.RECEIVES, "Destinataire")
_COMPLETES = Cell(PartyRole.SIGNS, "Complète le document et le signe")
# « L'ATIGIP et la DGEFP sont informées des projets en cours de montage et sont destinataires
# des DUI, des conventions IAE et des contrats d'implantation signés. »
_INFORMED = Cell(PartyRole.RECEIVES, "Destinataire de l'acte signé (informée du projet)")

# Seed 003 §E step 5, « Tableau synthétique des actes administratifs », read column by column
# (the text flattens the table; a blank cell is a party the act does not involve):
#
#             DUI            Convention SIAE   Contrat d'impl.  CEP     Annexe au CEP
#   Préfet                   Signe (ou DDETS)
#   DDETS     Destinataire   Signe             Destinataire
#   SIAE      Complète, signe Complète, signe  Complète, signe  Signe   Signe
#   DISP      Destinataire   Signe             Destinataire
#   EP        Destinataire   Destinataire      Signe                    Signe
#   Opérateur                                                   Signe   Signe
#
# Step 5 says the same of the convention: « signée par la DISP, la DREETS et la SIAE ». The
# annex is the tripartite agreement: the SIAE, the person and the establishment.
ACT_TABLE: dict[str, dict[str, Cell]] = {
    ActKind.DUI: {
        Party.DDETS: _RECEIVES,
        Party.SIAE: _COMPLETES,
        Party.DISP: _RECEIVES,
        Party.EP: _RECEIVES,
        Party.ATIGIP: _INFORMED,
        Party.DGEFP: _INFORMED,
    },
    ActKind.AGREEMENT: {
        Party.PREFECT: Cell(PartyRole.SIGNS, "Signe (ou représenté par le DDETS)"),
        Party.DDETS: _SIGNS,
        Party.SIAE: _COMPLETES,
        Party.DISP: _SIGNS,
        Party.EP: _RECEIVES,
        Party.ATIGIP: _INFORMED,
        Party.DGEFP: _INFORMED,
    },
    ActKind.IMPLANTATION_CONTRACT: {
        Party.DDETS: _RECEIVES,
        Party.SIAE: _COMPLETES,
        Party.DISP: _RECEIVES,
        Party.EP: _SIGNS,
        Party.ATIGIP: _INFORMED,
        Party.DGEFP: _INFORMED,
    },
    ActKind.EMPLOYMENT_CONTRACT: {
        Party.SIAE: _SIGNS,
        Party.OPERATOR: _SIGNS,
    },
    ActKind.ANNEX: {
        Party.SIAE: _SIGNS,
        Party.EP: _SIGNS,
        Party.OPERATOR: _SIGNS,
    },
}

# The CEP and its annex are signed with each person recruited: the checklist notes the first.
EMPLOYMENT_NOTE = (
    "Le contrat d'emploi pénitentiaire et son annexe se signent avec chaque personne recrutée : "
    "la liste de contrôle note les premiers, qui ouvrent l'atelier."
)


def cell(act: str, party: str) -> Cell | None:
    """What `party` does with `act`, or None when the act does not involve it."""
    return ACT_TABLE[act].get(party)


def signers(act: str) -> list[str]:
    return [party for party, c in ACT_TABLE[act].items() if c.role == PartyRole.SIGNS]


def recipients(act: str) -> list[str]:
    return [party for party, c in ACT_TABLE[act].items() if c.role == PartyRole.RECEIVES]
