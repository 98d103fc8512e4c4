"""Fixed facts of the demo territory: communes, organisations, structures, accounts, names.

Public bodies (SIAO, 115, CCAS, SPIP, prisons, DDETS, hospital) carry their real names; their
street addresses, the associations, the SIAE, the identifiers and every person are invented.
E-mail addresses use the reserved `.example` domain so that nothing the demo sends can reach
anyone.
"""

from dataclasses import dataclass, field

from relais.accounts.enums import OrganisationKind as Kind
from relais.accounts.enums import OrganisationSubtype as Subtype
from relais.accounts.enums import Role
from relais.places.enums import PlaceType
from relais.places.enums import StructureType as Type

TERRITORY_NAME = "Haut-Rhin"
TERRITORY_CODE = "68"
PASSWORD = "Relais-demo-2026"


@dataclass(frozen=True)
class Commune:
    name: str
    postcode: str
    insee_code: str


COMMUNES = {
    "mulhouse": Commune("Mulhouse", "68100", "68224"),
    "mulhouse-sud": Commune("Mulhouse", "68200", "68224"),
    "colmar": Commune("Colmar", "68000", "68066"),
    "saint-louis": Commune("Saint-Louis", "68300", "68297"),
    "guebwiller": Commune("Guebwiller", "68500", "68112"),
    "thann": Commune("Thann", "68800", "68334"),
    "cernay": Commune("Cernay", "68700", "68063"),
    "altkirch": Commune("Altkirch", "68130", "68004"),
    "illzach": Commune("Illzach", "68110", "68154"),
    "wittenheim": Commune("Wittenheim", "68270", "68376"),
    "rixheim": Commune("Rixheim", "68170", "68278"),
    "kingersheim": Commune("Kingersheim", "68260", "68166"),
    "riedisheim": Commune("Riedisheim", "68400", "68271"),
    "ensisheim": Commune("Ensisheim", "68190", "68082"),
    "lutterbach": Commune("Lutterbach", "68460", "68195"),
    "munster": Commune("Munster", "68140", "68226"),
    "ribeauville": Commune("Ribeauvillé", "68150", "68269"),
    "wintzenheim": Commune("Wintzenheim", "68920", "68374"),
    "pfastatt": Commune("Pfastatt", "68120", "68256"),
    "sainte-marie": Commune("Sainte-Marie-aux-Mines", "68160", "68298"),
}


@dataclass(frozen=True)
class OrganisationSpec:
    key: str
    name: str
    kind: str
    subtype: str
    commune: str
    street: str
    domain: str
    phone: str = ""


