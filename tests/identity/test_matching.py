"""IDV-01: normalisation, phonetic keys, blocking keys and the explained score."""

import datetime as dt
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relais.identity.bulk import candidate_pairs
from relais.identity.matching import (
    MATCH,
    REVIEW,
    Decision,
    Identity,
    blocking_keys,
    compare,
)
from relais.identity.normalize import fold, parse_date, parse_name, phonetic, skeleton

LETTERS = "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæ"
names = st.text(alphabet=LETTERS + LETTERS.upper() + " -'", min_size=1, max_size=30)


def person(last="", first="", date="", *, usage="", sex="", place="") -> Identity:
    return Identity.build(
        birth_name=last,
        usage_name=usage,
        first_names=first,
        sex=sex,
        birth=parse_date(date),
        birth_place=place,
    )


# -- normalisation (property tests) -------------------------------------------------------------


@given(names)
def test_idv_01_fold_is_idempotent_and_plain_ascii(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert set(folded) <= set(string.ascii_lowercase + " ")
    assert "  " not in folded and folded == folded.strip()


@given(names)
def test_idv_01_case_accents_and_hyphens_do_not_change_a_name(text):
    variant = text.upper().replace("-", " ")
    assert parse_name(text).joined == parse_name(variant).joined


@given(names)
def test_idv_01_phonetic_keys_exist_for_every_name_and_have_no_doubles(text):
    word = fold(text).replace(" ", "")
    key = skeleton(word)
    assert bool(key) == bool(word) and bool(phonetic(word)) == bool(word)
    assert all(a != b for a, b in zip(key, key[1:], strict=False))


@given(st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_idv_01_dates_read_the_same_in_every_spelling(day):
    expected = (day.year, day.month, day.day)
    for text in (day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%Y%m%d")):
        parsed = parse_date(text)
        assert (parsed.year, parsed.month, parsed.day) == expected


@given(st.text(max_size=12))
def test_idv_01_any_text_reads_as_a_date_or_as_unknown_without_error(text):
    parsed = parse_date(text)
    assert parsed.year is None or 1850 <= parsed.year <= 2100


@given(names, names, st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_idv_01_a_record_matches_itself_and_shares_keys(last, first, day):
    identity = person(last, first, day.isoformat())
    if fold(last) and fold(first):
        assert compare(identity, identity).decision == Decision.MATCH
        assert blocking_keys(identity)


def test_idv_01_partial_and_invalid_dates():
    assert parse_date("03/1985").iso() == "1985-03"
    assert parse_date("1985").iso() == "1985"
    assert parse_date("19850000").iso() == "1985"
    assert parse_date("1985-13-40").iso() == "1985"
    assert not parse_date("n.c.")
    assert not parse_date("")


def test_idv_01_particles_and_compound_names():
    assert parse_name("de La Fontaine").core == "fontaine"
    assert parse_name("Le Gall").joined == parse_name("LEGALL").joined
    assert parse_name("Martin-Dupont").significant == ("martin", "dupont")


@pytest.mark.parametrize(
    "one,other",
    [("Lefebvre", "Lefèvre"), ("Mohamed", "Mouhamed"), ("Dupont", "Dupond"), ("Schmitt", "Chmit")],
)
def test_idv_01_french_sound_skeletons_agree(one, other):
    assert skeleton(fold(one)) == skeleton(fold(other))


# -- scoring -----------------------------------------------------------------------------------

REFERENCE = person("Lefèvre", "Jean-Pierre", "12/03/1985", sex="M", place="Mulhouse")


@pytest.mark.parametrize(
    "variant,trait,level",
    [
        (person("LEFEVRE", "jean pierre", "1985-03-12"), "last_name", "exact"),
        (person("Lefebvre", "Jean-Pierre", "12/03/1985"), "last_name", "phonetic"),
        (person("Lefèvre", "Pierre Jean", "12/03/1985"), "first_names", "reordered"),
        (person("Lefèvre", "Jean", "12/03/1985"), "first_names", "first"),
        (person("Lefèvre", "Jaen-Pierre", "12/03/1985"), "first_names", "typo"),
        (person("Lefèvre", "Jean-Pierre", "03/12/1985"), "birth_date", "swapped"),
        (person("Lefèvre", "Jean-Pierre", "12/03/1962"), "birth_date", "different"),
        (person("Lefèvre", "Jean-Pierre", "12/03/1986"), "birth_date", "typo"),
        (person("Lefèvre", "Jean-Pierre", "03/1985"), "birth_date", "partial"),
        (person("Lefèvre-Martin", "Jean-Pierre", "12/03/1985"), "last_name", "compound"),
        (person("Martin", "Jean-Pierre", "12/03/1985", usage="Lefèvre"), "last_name", "usage"),
        (person("Jean-Pierre", "Lefèvre", "12/03/1985"), "last_name", "swapped_names"),
    ],
)
def test_idv_01_tolerated_variants_are_found_and_explained(variant, trait, level):
    comparison = compare(REFERENCE, variant)
    levels = {t.trait: t.level for t in comparison.traits}
    assert levels[trait] == level
    assert f"{trait}={level}" in comparison.reasons
    if level not in ("different",):
        assert comparison.decision is not None, comparison.reasons
        assert blocking_keys(REFERENCE) & blocking_keys(variant)


def test_idv_01_clear_variants_are_matches_and_strangers_are_not():
    assert compare(REFERENCE, person("LEFEBVRE", "Jean Pierre", "03/12/1985")).score >= MATCH
    stranger = person("Lefèvre", "Sophie", "04/07/1962", sex="F")
    assert compare(REFERENCE, stranger).score < REVIEW
    assert compare(REFERENCE, person("Martin", "Jean-Pierre", "1990")).score < REVIEW


def test_idv_01_married_name_without_link_goes_to_review_at_least():
    born = person("Durand", "Sophie", "04/07/1962", sex="F")
    married = person("Martin", "Sophie", "04/07/1962", sex="F")
    assert compare(born, married).decision in (Decision.REVIEW, Decision.MATCH)


def test_idv_01_explanation_has_one_french_line_per_trait():
    lines = compare(REFERENCE, person("Lefebvre", "Jean-Pierre", "03/12/1985")).explained()
    assert lines[0] == {"trait": "Nom", "verdict": "se prononce pareil", "agrees": True}
    assert lines[2]["verdict"] == "jour et mois inversés"


def test_idv_01_candidate_pairs_come_from_shared_keys_only():
    identities = {
        1: REFERENCE,
        2: person("Lefebvre", "Jean Pierre", "03/12/1985"),
        3: person("Nguyen", "Thi", "01/01/2000"),
    }
    assert candidate_pairs(identities) == {(1, 2)}


def test_idv_01_names_alone_are_never_a_match_without_an_agreeing_birth_date():
    no_date = person("Lefèvre", "Jean-Pierre", "", sex="M", place="Mulhouse")
    comparison = compare(REFERENCE, no_date)
    assert comparison.score >= MATCH
    assert comparison.decision == Decision.REVIEW
