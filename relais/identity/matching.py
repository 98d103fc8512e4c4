"""The identity engine (IDV-01): blocking keys and an explained score for a pair of identities.

The score is a Fellegi–Sunter style sum of per-trait weights (log2 of how much more often
that level of agreement happens between two records of one person than between two records
of different persons), turned into a probability. Each trait's level is kept, so every
proposed pair can say which traits matched — in French for users, as codes in CSV files.

The entry check, the review queue, the merge screen and `find_duplicates` all use this module.
"""

import hashlib
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA, JaroWinkler

from .normalize import Name, PartialDate, fold, make_date, parse_name, phonetic, skeleton

# A pair at or above MATCH is very likely the same person; between REVIEW and MATCH a human
# decides. Below REVIEW it is not proposed.
MATCH = 0.9
REVIEW = 0.3
# log2 prior odds that a pair sharing a blocking key is one person.
PRIOR = -11.0


class Decision:
    MATCH = "match"
    REVIEW = "review"


@dataclass(frozen=True, slots=True)
class Identity:
    """The traits used for matching, already normalised."""

    last_names: tuple[Name, ...]
    first_names: Name
    sex: str = ""
    birth: PartialDate = field(default_factory=PartialDate)
    birth_place: str = ""

    @classmethod
    def build(
        cls,
        *,
        birth_name: str = "",
        usage_name: str = "",
        first_names: str = "",
        sex: str = "",
        birth: PartialDate | None = None,
        birth_place: str = "",
    ) -> "Identity":
        names = []
        for text in (birth_name, usage_name):
            name = parse_name(text or "")
            if name and name not in names:
                names.append(name)
        sex = (sex or "").strip().upper()[:1]
        return cls(
            last_names=tuple(names),
            first_names=parse_name(first_names or ""),
            sex=sex if sex in ("F", "M") else "",
            birth=birth or PartialDate(),
            birth_place=fold(birth_place or ""),
        )

    @classmethod
    def of_person(cls, person) -> "Identity":
        """From a relais.requests Person (or any object with the same attributes)."""
        return cls.build(
            birth_name=person.birth_name,
            usage_name=person.usage_name,
            first_names=person.first_names,
            sex=person.sex,
            birth=make_date(person.birth_year, person.birth_month, person.birth_day),
            birth_place=person.birth_place,
        )


# -- blocking keys -----------------------------------------------------------------------------


def _last_name_forms(identity: Identity) -> set[str]:
    forms = set()
    for name in identity.last_names:
        forms.add(skeleton(name.core))
        if len(name.significant) > 1:  # compound: each part may be used alone
            forms.update(skeleton(t) for t in name.significant if len(t) >= 3)
    forms.discard("")
    return forms


def _first_name_forms(identity: Identity) -> set[str]:
    tokens = identity.first_names.significant[:2]
    forms = {skeleton(t) for t in tokens}
    if len(tokens) > 1:
        forms.add(skeleton("".join(tokens)))
    forms.discard("")
    return forms


def blocking_keys(identity: Identity) -> set[str]:
    """Readable keys; two identities are compared only when they share at least one.

    Keys pair a phonetic skeleton with another trait, so that any single trait may be wrong
    or missing: (last, first) in either order, (last, birth year), (last, full birth date)
    and (first, full birth date), the dates also with day and month exchanged.
    """
    last, first = _last_name_forms(identity), _first_name_forms(identity)
    keys = {"nf:" + "|".join(sorted((ln, fn))) for ln in last for fn in first}
    birth = identity.birth
    if birth.year:
        keys.update(f"ny:{ln}|{birth.year}" for ln in last)
    if birth.is_full:
        dates = [birth.iso()]
        if swapped := birth.swapped():
            dates.append(swapped.iso())
        keys.update(f"ld:{ln}|{d}" for ln in last for d in dates)
        keys.update(f"fd:{fn}|{d}" for fn in first for d in dates)
    return keys