ORGANISATIONS = [
    OrganisationSpec(
        "siao", "SIAO du Haut-Rhin", Kind.SIAO, "", "mulhouse", "12 rue de la Sinne", "siao68"
    ),
    OrganisationSpec(
        "115",
        "115 du Haut-Rhin — veille sociale",
        Kind.EMERGENCY_LINE,
        "",
        "mulhouse",
        "12 rue de la Sinne",
        "siao68",
        phone="115",
    ),
    OrganisationSpec(
        "ccas-mulhouse",
        "CCAS de Mulhouse",
        Kind.SOCIAL_SERVICE,
        Subtype.CCAS,
        "mulhouse",
        "2 rue Pierre et Marie Curie",
        "ccas-mulhouse",
    ),
    OrganisationSpec(
        "ccas-colmar",
        "CCAS de Colmar",
        Kind.SOCIAL_SERVICE,
        Subtype.CCAS,
        "colmar",
        "11 rue Étroite",
        "ccas-colmar",
    ),
    OrganisationSpec(
        "secteur-guebwiller",
        "Espace solidarité de Guebwiller — service social de secteur",
        Kind.SOCIAL_SERVICE,
        Subtype.SECTOR,
        "guebwiller",
        "5 rue de la République",
        "alsace-solidarite",
    ),
    OrganisationSpec(
        "hopital",
        "Service social du GHR Mulhouse Sud-Alsace (hôpital Émile-Muller)",
        Kind.SOCIAL_SERVICE,
        Subtype.HOSPITAL,
        "mulhouse-sud",
        "20 avenue du Docteur René Laennec",
        "ghrmsa",
    ),
    OrganisationSpec(
        "accueil-jour",
        "Accueil de jour La Passerelle",
        Kind.SOCIAL_SERVICE,
        Subtype.DAY_CENTRE,
        "mulhouse",
        "8 rue du Manège",
        "la-passerelle68",
    ),
    OrganisationSpec(
        "maraude",
        "Maraude de Mulhouse — équipe mobile",
        Kind.SOCIAL_SERVICE,
        Subtype.MOBILE_TEAM,
        "mulhouse",
        "8 rue du Manège",
        "la-passerelle68",
    ),
    OrganisationSpec(
        "spip",
        "SPIP du Haut-Rhin",
        Kind.SPIP,
        "",
        "mulhouse",
        "16 rue Lefebvre",
        "spip68-justice",
    ),
    OrganisationSpec(
        "cp-lutterbach",
        "Centre pénitentiaire de Mulhouse-Lutterbach",
        Kind.PRISON,
        Subtype.CP,
        "lutterbach",
        "",
        "cp-lutterbach-justice",
    ),
    OrganisationSpec(
        "mc-ensisheim",
        "Maison centrale d'Ensisheim",
        Kind.PRISON,
        Subtype.MC,
        "ensisheim",
        "",
        "mc-ensisheim-justice",
    ),
    OrganisationSpec(
        "siae",
        "Tremplin Doller — atelier et chantier d'insertion",
        Kind.SIAE,
        Subtype.ACI,
        "lutterbach",
        "3 rue des Tuileries",
        "tremplin-doller",
    ),
    OrganisationSpec(
        "ddets",
        "DDETS du Haut-Rhin",
        Kind.STATE_SERVICE,
        Subtype.DDETS,
        "colmar",
        "Cité administrative, 3 rue Fleischhauer",
        "haut-rhin-gouv",
    ),
    OrganisationSpec(
        "le-toit",
        "Association Le Toit haut-rhinois",
        Kind.STRUCTURE_MANAGER,
        Subtype.ASSOCIATION,
        "mulhouse",
        "27 rue de Bâle",
        "letoit68",
    ),
    OrganisationSpec(
        "equinoxe",
        "Association Équinoxe Centre-Alsace",
        Kind.STRUCTURE_MANAGER,
        Subtype.ASSOCIATION,
        "colmar",
        "14 route de Rouffach",
        "equinoxe-alsace",
    ),
    OrganisationSpec(
        "thur-doller",
        "Accueil Solidarité Thur-Doller",
        Kind.STRUCTURE_MANAGER,
        Subtype.ASSOCIATION,
        "thann",
        "6 rue Kléber",
        "asthurdoller",
    ),
    OrganisationSpec(
        "hia",
        "Habitat et Insertion d'Alsace",
        Kind.STRUCTURE_MANAGER,
        Subtype.ASSOCIATION,
        "mulhouse",
        "40 avenue de Colmar",
        "hia-alsace",
    ),
    OrganisationSpec(
        "phare",
        "Association Le Phare — accueil des femmes et des familles",
        Kind.STRUCTURE_MANAGER,
        Subtype.ASSOCIATION,
        "mulhouse-sud",
        "9 rue de Rixheim",
        "lephare68",
    ),
]

# Who lives where: the prison whose inmates the SPIP refers, weighted.
PRISONS = [("cp-lutterbach", 5), ("mc-ensisheim", 1)]


@dataclass(frozen=True)
class Capacity:
    place_type: str
    places: int
    winter: bool = False
    scattered: bool = False
    dormitory: bool = False


# Who a structure takes in: "all", "singles" (isolated adults), "men" (isolated men),
# "women" (women alone or with children), "households" (couples and families first).
@dataclass(frozen=True)
class StructureSpec:
    key: str
    name: str
    structure_type: str
    manager: str
    commune: str
    street: str
    capacities: list[Capacity] = field(default_factory=list)
    public: str = "all"
    chrs: bool = False
    has_finess: bool = True


EMERGENCY, STABILISATION, INSERTION, HOUSING = (
    PlaceType.EMERGENCY,
    PlaceType.STABILISATION,
    PlaceType.INSERTION,
    PlaceType.HOUSING,
)

