"""A synthetic French population with known duplicates, for the identity benchmark.

Usage: python bench/identity/generate.py --records 100000 --output persons.csv [--seed 1]

Each row is one record of a person; `cluster` says which records are truly one person. About
a quarter of persons have one or two more records, each with one to three of the faults seen
in real intake: accent and case loss, typos and transpositions, French phonetic spellings,
hyphen and compound-name variants, first names reordered or dropped, married (usage) names
with or without the birth name, last and first names swapped, day/month swaps, digit typos,
partial or missing birth dates, missing sex or birth place.
"""

import argparse
import csv
import itertools
import random
import unicodedata

from faker import Faker

_FAKER = Faker("fr_FR")
_PERSON = _FAKER.provider("faker.providers.person")
COMMON_SURNAMES = list(_PERSON.last_names)  # the commonest first (Martin, Bernard, …)
_OTHER_SURNAMES = (
    "Benali,Benaissa,Bensaïd,Boukhari,Cherif,Haddad,Hamidi,Khelifi,Mansouri,Meziane,Saïdi,"
    "Diallo,Traoré,Diop,Ndiaye,Camara,Keïta,Sow,Coulibaly,Konaté,Touré,Fofana,Cissé,"
    "Nguyen,Tran,Le,Pham,Hoang,Phan,Vu,Dang,Bui,Do,Ngo,Ly,Yilmaz,Kaya,Demir,Şahin,Çelik,"
    "Popescu,Ionescu,Popa,Stan,Dumitru,Kowalski,Nowak,Wiśniewski,Ivanov,Petrov,Smirnov,"
    "Da Silva,Dos Santos,Ferreira,Pereira,Rodrigues,Gonçalves,Lopes,Fernandes,"
    "Le Gall,Le Goff,Le Roux,Le Bihan,Le Floch,Kerhervé,Le Corre,"
    "De La Fontaine,Du Pont,D'Arcy,De Sousa,Van Damme,Schmitt,Muller,Meyer,Weber,Klein"
)
OTHER_SURNAMES = [n for n in _OTHER_SURNAMES.split(",")]
_SYL_START_TEXT = (
    "Ber Char Mal Pou Gui Lam Rou Fa Bou Ché Dela Mon Ro Vau Cou Lef Gau Mar Pel Tes Tou Ven "
    "Bra Cas Dou Fer Gil Jou La Ma Pe Ri Sa Va Bar Cha Dé Flo Gra Hu Lo Mé No Pa Qué Ré Su Ti"
)
_SYL_START = [s for s in _SYL_START_TEXT.split()]
_SYL_MID = ["la", "ri", "ve", "gno", "mon", "ti", "bo", "ché", "lle", "na", "de", "vi", "pa"]
_SYL_MID += ["ssi", "rou", "ga", "", "mi", "lo", "teau", "beau"]
_SYL_END = ["t", "ard", "eau", "ier", "in", "on", "et", "ault", "and", "oux", "ette", "ais"]
_SYL_END += ["é", "ac", "y", "ot", "ez", "ès", "aud", "ois", "ère", "elle"]
_MALE_MORE = (
    "Mohamed Mohammed Ahmed Youssef Karim Rachid Mamadou Moussa Ibrahim Abdoulaye Oumar Ali "
    "Mehdi Bilal Sofiane Ion Vasile Oleksandr Piotr Minh Tuan Jean-Pierre Jean-Claude "
    "Jean-Marc Jean-Luc Pierre-Yves Jean-François Marc-Antoine Kevin Dylan Enzo"
)
MALE = list(_PERSON.first_names_male) + [n for n in _MALE_MORE.split()]
_FEMALE_MORE = (
    "Fatima Fatoumata Aïcha Khadija Nadia Leïla Samira Yasmina Mariam Awa Aminata Oksana "
    "Elena Ioana Thi Linh Marie-Claire Marie-Christine Anne-Sophie Marie-Hélène Marie-Thérèse "
    "Zoé Chloé Inès Maëlle Noémie Océane Jessica"
)
FEMALE = list(_PERSON.first_names_female) + [n for n in _FEMALE_MORE.split()]
_PLACES = (
    "Paris,Marseille,Lyon,Toulouse,Nice,Nantes,Strasbourg,Montpellier,Bordeaux,Lille,Rennes,"
    "Reims,Saint-Étienne,Toulon,Le Havre,Grenoble,Dijon,Angers,Nîmes,Villeurbanne,"
    "Clermont-Ferrand,Le Mans,Aix-en-Provence,Brest,Tours,Amiens,Limoges,Annecy,Perpignan,Metz,"
    "Besançon,Orléans,Mulhouse,Colmar,Rouen,Caen,Nancy,Argenteuil,Montreuil,Roubaix,Tourcoing,"
    "Avignon,Poitiers,Alger,Oran,Casablanca,Tunis,Dakar,Bamako,Abidjan,Conakry,Kinshasa,"
    "Bucarest,Kiev,Hanoï,Istanbul"
)
PLACES = [p for p in _PLACES.split(",")]