def key_hash(key: str) -> int:
    """A signed 64-bit hash of a key: the database stores and indexes this integer."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


# -- comparison --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TraitResult:
    trait: str  # last_name, first_names, birth_date, sex, birth_place
    level: str  # exact, phonetic, typo, compound, … — see LABELS
    weight: float

    @property
    def label(self) -> str:
        return LABELS.get((self.trait, self.level)) or LABELS[("*", self.level)]

    @property
    def agrees(self) -> bool:
        return self.weight > 0


LABELS = {
    ("*", "exact"): "identique",
    ("*", "phonetic"): "se prononce pareil",
    ("*", "typo"): "une lettre diffère",
    ("*", "close"): "proche",
    ("*", "sound"): "sonorité voisine",
    ("*", "different"): "différent",
    ("*", "missing"): "non renseigné",
    ("*", "compound"): "une partie du nom composé en commun",
    ("*", "swapped_names"): "nom et prénom inversés",
    ("last_name", "usage"): "identique au nom d'usage",
    ("first_names", "reordered"): "mêmes prénoms dans un autre ordre",
    ("first_names", "first"): "premier prénom identique",
    ("first_names", "shared"): "un des prénoms en commun",
    ("birth_date", "exact"): "identique",
    ("birth_date", "swapped"): "jour et mois inversés",
    ("birth_date", "typo"): "un chiffre diffère",
    ("birth_date", "partial"): "compatible (date incomplète)",
    ("birth_date", "same_year"): "même année, jour ou mois différent",
    ("birth_date", "different"): "différente",
    ("birth_date", "missing"): "non renseignée",
}

TRAIT_LABELS = {
    "last_name": "Nom",
    "first_names": "Prénom(s)",
    "birth_date": "Date de naissance",
    "sex": "Sexe",
    "birth_place": "Lieu de naissance",
}

_LAST_WEIGHTS = {
    "exact": 9.0,
    "usage": 8.5,
    "phonetic": 7.5,
    "typo": 6.5,
    "compound": 6.0,
    "sound": 4.0,
    "close": 2.0,
    "different": -6.0,
}
_FIRST_WEIGHTS = {
    "exact": 8.0,
    "reordered": 7.5,
    "first": 7.0,
    "phonetic": 6.5,
    "typo": 6.0,
    "shared": 5.0,
    "sound": 3.5,
    "close": 1.5,
    "different": -6.0,
}
_DATE_WEIGHTS = {
    "exact": 11.0,
    "swapped": 8.0,
    "typo": 6.5,
    "same_year": -5.0,
    "different": -9.0,
}


def _string_level(a: str, b: str) -> str | None:
    """exact / phonetic / typo / sound / close between two folded words, or None."""
    if not a or not b:
        return None
    if a == b:
        return "exact"
    if phonetic(a) == phonetic(b):
        return "phonetic"
    shortest = min(len(a), len(b))
    if shortest >= 4 and OSA.distance(a, b) <= (2 if shortest >= 9 else 1):
        return "typo"
    if skeleton(a) == skeleton(b) and shortest >= 3:
        return "sound"
    if JaroWinkler.similarity(a, b) >= 0.88:
        return "close"
    return None


def _compare_last_pair(a: Name, b: Name) -> str:
    level = _string_level(a.core, b.core)
    if level == "exact" or a.joined == b.joined:
        return "exact"
    if level in ("phonetic", "typo"):
        return level
    shared = {t for t in a.significant if len(t) >= 3} & set(b.significant)
    if shared or (a.core in b.core or b.core in a.core) and min(len(a.core), len(b.core)) >= 4:
        return "compound"
    return level or "different"


def compare_last_names(a: Identity, b: Identity) -> TraitResult:
    if not a.last_names or not b.last_names:
        return TraitResult("last_name", "missing", 0.0)
    best = ("different", -99.0)
    for i, name_a in enumerate(a.last_names):
        for j, name_b in enumerate(b.last_names):
            level = _compare_last_pair(name_a, name_b)
            if level == "exact" and (i or j):
                level = "usage"  # birth name on one side is the usage name on the other
            weight = _LAST_WEIGHTS[level]
            if weight > best[1]:
                best = (level, weight)
    return TraitResult("last_name", *best)


def compare_first_names(a: Name, b: Name) -> TraitResult:
    if not a or not b:
        return TraitResult("first_names", "missing", 0.0)
    if a.joined == b.joined:
        level = "exact"
    elif sorted(a.tokens) == sorted(b.tokens):
        level = "reordered"
    elif a.tokens[0] == b.tokens[0]:
        level = "first"
    else:
        level = _string_level(a.tokens[0], b.tokens[0]) or _string_level(a.joined, b.joined)
        if level not in ("phonetic", "typo"):
            if {t for t in a.tokens if len(t) >= 3} & set(b.tokens):
                level = "shared"
            elif level is None:
                level = "different"
    return TraitResult("first_names", level, _FIRST_WEIGHTS[level])


def _digit_typo(x: int, y: int, width: int) -> bool:
    """One digit differs, or two neighbouring digits are exchanged (1985/1958 is not)."""
    sx, sy = f"{x:0{width}d}", f"{y:0{width}d}"
    return OSA.distance(sx, sy) == 1


def compare_birth_dates(a: PartialDate, b: PartialDate) -> TraitResult:
    if not a or not b:
        return TraitResult("birth_date", "missing", 0.0)
    if a.is_full and b.is_full:
        if a == b:
            level = "exact"
        elif a.swapped() == b:
            level = "swapped"
        else:
            parts = [(a.year, b.year, 4), (a.month, b.month, 2), (a.day, b.day, 2)]
            diff = [(x, y, w) for x, y, w in parts if x != y]
            if len(diff) == 1 and _digit_typo(*diff[0]):
                level = "typo"
            elif a.year == b.year:
                level = "same_year"
            else:
                level = "different"
        return TraitResult("birth_date", level, _DATE_WEIGHTS[level])
    # At least one side is partial: compare the parts both know.
    known = [(a.year, b.year, 4, 3.0), (a.month, b.month, 2, 2.5), (a.day, b.day, 2, 0.0)]
    weight = 0.0
    for x, y, width, w in known:
        if x is None or y is None:
            break
        if x != y:
            if width == 4 and _digit_typo(x, y, 4):
                return TraitResult("birth_date", "typo", 1.0)
            return TraitResult("birth_date", "different", -6.0 if width == 4 else -2.0)
        weight += w
    return TraitResult("birth_date", "partial", weight)


def compare_sex(a: str, b: str) -> TraitResult:
    if not a or not b:
        return TraitResult("sex", "missing", 0.0)
    return TraitResult("sex", *(("exact", 0.5) if a == b else ("different", -4.0)))


def compare_birth_places(a: str, b: str) -> TraitResult:
    if not a or not b:
        return TraitResult("birth_place", "missing", 0.0)
    level = _string_level(a.replace(" ", ""), b.replace(" ", ""))
    weight = {"exact": 2.5, "phonetic": 2.0, "typo": 2.0, "sound": 1.0, "close": 0.5}
    return TraitResult("birth_place", level or "different", weight.get(level, -1.5))


@dataclass(frozen=True, slots=True)
class Comparison:
    score: float
    traits: tuple[TraitResult, ...]

    @property
    def decision(self) -> str | None:
        if self.score >= MATCH and self.dates_agree:
            return Decision.MATCH
        if self.score >= REVIEW:
            return Decision.REVIEW
        return None

    @property
    def dates_agree(self) -> bool:
        """Without agreeing birth dates, names alone never make a match: a human decides.

        (The DMP rule; on 1 M synthetic persons, common names with a missing or different
        date were most of the wrong matches.)
        """
        return any(t.trait == "birth_date" and t.weight > 0 for t in self.traits)

    @property
    def reasons(self) -> str:
        """Machine-readable explanation: 'last_name=exact;first_names=typo;birth_date=swapped'."""
        return ";".join(f"{t.trait}={t.level}" for t in self.traits if t.level != "missing")

    def explained(self) -> list[dict]:
        """One line per trait for templates: label, verdict and whether it agrees."""
        return [
            {"trait": TRAIT_LABELS[t.trait], "verdict": t.label, "agrees": t.agrees}
            for t in self.traits
        ]


def compare(a: Identity, b: Identity) -> Comparison:
    """Score two identities; the result explains every trait."""
    last = compare_last_names(a, b)
    first = compare_first_names(a.first_names, b.first_names)
    if last.weight + first.weight < 6:
        crossed = _compare_swapped_names(a, b)
        if crossed and crossed.weight > last.weight + first.weight + 2:
            last, first = crossed, TraitResult("first_names", "swapped_names", 0.0)
    traits = (
        last,
        first,
        compare_birth_dates(a.birth, b.birth),
        compare_sex(a.sex, b.sex),
        compare_birth_places(a.birth_place, b.birth_place),
    )
    total = PRIOR + sum(t.weight for t in traits)
    return Comparison(score=1.0 / (1.0 + 2.0 ** (-total)), traits=traits)


def _compare_swapped_names(a: Identity, b: Identity) -> TraitResult | None:
    """Last and first names typed in each other's field, on one side."""
    if not (a.last_names and b.last_names and a.first_names and b.first_names):
        return None
    a_last_as_first = Identity(last_names=(a.first_names,), first_names=a.last_names[0])
    last = compare_last_names(a_last_as_first, b)
    first = compare_first_names(a.last_names[0], b.first_names)
    return TraitResult("last_name", "swapped_names", last.weight + first.weight - 1.0)