STRUCTURES = [
    # Le Toit haut-rhinois (Mulhouse): the demo structure manager's association.
    StructureSpec(
        "armoises",
        "CHRS Les Armoises",
        Type.INSERTION_CHRS,
        "le-toit",
        "mulhouse",
        "27 rue de Bâle",
        [Capacity(INSERTION, 30), Capacity(INSERTION, 12, scattered=True), Capacity(EMERGENCY, 6)],
        chrs=True,
    ),
    StructureSpec(
        "miroir",
        "CHU Porte du Miroir",
        Type.CHU,
        "le-toit",
        "mulhouse",
        "3 rue des Bonnes Gens",
        [
            Capacity(EMERGENCY, 16, dormitory=True),
            Capacity(EMERGENCY, 10),
            Capacity(EMERGENCY, 12, winter=True, dormitory=True),
        ],
        public="men",
    ),
    StructureSpec(
        "quai",
        "Stabilisation Le Quai",
        Type.STABILISATION_CHRS,
        "le-toit",
        "mulhouse",
        "58 quai d'Isly",
        [Capacity(STABILISATION, 15)],
        public="singles",
        chrs=True,
    ),
    StructureSpec(
        "tilleuls",
        "Pension de famille Les Tilleuls",
        Type.MAISON_RELAIS,
        "le-toit",
        "illzach",
        "15 rue des Tilleuls",
        [Capacity(HOUSING, 20)],
        public="singles",
    ),
    StructureSpec(
        "alt-toit",
        "Logements ALT du Toit",
        Type.ALT,
        "le-toit",
        "mulhouse-sud",
        "11 rue de Brunstatt",
        [Capacity(INSERTION, 14, scattered=True)],
        public="households",
        has_finess=False,
    ),
    # Équinoxe Centre-Alsace (Colmar).
    StructureSpec(
        "escale",
        "CHRS L'Escale",
        Type.INSERTION_CHRS,
        "equinoxe",
        "colmar",
        "22 rue du Ladhof",
        [Capacity(INSERTION, 26), Capacity(STABILISATION, 6)],
        chrs=True,
    ),
    StructureSpec(
        "grange",
        "Accueil d'urgence La Grange",
        Type.EMERGENCY_IN_CHRS,
        "equinoxe",
        "colmar",
        "7 rue de la Grange",
        [Capacity(EMERGENCY, 14)],
        chrs=True,
    ),
    StructureSpec(
        "ladhof",
        "Pension de famille du Ladhof",
        Type.MAISON_RELAIS,
        "equinoxe",
        "colmar",
        "30 rue du Ladhof",
        [Capacity(HOUSING, 18)],
        public="singles",
    ),
    StructureSpec(
        "halte-colmar",
        "Halte de nuit hivernale de Colmar",
        Type.CHU,
        "equinoxe",
        "colmar",
        "2 rue des Bains",
        [Capacity(EMERGENCY, 20, winter=True, dormitory=True)],
        public="singles",
    ),
    StructureSpec(
        "logelbach",
        "Résidence sociale Les Jardins du Logelbach",
        Type.SOCIAL_RESIDENCE,
        "equinoxe",
        "wintzenheim",
        "4 rue du Logelbach",
        [Capacity(HOUSING, 35)],
    ),
    # Accueil Solidarité Thur-Doller (Thann, Cernay, Guebwiller).
    StructureSpec(
        "chu-thann",
        "CHU de Thann",
        Type.CHU,
        "thur-doller",
        "thann",
        "10 rue Kléber",
        [Capacity(EMERGENCY, 12)],
    ),
    StructureSpec(
        "florival-mr",
        "Maison relais du Florival",
        Type.MAISON_RELAIS,
        "thur-doller",
        "guebwiller",
        "18 rue Théodore Deck",
        [Capacity(HOUSING, 16)],
        public="singles",
    ),
    StructureSpec(
        "stab-thur",
        "Stabilisation La Thur",
        Type.STABILISATION_OTHER,
        "thur-doller",
        "cernay",
        "21 rue Poincaré",
        [Capacity(STABILISATION, 10)],
        public="singles",
    ),
    StructureSpec(
        "florival-ins",
        "Logements d'insertion du Florival",
        Type.INSERTION_OTHER,
        "thur-doller",
        "guebwiller",
        "3 rue de la Gare",
        [Capacity(INSERTION, 12, scattered=True)],
        public="households",
    ),
    StructureSpec(
        "urgence-thur",
        "Places d'urgence diffuses Thur-Doller",
        Type.EMERGENCY_OTHER,
        "thur-doller",
        "cernay",
        "21 rue Poincaré",
        [
            Capacity(EMERGENCY, 8, scattered=True),
            Capacity(EMERGENCY, 4, winter=True, scattered=True),
        ],
        public="households",
        has_finess=False,
    ),
    # Habitat et Insertion d'Alsace: housing.
    StructureSpec(
        "nouveau-bassin",
        "Résidence sociale Le Nouveau Bassin",
        Type.SOCIAL_RESIDENCE,
        "hia",
        "mulhouse",
        "5 rue du Nouveau Bassin",
        [Capacity(HOUSING, 60)],
    ),
    StructureSpec(
        "iml-mulhouse",
        "Intermédiation locative Mulhouse Alsace Agglomération",
        Type.IML,
        "hia",
        "mulhouse",
        "40 avenue de Colmar",
        [Capacity(HOUSING, 30, scattered=True)],
        public="households",
        has_finess=False,
    ),
    StructureSpec(
        "iml-trois-frontieres",
        "Intermédiation locative des Trois Frontières",
        Type.IML,
        "hia",
        "saint-louis",
        "33 rue de Mulhouse",
        [Capacity(HOUSING, 12, scattered=True)],
        public="households",
        has_finess=False,
    ),
    StructureSpec(
        "passerelles",
        "Logements passerelles de Wittenheim",
        Type.ORDINARY_HOUSING,
        "hia",
        "wittenheim",
        "15 rue de Kingersheim",
        [Capacity(HOUSING, 10, scattered=True)],
        public="households",
        has_finess=False,
    ),
    StructureSpec(
        "trois-frontieres",
        "Résidence sociale des Trois Frontières",
        Type.SOCIAL_RESIDENCE,
        "hia",
        "saint-louis",
        "33 rue de Mulhouse",
        [Capacity(HOUSING, 25)],
    ),
    # Le Phare: women, families, hotel nights.
    StructureSpec(
        "phare",
        "CHRS Le Phare (femmes et enfants)",
        Type.INSERTION_CHRS,
        "phare",
        "mulhouse-sud",
        "9 rue de Rixheim",
        [Capacity(INSERTION, 24), Capacity(EMERGENCY, 6)],
        public="women",
        chrs=True,
    ),
    StructureSpec(
        "hotel-gare",
        "Hôtel de la Gare — nuitées 115",
        Type.HOTEL,
        "phare",
        "mulhouse",
        "10 avenue du Général Leclerc",
        [Capacity(EMERGENCY, 15)],
        has_finess=False,
    ),
    StructureSpec(
        "hotel-colmar",
        "Hôtel des Vosges — nuitées 115",
        Type.HOTEL,
        "phare",
        "colmar",
        "5 place de la Gare",
        [Capacity(EMERGENCY, 8), Capacity(EMERGENCY, 6, winter=True)],
        has_finess=False,
    ),
    StructureSpec(
        "altkirch",
        "Accueil d'urgence familles du Sundgau",
        Type.EMERGENCY_OTHER,
        "phare",
        "altkirch",
        "12 rue de Ferrette",
        [Capacity(EMERGENCY, 10, scattered=True)],
        public="households",
        has_finess=False,
    ),
    StructureSpec(
        "sundgau",
        "Stabilisation du Sundgau",
        Type.STABILISATION_CHRS,
        "phare",
        "altkirch",
        "12 rue de Ferrette",
        [Capacity(STABILISATION, 8)],
        chrs=True,
    ),
]