def _surname_pool(rng: random.Random) -> tuple[list[str], list[float]]:
    generated = sorted(
        {a + b + c for a in _SYL_START for b in _SYL_MID for c in _SYL_END}
        | {
            a + b + m + c
            for a in _SYL_START
            for b in _SYL_MID[:8]
            for m in _SYL_MID[8:]
            for c in _SYL_END
        }
    )
    names = COMMON_SURNAMES + OTHER_SURNAMES + generated
    # France: the commonest name (Martin) is ≈ 0.4 %, the 400 commonest ≈ 12 %, then a long tail.
    top = [r**-0.5 for r in range(1, len(COMMON_SURNAMES) + 1)]
    top = [0.12 * w / sum(top) for w in top]
    other = [0.05 / len(OTHER_SURNAMES)] * len(OTHER_SURNAMES)
    tail = [0.83 / len(generated)] * len(generated)
    return names, top + other + tail


def _first_weights(names: list[str]) -> list[float]:
    return [r**-0.7 for r in range(1, len(names) + 1)]


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice("sdit")
    letter = rng.choice("aeiourstnlm")
    if kind == "s":
        return word[:i] + letter + word[i + 1 :]
    if kind == "d":
        return word[:i] + word[i + 1 :]
    if kind == "i":
        return word[:i] + letter + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


_PHONETIC = [
    ("ph", "f"),
    ("f", "ph"),
    ("y", "i"),
    ("i", "y"),
    ("é", "ai"),
    ("ai", "é"),
    ("eau", "o"),
    ("o", "au"),
    ("ou", "u"),
    ("c", "k"),
    ("k", "c"),
    ("qu", "k"),
    ("ss", "s"),
    ("s", "ss"),
    ("ll", "l"),
    ("l", "ll"),
    ("tt", "t"),
    ("t", "tt"),
    ("nn", "n"),
    ("mm", "m"),
    ("t", "d"),
    ("d", "t"),
    ("an", "en"),
    ("en", "an"),
    ("ch", "sch"),
    ("oi", "oy"),
    ("med", "med"),
    ("o", "ou"),
    ("e", "è"),
    ("ault", "aut"),
    ("x", "s"),
]


def phonetic_variant(rng: random.Random, word: str) -> str:
    lower = word.lower()
    options = [(a, b) for a, b in _PHONETIC if a in lower[1:]]
    if not options:
        return typo(rng, word)
    a, b = rng.choice(options)
    i = lower.index(a, 1)
    return word[:i] + b + word[i + len(a) :]


def format_date(rng: random.Random, year: int | None, month=None, day=None) -> str:
    if not year:
        return ""
    style = rng.random()
    if day and month:
        if style < 0.4:
            return f"{year:04d}-{month:02d}-{day:02d}"
        if style < 0.8:
            return f"{day:02d}/{month:02d}/{year:04d}"
        return f"{year:04d}{month:02d}{day:02d}"
    if month:
        return rng.choice(
            [f"{year:04d}-{month:02d}", f"00/{month:02d}/{year:04d}", f"{year:04d}{month:02d}00"]
        )
    return rng.choice([f"{year:04d}", f"{year:04d}0000"])


