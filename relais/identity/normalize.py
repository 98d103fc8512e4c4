"""French-aware normalisation of identity traits (IDV-01).

Names are folded (accents, case, ligatures, punctuation), split into tokens on spaces,
hyphens and apostrophes, and particles (de, du, le…) are set aside so that "de la Fontaine",
"DELAFONTAINE" and "Fontaine" can meet. Dates may be partial (year, or year and month) and
arrive in several spellings. Everything here is pure Python and cached: the same functions
serve the entry check, the review queue and the bulk command.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

PARTICLES = frozenset(
    [
        "de",
        "du",
        "des",
        "d",
        "le",
        "la",
        "les",
        "l",
        "van",
        "von",
        "der",
        "den",
        "di",
        "da",
        "dos",
        "do",
        "del",
        "della",
        "dello",
        "y",
        "zu",
        "ten",
        "ter",
    ]
)
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})
_NON_LETTERS = re.compile(r"[^a-z]+")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case a-z and single spaces: accents, ligatures and punctuation removed."""
    text = (text or "").casefold().translate(_LIGATURES)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _NON_LETTERS.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Name:
    """A folded name: all its tokens, the significant ones (no particles), and joined forms."""

    tokens: tuple[str, ...]
    significant: tuple[str, ...]

    @property
    def joined(self) -> str:
        """Every token glued together: 'le gall' and 'legall' give the same 'legall'."""
        return "".join(self.tokens)

    @property
    def core(self) -> str:
        """Without particles: 'de la fontaine' gives 'fontaine'."""
        return "".join(self.significant)

    def __bool__(self) -> bool:
        return bool(self.tokens)


@lru_cache(maxsize=200_000)
def parse_name(text: str) -> Name:
    tokens = tuple(fold(text).split())
    significant = tuple(t for t in tokens if t not in PARTICLES) or tokens
    return Name(tokens=tokens, significant=significant)


# -- phonetic keys -----------------------------------------------------------------------------

# Ordered rewrites from French spelling to sound. Applied to a folded single word.
_PHONETIC_RULES = [
    (re.compile(p), r)
    for p, r in [
        (r"^h", ""),
        (r"sch", "ch"),
        (r"(?<=[aeiouy])s(?=[aeiouy])", "z"),
        (r"ph", "f"),
        (r"th", "t"),
        (r"gu(?=[eiy])", "g"),
        (r"g(?=[eiy])", "j"),
        (r"gn", "n"),
        (r"qu|ck|cq|q", "k"),
        (r"ch|sh", "S"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"x", "ks"),
        (r"w", "v"),
        (r"y", "i"),
        (r"eaux?$", "o"),
        (r"eau|au", "o"),
        (r"ou", "u"),
        (r"oi", "wa"),
        (r"[ae]i", "e"),
        (r"(?<=[aeiou])h", ""),
        (r"h", ""),
        (r"dt$|d$|t$|s$|x$|z$", ""),
        (r"e$", ""),
        (r"bv", "v"),
        (r"(.)\1+", r"\1"),
    ]
]
_VOWELS = re.compile(r"[aeiou]")
_DOUBLES = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def phonetic(word: str) -> str:
    """A French sound spelling of one folded word: 'lefebvre' and 'lefevre' give 'lefevr'."""
    original = word = _DOUBLES.sub(r"\1", word.replace(" ", ""))
    for pattern, replacement in _PHONETIC_RULES:
        word = pattern.sub(replacement, word)
    return word or original  # 's', 'h': too short to have a sound of their own


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """The consonant skeleton of the sound spelling, first letter kept.

    Coarser than `phonetic`, so it survives vowel changes that each published key splits
    differently: Mohamed, Mouhamed, Muhammad → 'mm'; Dupont, Dupond, Dupon → 'dpn'.
    """
    sound = phonetic(word)
    if not sound:
        return ""
    rest = _VOWELS.sub("", sound[1:])
    return _DOUBLES.sub(r"\1", sound[0] + rest)


# -- dates -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A birth date whose month and day may be unknown; all None when nothing is known."""

    year: int | None = None
    month: int | None = None
    day: int | None = None

    def __bool__(self) -> bool:
        return self.year is not None

    @property
    def is_full(self) -> bool:
        return self.day is not None

    def iso(self) -> str:
        """'1985-03-12', '1985-03' or '1985' — the known part only."""
        parts = [f"{self.year:04d}"] if self.year else []
        if self.year and self.month:
            parts.append(f"{self.month:02d}")
            if self.day:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def swapped(self) -> "PartialDate | None":
        """Day and month exchanged, when that also reads as a date and differs."""
        if self.is_full and self.day != self.month and self.day <= 12:
            return PartialDate(self.year, self.day, self.month)
        return None


def make_date(year: int | None, month: int | None = None, day: int | None = None) -> PartialDate:
    """A PartialDate from possibly absent or out-of-range parts; what is implausible is dropped."""
    if not year or not 1850 <= year <= 2100:
        return PartialDate()
    if not month or not 1 <= month <= 12:
        return PartialDate(year)
    if not day or not 1 <= day <= 31:
        return PartialDate(year, month)
    return PartialDate(year, month, day)


_DATE_PATTERNS = [
    # 1985-03-12, 1985-03, 1985 (ISO, partial allowed)
    (re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$"), ("y", "m", "d")),
    # 12/03/1985, 03/1985 (French order, / . or - as separator)
    (re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{1,2})[/.\-](\d{4})$"), ("m", "y")),
    # 19850312 (compact ISO), with 00 for unknown parts
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), ("y", "m", "d")),
]


@lru_cache(maxsize=100_000)
def parse_date(text: str) -> PartialDate:
    """Read a birth date from 'YYYY-MM-DD', 'DD/MM/YYYY' or 'YYYYMMDD', possibly partial.

    Unknown or impossible parts come back as None (00 as a month means unknown); text that
    reads as no date at all gives an empty PartialDate rather than an error, because a
    wrong date must not stop a record from being compared on its names.
    """
    text = (text or "").strip()
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, match.groups(), strict=True))
            return make_date(*(int(parts[k]) if parts.get(k) else None for k in ("y", "m", "d")))
    return PartialDate()