@dataclass(frozen=True)
class AccountSpec:
    username: str
    role: str
    organisation: str
    first_name: str
    last_name: str


DEMO_ACCOUNTS = [
    AccountSpec("operateur.siao", Role.SIAO_OPERATOR, "siao", "Claire", "Schneider"),
    AccountSpec("ecoutant.115", Role.EMERGENCY_LINE, "115", "Julien", "Meyer"),
    AccountSpec("travailleur.social", Role.SOCIAL_WORKER, "ccas-mulhouse", "Sophie", "Muller"),
    AccountSpec("gestionnaire.structure", Role.STRUCTURE_MANAGER, "le-toit", "Marc", "Weber"),
    AccountSpec("cpip", Role.CPIP, "spip", "Karima", "Haddad"),
    AccountSpec("cip.siae", Role.SIAE_COACH, "siae", "Thomas", "Kieffer"),
    AccountSpec("etat.ddets", Role.STATE_SERVICE, "ddets", "Hélène", "Walter"),
    AccountSpec("admin.territoire", Role.TERRITORY_ADMIN, "siao", "Pierre", "Zimmermann"),
    AccountSpec("encadrant.siae", Role.SIAE_SUPERVISOR, "siae", "Luc", "Hartmann"),
    AccountSpec("greffe.lutterbach", Role.PRISON_STAFF, "cp-lutterbach", "Sandrine", "Roth"),
]
SUPERUSER = AccountSpec("admin", "", "", "Alix", "Administrateur")
DEMO_WOMEN = ["Claire", "Sophie", "Karima", "Hélène", "Sandrine"]

