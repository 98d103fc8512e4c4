"""SIAO-03: the bulk command reads a CSV of persons and writes the likely pairs."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

CSV = (
    "id,last_name,first_name,birth_date,birth_name,sex,birth_place\n"
    "10,Lefèvre,Jean-Pierre,1985-03-12,,M,Mulhouse\n"
    "2,LEFEBVRE,Jean Pierre,03/12/1985,,M,\n"
    "3,Martin,Sophie,19620704,Durand,F,\n"
    "4,Durand,Sophie,04/07/1962,,F,Colmar\n"
    "5,trop,de,champs,ici,F,x,y\n"
    "6,Nguyen,Thi,31/02/19x5,,F,\n"
    "7,Nguyen,Thi\n"
    ",Sans,Identifiant,2000,,,\n"
    "3,Doublon,Identifiant,2000,,,\n"
    "8,Roth,Éric,1970\n"
)


def run(tmp_path, text: str, encoding="utf-8") -> tuple[list[dict], str]:
    source, target = tmp_path / "persons.csv", tmp_path / "pairs.csv"
    source.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    err = io.StringIO()
    call_command("find_duplicates", input=str(source), output=str(target), workers=1, stderr=err)
    with open(target, encoding="utf-8") as f:
        return list(csv.DictReader(f)), err.getvalue()


def test_siao_03_find_duplicates_writes_one_row_per_pair_with_reasons(tmp_path):
    rows, _ = run(tmp_path, CSV)
    assert [(r["id_a"], r["id_b"], r["decision"]) for r in rows] == [
        ("2", "10", "match"),
        ("3", "4", "match"),
    ]
    assert "birth_date=swapped" in rows[0]["reasons"]
    assert 0 <= float(rows[0]["score"]) <= 1
    assert list(rows[0]) == ["id_a", "id_b", "score", "decision", "reasons"]


def test_siao_03_malformed_rows_are_reported_with_their_line_and_skipped(tmp_path):
    _, err = run(tmp_path, CSV)
    assert "ligne 6 : 8 champs au lieu de 7" in err
    assert "ligne 7 : date de naissance illisible « 31/02/19x5 »" in err
    assert "ligne 8 : 3 champs au lieu de 7" in err
    assert "ligne 9 : identifiant vide" in err
    assert "ligne 10 : identifiant « 3 » déjà vu plus haut" in err
    assert "ligne 11" not in err  # optional trailing columns may be left out


def test_siao_03_bad_bytes_skip_only_their_row(tmp_path):
    data = CSV.encode() + b"9,Lef\xe8vre,Jean,1985-03-12\n"
    rows, err = run(tmp_path, data)
    assert "ligne 12 : caractères qui ne sont pas de l'UTF-8" in err
    assert len(rows) == 2


def test_siao_03_a_bom_is_accepted_and_a_bad_header_stops_early(tmp_path):
    rows, _ = run(tmp_path, "\ufeff" + CSV)
    assert len(rows) == 2
    with pytest.raises(CommandError, match="il manque : birth_date"):
        run(tmp_path, "id,last_name,first_name\n1,A,B\n")
