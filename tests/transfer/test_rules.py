"""OPS-03: what the export holds, and an import that writes all or nothing."""

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models

from relais.accounts.models import Territory
from relais.persons.models import Person
from relais.transfer import importer
from relais.transfer.exporter import export_territory
from relais.transfer.importer import ImportRefused, import_territory
from relais.transfer.tables import EXCLUDED, all_models, unknown_models
from tests.factories import PersonFactory, make_request

from .helpers import counts, empty_database

pytestmark = pytest.mark.django_db


def exported(territory: Territory) -> io.BytesIO:
    archive = io.BytesIO()
    export_territory(territory, archive)
    archive.seek(0)
    return archive


def table(archive: io.BytesIO, label: str) -> list[dict]:
    with zipfile.ZipFile(archive) as opened:
        return [json.loads(line) for line in opened.read(f"tables/{label}.jsonl").splitlines()]


def test_ops_03_every_table_is_exported_or_excluded_with_a_reason():
    assert unknown_models() == []
    labels = {m._meta.label_lower for m in all_models()}
    for label, reason in EXCLUDED.items():
        assert label in labels, f"{label}: excluded but no such table"
        assert len(reason) > 20, label


def test_ops_03_a_new_table_the_export_cannot_place_stops_it(territory):
    class Orphan(models.Model):
        note = models.TextField()

        class Meta:
            app_label = "transfer"

        def __str__(self) -> str:
            return self.note

    try:
        assert unknown_models() == ["transfer.orphan (aucun lien avec les autres tables exportées)"]
        with pytest.raises(RuntimeError, match="transfer.orphan"):
            export_territory(territory, io.BytesIO())
    finally:
        del apps.all_models["transfer"]["orphan"]
        apps.clear_cache()
    assert unknown_models() == []


def test_ops_03_another_territorys_rows_stay_out(social_worker, remote_worker, territory):
    ours = make_request(referrer=social_worker)
    theirs = make_request(referrer=remote_worker)
    archive = exported(territory)
    assert {r["id"] for r in table(archive, "requests.request")} == {ours.pk}
    persons = {p["id"] for p in table(archive, "persons.person")}
    assert ours.person_id in persons and theirs.person_id not in persons
    assert remote_worker.pk not in {u["id"] for u in table(archive, "accounts.user")}
    assert {t["id"] for t in table(archive, "accounts.territory")} == {territory.pk}


def test_ops_03_import_refuses_a_database_that_is_not_empty(social_worker, territory):
    make_request(referrer=social_worker)
    archive, before = exported(territory), counts()
    with pytest.raises(ImportRefused, match="Rien n'a été écrit"):
        import_territory(archive)
    assert counts() == before


def test_ops_03_import_refuses_a_row_already_there(social_worker, territory):
    request = make_request(referrer=social_worker)
    archive = exported(territory)
    empty_database()
    PersonFactory(pk=request.person_id)  # another person, under an exported id
    before = counts()
    with pytest.raises(ImportRefused, match="personnes : 1"):
        import_territory(archive)
    assert counts() == before


def test_ops_03_an_import_that_fails_half_way_writes_nothing(social_worker, territory, monkeypatch):
    make_request(referrer=social_worker)
    archive = exported(territory)
    empty_database()
    before = counts()

    def fail() -> None:
        raise RuntimeError("disque plein")

    monkeypatch.setattr(importer, "_restore_chain_head", fail)
    with pytest.raises(RuntimeError, match="disque plein"):
        import_territory(archive)
    assert counts() == before
    assert not Territory.objects.exists() and not Person.objects.exists()


def test_ops_03_a_damaged_zip_is_refused(social_worker, territory, tmp_path):
    make_request(referrer=social_worker)
    damaged = tmp_path / "abime.zip"
    with zipfile.ZipFile(exported(territory)) as source, zipfile.ZipFile(damaged, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "tables/requests.request.jsonl":
                data = data.replace(b'"notes": ""', b'"notes": "x"')
            out.writestr(item, data)
    empty_database()
    with pytest.raises(
        CommandError, match="requests.request.jsonl de l'export est absent ou abîmé"
    ):
        call_command("import_territory", str(damaged))
    assert not Territory.objects.exists()