# Colleagues of the demo accounts, so that requests come from several people. They cannot log
# in (unusable password). (organisation, role, how many)
COLLEAGUES = [
    ("siao", Role.SIAO_OPERATOR, 1),
    ("115", Role.EMERGENCY_LINE, 2),
    ("ccas-mulhouse", Role.SOCIAL_WORKER, 2),
    ("ccas-colmar", Role.SOCIAL_WORKER, 2),
    ("secteur-guebwiller", Role.SOCIAL_WORKER, 1),
    ("hopital", Role.SOCIAL_WORKER, 1),
    ("accueil-jour", Role.SOCIAL_WORKER, 1),
    ("maraude", Role.SOCIAL_WORKER, 1),
    ("spip", Role.CPIP, 1),
    ("le-toit", Role.SOCIAL_WORKER, 1),
    ("equinoxe", Role.STRUCTURE_MANAGER, 1),
    ("equinoxe", Role.SOCIAL_WORKER, 1),
    ("thur-doller", Role.STRUCTURE_MANAGER, 1),
    ("hia", Role.STRUCTURE_MANAGER, 1),
    ("hia", Role.SOCIAL_WORKER, 1),
    ("phare", Role.STRUCTURE_MANAGER, 1),
    ("phare", Role.SOCIAL_WORKER, 1),
]

# -------------------------------------------------------------------------------------------
# Names
# -------------------------------------------------------------------------------------------

ALSATIAN_SURNAMES = [
    "Meyer", "Muller", "Schmitt", "Schneider", "Weber", "Fischer", "Kieffer", "Wolff", "Klein",
    "Keller", "Hartmann", "Zimmermann", "Koenig", "Walter", "Heinrich", "Frey", "Herrmann",
    "Haas", "Brunner", "Kessler", "Fritsch", "Gsell", "Ehrhart", "Lang", "Roth", "Bauer",
    "Scherrer", "Hug", "Ritter", "Stoffel", "Kuntz", "Heitz", "Baumann", "Wagner", "Jaeger",
    "Lehmann", "Bohrer", "Spenlé", "Sutter", "Wiederkehr", "Ehret", "Schoenenberger",
]  # fmt: skip

