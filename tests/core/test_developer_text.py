"""The scan every browser snap() and the page walk apply: precise on both sides."""

import pytest

from tests.developer_text import developer_text, unstyled_inputs, visible_text


@pytest.mark.parametrize(
    "text",
    [
        "main.is_indebted : « True » → « True »",
        "Consultation requests.householdmember (person) n° 3",
        "person n° 214",
        "transition : preposition, filters : {'q': 'x'}",
        "Nature du titre de séjour ---------",
        "403 Forbidden",
        "Not Found",
        "Canal : emergency",
        "La contrainte « placecapacity_age_range » n'est pas respectée.",
        "Valeur : None",
    ],
)
def test_sec_04_the_scan_finds_developer_text(text):
    assert developer_text(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Mme Dupont, 1 enfant, hébergée au CHRS Les Tilleuls depuis le 02/12/2026.",
        "Écrivez à jean_dupont@ccas-mulhouse.fr ou voyez https://www.service-public.fr/a_b.",
        "Exclusion du logement ; intérim ; PACS ; Hôtel ; réorientation vers une structure.",
        "Orientation n° 12 : admission acceptée. Notification envoyée à l'organisation.",
        "Demande d'insertion / stabilisation, urgence : Non renseigné, Oui, Non.",
    ],
)
def test_sec_04_the_scan_leaves_french_text_alone(text):
    assert developer_text(text) == []


def test_sec_04_the_scan_reads_only_visible_text():
    html = (
        '<head><title>x_y</title></head><body><a href="/demandes/?page_number=2">Page 2</a>'
        "<script>var is_done = true;</script><p hidden>None</p><p>Texte <b>lisible</b></p></body>"
    )
    assert visible_text(html) == "Page 2 Texte lisible"
    assert developer_text(visible_text(html)) == []


def test_sec_04_inputs_without_their_dsfr_class_are_found():
    html = '<input type="text" name="code"><input class="fr-input" name="ok"><input type="hidden">'
    assert unstyled_inputs(html) == ["<input name='code' class=[]>"]