class Population:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.surnames, weights = _surname_pool(self.rng)
        self.surname_cum = list(itertools.accumulate(weights))
        self.male_w = list(itertools.accumulate(_first_weights(MALE)))
        self.female_w = list(itertools.accumulate(_first_weights(FEMALE)))

    def surname(self) -> str:
        return self.rng.choices(self.surnames, cum_weights=self.surname_cum)[0]

    def person(self) -> dict:
        rng = self.rng
        sex = rng.choice("FM")
        pool, weights = (FEMALE, self.female_w) if sex == "F" else (MALE, self.male_w)
        firsts = [rng.choices(pool, cum_weights=weights)[0]]
        if rng.random() < 0.3:
            firsts += rng.choices(pool, cum_weights=weights, k=rng.choice([1, 1, 2]))
        birth = self.surname()
        if rng.random() < 0.04:  # compound surname
            birth = f"{birth}-{self.surname()}"
        year = rng.randint(1940, 2008)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        usage = ""
        if sex == "F" and year < 1998 and rng.random() < 0.35:
            usage = self.surname()
        return {
            "birth_name": birth,
            "usage_name": usage,
            "first_names": firsts,
            "sex": sex,
            "date": (year, month, day),
            "birth_place": rng.choice(PLACES) if rng.random() < 0.6 else "",
        }

    def record(self, p: dict, corrupt: int = 0) -> dict:
        """One record of person p: its usual rendering, with `corrupt` faults."""
        rng = self.rng
        last = p["usage_name"] or p["birth_name"]
        birth_name = p["birth_name"] if p["usage_name"] else ""
        firsts = list(p["first_names"])
        year, month, day = p["date"]
        sex, place = p["sex"], p["birth_place"]
        faults = rng.sample(FAULTS, k=corrupt, counts=FAULT_WEIGHTS) if corrupt else []
        for fault in faults:
            if fault == "accents":
                last, firsts = strip_accents(last).upper(), [strip_accents(f) for f in firsts]
            elif fault == "last_typo":
                last = typo(rng, last)
            elif fault == "first_typo":
                firsts[0] = typo(rng, firsts[0])
            elif fault == "phonetic":
                last = phonetic_variant(rng, last)
            elif fault == "first_phonetic":
                firsts[0] = phonetic_variant(rng, firsts[0])
            elif fault == "hyphen":
                if "-" in last:
                    last = rng.choice([last.replace("-", " "), last.split("-")[0]])
                elif "-" in firsts[0]:
                    firsts[0] = rng.choice([firsts[0].replace("-", " "), firsts[0].split("-")[0]])
                else:
                    last = last.replace(" ", "")
            elif fault == "first_order":
                if len(firsts) > 1:
                    firsts = rng.choice([firsts[::-1], firsts[:1], firsts[1:]])
                else:
                    firsts = firsts + [rng.choice(MALE if sex == "M" else FEMALE)]
            elif fault == "usage":
                if p["usage_name"]:
                    last, birth_name = rng.choice(
                        [
                            (p["birth_name"], ""),
                            (p["usage_name"], ""),
                            (p["usage_name"], p["birth_name"]),
                        ]
                    )
            elif fault == "swap_names":
                last, firsts = " ".join(firsts), [last]
            elif fault == "date_swap" and day:
                if day <= 12 and day != month:
                    month, day = day, month
                else:
                    day = day + 1
            elif fault == "date_typo" and day:
                which = rng.choice("ymd")
                if which == "y":
                    year = year + rng.choice([-1, 1, 10, -10])
                elif which == "m":
                    month = (month % 12) + 1
                else:
                    day = min(28, day + rng.choice([1, 10])) if day < 19 else day - 10
            elif fault == "date_partial":
                month, day = rng.choice([(None, None), (month, None)])
            elif fault == "date_missing":
                year = month = day = None
            elif fault == "place":
                place = rng.choice(["", rng.choice(PLACES), strip_accents(place).upper()])
            elif fault == "sex_missing":
                sex = ""
        return {
            "last_name": last,
            "first_name": " ".join(firsts),
            "birth_date": format_date(rng, year, month, day),
            "birth_name": birth_name,
            "sex": sex,
            "birth_place": place,
        }


FAULTS = [
    "accents",
    "last_typo",
    "first_typo",
    "phonetic",
    "first_phonetic",
    "hyphen",
    "first_order",
    "usage",
    "swap_names",
    "date_swap",
    "date_typo",
    "date_partial",
    "date_missing",
    "place",
    "sex_missing",
]
FAULT_WEIGHTS = [6, 4, 3, 3, 2, 2, 3, 3, 1, 2, 2, 2, 1, 2, 1]


def generate(records: int, seed: int = 1) -> list[dict]:
    """`records` rows: persons with a first record, and duplicates of about a quarter of them."""
    population = Population(seed)
    rng = population.rng
    rows: list[dict] = []
    cluster = 0
    while len(rows) < records:
        person = population.person()
        cluster += 1
        copies = 0
        if rng.random() < 0.25:
            copies = 1 if rng.random() < 0.8 else 2
        for n in range(1 + copies):
            corrupt = 0 if n == 0 else rng.choices([1, 2, 3], [50, 35, 15])[0]
            rows.append({**population.record(person, corrupt), "cluster": cluster})
    rows = rows[:records]
    rng.shuffle(rows)
    for index, row in enumerate(rows, start=1):
        row["id"] = index
    return rows


COLUMNS = [
    "id",
    "last_name",
    "first_name",
    "birth_date",
    "birth_name",
    "sex",
    "birth_place",
    "cluster",
]


def write(rows: list[dict], path: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--output", required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write(generate(args.records, args.seed), args.output)