# French given names by the decade of birth, so that a 60-year-old is not called Enzo.
FRENCH_FIRST_NAMES = {
    1950: (
        ["Jean", "Michel", "Alain", "Gérard", "Bernard", "Daniel", "Jean-Claude", "René"],
        ["Monique", "Françoise", "Michèle", "Danielle", "Jacqueline", "Annie", "Christiane"],
    ),
    1960: (
        ["Patrick", "Philippe", "Pascal", "Thierry", "Jean-Pierre", "Éric", "Dominique"],
        ["Martine", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Brigitte", "Véronique"],
    ),
    1970: (
        ["Stéphane", "Christophe", "Frédéric", "David", "Laurent", "Olivier", "Franck"],
        ["Sandrine", "Valérie", "Karine", "Stéphanie", "Céline", "Corinne", "Nadège"],
    ),
    1980: (
        ["Julien", "Nicolas", "Sébastien", "Mickaël", "Jérôme", "Cédric", "Guillaume"],
        ["Aurélie", "Émilie", "Élodie", "Audrey", "Jessica", "Virginie", "Mélanie"],
    ),
    1990: (
        ["Kevin", "Anthony", "Jordan", "Maxime", "Alexandre", "Romain", "Florian", "Dylan"],
        ["Laura", "Marine", "Pauline", "Sarah", "Camille", "Justine", "Morgane", "Océane"],
    ),
    2000: (
        ["Enzo", "Lucas", "Théo", "Hugo", "Mathis", "Nathan", "Tom", "Noah", "Kylian"],
        ["Léa", "Manon", "Chloé", "Clara", "Inès", "Lola", "Emma", "Lucie", "Maëlys"],
    ),
    2010: (
        ["Gabriel", "Raphaël", "Louis", "Jules", "Adam", "Arthur", "Léo", "Nolan", "Timéo"],
        ["Jade", "Louise", "Alice", "Lina", "Rose", "Chloé", "Mila", "Ambre", "Léna"],
    ),
    2020: (
        ["Gabriel", "Léo", "Raphaël", "Maël", "Noé", "Eden", "Sacha", "Liam", "Aaron"],
        ["Jade", "Louise", "Ambre", "Alba", "Emma", "Rose", "Alma", "Romy", "Lya"],
    ),
}


@dataclass(frozen=True)
class Origin:
    """Names and birthplaces of people from one country (Latin script, as on French forms)."""

    nationality: str  # as written in the file: "algérienne"
    group: str  # NationalityGroup value
    men: list[str]
    women: list[str]
    surnames: list[str]
    cities: list[str]
    country: str


ORIGINS = [
    Origin(
        "algérienne", "non_eu",
        ["Karim", "Mohamed", "Yacine", "Sofiane", "Rachid", "Nassim", "Djamel"],
        ["Nadia", "Samira", "Amel", "Yasmina", "Leïla", "Souad", "Lamia"],
        ["Benali", "Haddad", "Bouzid", "Belkacem", "Meziane", "Cherif", "Khelifi", "Saïdi"],
        ["Alger", "Oran", "Constantine", "Annaba", "Sétif", "Tlemcen"], "Algérie",
    ),
    Origin(
        "marocaine", "non_eu",
        ["Youssef", "Hamid", "Mustapha", "Abdelkader", "Said", "Brahim"],
        ["Fatima", "Khadija", "Naïma", "Zineb", "Malika", "Houda"],
        ["El Amrani", "Benjelloun", "Ouazzani", "Idrissi", "Tahiri", "Bennani", "Alaoui"],
        ["Casablanca", "Fès", "Oujda", "Tanger", "Rabat", "Nador"], "Maroc",
    ),
    Origin(
        "tunisienne", "non_eu",
        ["Mehdi", "Sami", "Anis", "Walid", "Hichem"],
        ["Amira", "Rim", "Salma", "Ines", "Sonia"],
        ["Ben Salah", "Trabelsi", "Jebali", "Gharbi", "Mejri", "Ayari"],
        ["Tunis", "Sfax", "Sousse", "Gabès", "Bizerte"], "Tunisie",
    ),
    Origin(
        "turque", "non_eu",
        ["Mehmet", "Emre", "Murat", "Hakan", "Mustafa", "Serkan"],
        ["Ayşe", "Elif", "Zeynep", "Fatma", "Hatice", "Esra"],
        ["Yilmaz", "Demir", "Kaya", "Öztürk", "Çelik", "Aydin", "Arslan"],
        ["Ankara", "Istanbul", "Kayseri", "Konya", "Yozgat"], "Turquie",
    ),
    Origin(
        "afghane", "non_eu",
        ["Ahmad", "Farid", "Mohammad", "Jawad", "Hamid", "Samiullah", "Naweed"],
        ["Farzana", "Zahra", "Marzia", "Fatima", "Shabnam"],
        ["Ahmadi", "Rahimi", "Hakimi", "Noori", "Sultani", "Amiri", "Safi"],
        ["Kaboul", "Hérat", "Kandahar", "Jalalabad", "Mazar-e Charif"], "Afghanistan",
    ),
    Origin(
        "guinéenne", "non_eu",
        ["Mamadou", "Alpha", "Ibrahima", "Ousmane", "Thierno", "Souleymane"],
        ["Mariama", "Fatoumata", "Aïssatou", "Kadiatou", "Hawa"],
        ["Diallo", "Barry", "Bah", "Camara", "Sow", "Baldé", "Sylla"],
        ["Conakry", "Labé", "Kankan", "Kindia", "Mamou"], "Guinée",
    ),
    Origin(
        "ivoirienne", "non_eu",
        ["Koffi", "Yao", "Adama", "Moussa", "Serge", "Arnaud"],
        ["Aminata", "Awa", "Akissi", "Adjoua", "Mariam"],
        ["Koné", "Traoré", "Kouassi", "Ouattara", "Konan", "Coulibaly", "Bamba"],
        ["Abidjan", "Bouaké", "Yamoussoukro", "Daloa", "Korhogo"], "Côte d'Ivoire",
    ),
    Origin(
        "congolaise (RDC)", "non_eu",
        ["Patrick", "Jean-Marie", "Christian", "Glody", "Trésor", "Junior"],
        ["Grâce", "Merveille", "Esther", "Nadège", "Divine", "Ruth"],
        ["Mbuyi", "Kabongo", "Ilunga", "Tshibanda", "Mukendi", "Lukusa", "Nsimba"],
        ["Kinshasa", "Lubumbashi", "Kisangani", "Mbuji-Mayi", "Goma"], "République démocratique du Congo",
    ),
    Origin(
        "érythréenne", "non_eu",
        ["Yonas", "Tesfay", "Filmon", "Dawit", "Robel", "Merhawi"],
        ["Selam", "Helen", "Senait", "Saba", "Luwam"],
        ["Tesfaye", "Haile", "Gebremedhin", "Tekle", "Berhane", "Kidane"],
        ["Asmara", "Keren", "Massawa", "Mendefera"], "Érythrée",
    ),
    Origin(
        "syrienne", "non_eu",
        ["Omar", "Khaled", "Ahmad", "Hussam", "Mahmoud", "Fadi"],
        ["Rama", "Lina", "Hiba", "Nour", "Rasha"],
        ["Al Hassan", "Khalil", "Al Ahmad", "Darwish", "Hamdan", "Al Khatib"],
        ["Alep", "Damas", "Homs", "Idlib", "Deir ez-Zor"], "Syrie",
    ),
    Origin(
        "géorgienne", "non_eu",
        ["Giorgi", "Levan", "David", "Irakli", "Zurab"],
        ["Nino", "Tamar", "Mariam", "Ketevan", "Eka"],
        ["Beridze", "Kapanadze", "Gelashvili", "Lomidze", "Maisuradze", "Tsiklauri"],
        ["Tbilissi", "Koutaïssi", "Batoumi", "Roustavi"], "Géorgie",
    ),
    Origin(
        "albanaise", "non_eu",
        ["Arben", "Ilir", "Besnik", "Dritan", "Erion"],
        ["Elira", "Blerta", "Ardita", "Klea", "Ornela"],
        ["Berisha", "Gashi", "Shehu", "Dervishi", "Leka", "Marku"],
        ["Tirana", "Durrës", "Shkodër", "Elbasan", "Fier"], "Albanie",
    ),
    Origin(
        "ukrainienne", "non_eu",
        ["Oleksandr", "Andriy", "Dmytro", "Serhiy", "Mykola"],
        ["Olena", "Iryna", "Natalia", "Oksana", "Tetiana"],
        ["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Melnyk", "Boyko"],
        ["Kharkiv", "Kyiv", "Odessa", "Dnipro", "Zaporijjia"], "Ukraine",
    ),
    Origin(
        "kosovare", "non_eu",
        ["Bujar", "Fatmir", "Valon", "Arton", "Driton"],
        ["Vjosa", "Drita", "Teuta", "Arbnora", "Fjolla"],
        ["Krasniqi", "Hoti", "Morina", "Rexhepi", "Kelmendi"],
        ["Pristina", "Prizren", "Gjilan", "Peja"], "Kosovo",
    ),
    Origin(
        "roumaine", "eu",
        ["Ion", "Andrei", "Florin", "Marius", "Constantin", "Gheorghe"],
        ["Maria", "Elena", "Ioana", "Andreea", "Mihaela"],
        ["Popescu", "Ionescu", "Popa", "Stan", "Dumitru", "Munteanu", "Lungu"],
        ["Bucarest", "Iași", "Constanța", "Craiova", "Timișoara"], "Roumanie",
    ),
    Origin(
        "portugaise", "eu",
        ["João", "José", "António", "Rui", "Paulo"],
        ["Ana", "Maria", "Sofia", "Catarina", "Fernanda"],
        ["da Silva", "Pereira", "Ferreira", "Costa", "Rodrigues", "Fernandes"],
        ["Porto", "Braga", "Lisbonne", "Coimbra", "Viseu"], "Portugal",
    ),
    Origin(
        "italienne", "eu",
        ["Giuseppe", "Marco", "Luca", "Salvatore"],
        ["Giulia", "Francesca", "Rosa", "Carmela"],
        ["Russo", "Esposito", "Bianchi", "Ferrari", "Romano"],
        ["Naples", "Palerme", "Turin", "Bari"], "Italie",
    ),
    Origin(
        "espagnole", "eu",
        ["Javier", "Antonio", "Manuel", "Sergio"],
        ["Carmen", "Lucía", "Isabel", "Pilar"],
        ["García", "Martínez", "López", "Fernández", "Sánchez"],
        ["Madrid", "Séville", "Valence", "Malaga"], "Espagne",
    ),
    Origin(
        "allemande", "eu",
        ["Jürgen", "Stefan", "Thomas", "Markus"],
        ["Sabine", "Katrin", "Andrea", "Petra"],
        ["Schmidt", "Fischer", "Becker", "Hoffmann", "Schäfer"],
        ["Fribourg-en-Brisgau", "Lörrach", "Stuttgart", "Karlsruhe"], "Allemagne",
    ),
]  # fmt: skip

# French people of immigrant descent carry those names too.
FRENCH_WITH_FOREIGN_NAMES = ["algérienne", "marocaine", "tunisienne", "turque", "ivoirienne"]

# -------------------------------------------------------------------------------------------
# Places people come from and go to
# -------------------------------------------------------------------------------------------

STREET_LOCATIONS = {
    "mulhouse": [
        "Gare centrale de Mulhouse, hall d'entrée",
        "Square Steinbach",
        "Porte Jeune, sous les arcades",
        "Parc Salvator",
        "Parking de la place de la Réunion",
        "Véhicule stationné rue de Bâle",
    ],
    "colmar": [
        "Gare de Colmar",
        "Parc du Champ de Mars",
        "Abri bus place Rapp",
        "Square Roesselmann",
    ],
    "other": [
        "Devant la mairie",
        "Gare SNCF",
        "Chez un tiers, doit partir ce soir",
        "Accueil de jour",
    ],
}

# Why a demo request was closed: a reason of the list, and the worker's words.
CLOSE_REASONS = {
    "emergency": [
        ("no_news", "Pas de rappel du 115 depuis plus d'une semaine."),
        ("person_declined", "Ne s'est pas présentée à la structure ce soir-là."),
        ("solution_found", "Retour chez un proche : mise à l'abri plus nécessaire."),
        ("left_territory", "Départ du département (train pour Strasbourg)."),
    ],
    "other": [
        ("no_news", "Personne injoignable depuis plus d'un mois malgré les relances."),
        ("solution_found", "Hébergement chez un proche, trouvé par ses propres moyens."),
        ("person_declined", "Refus de la proposition d'orientation par la personne."),
        ("left_territory", "Départ du département."),
        ("solution_found", "Accès direct à un logement social, sans passer par le SIAO."),
    ],
}

END_NOTES = {
    "emergency": [
        "Départ volontaire.",
        "Réorientée vers une place d'insertion.",
        "Retour chez un proche.",
        "Fin de la mise à l'abri : exclusion après violence envers un autre résident.",
        "Départ sans solution connue.",
    ],
    "insertion": [
        "Accès à un logement social (Mulhouse Habitat).",
        "Accès à un logement social (Pôle Habitat Colmar Centre Alsace).",
        "Entrée en résidence sociale.",
        "Entrée en pension de famille.",
        "Départ volontaire, sans solution connue.",
    ],
    "housing": [
        "Glissement du bail au nom du ménage.",
        "Relogement dans le parc social.",
        "Départ pour un logement du parc privé.",
        "Départ vers un autre département (mutation professionnelle).",
    ],
}


def is_womans_name(first_name: str) -> bool:
    """For job titles in French (« assistante sociale »): staff names come from these lists."""
    return first_name in DEMO_WOMEN or any(
        first_name in women for _, women in FRENCH_FIRST_NAMES.values()
    )
