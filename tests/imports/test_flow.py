"""OPS-02: the import pages and commands — upload, dry run with a progress bar, « Importer »
in one transaction; bad files get French messages, never a 500; who may import is who may
create the same records on screen."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from relais.imports import jobs
from relais.imports.models import ImportJob
from relais.persons.models import Person
from relais.requests.models import Request

from .test_requests_import import CHILD, DURAND, MARTIN, csv

pytestmark = pytest.mark.django_db


def _upload(client, text: str | bytes, *, name="demandes.csv", url="imports:requests"):
    raw = text.encode() if isinstance(text, str) else text
    return client.post(reverse(url), {"file": SimpleUploadedFile(name, raw)})


def test_ops_02_import_from_the_page_preview_then_import(client, social_worker):
    client.force_login(social_worker)
    response = _upload(client, csv(MARTIN, CHILD, DURAND))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "imports:job", args=[job.pk]
    )
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Vérification du fichier : 0 ligne sur 3" in page and 'hx-trigger="every 1s"' in page
    progress = client.get(reverse("imports:job_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert progress.status_code == 200 and progress["HX-Refresh"] == "true"
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "3 lignes à créer" in page and "Importer" in page
    assert not Request.objects.exists()
    response = client.post(reverse("imports:job_run", args=[job.pk]))
    assert response.status_code == 302
    assert Request.objects.count() == 3
    job.refresh_from_db()
    assert job.imported_at is not None and job.content == ""
    # A second click, a reload: nothing more.
    client.post(reverse("imports:job_run", args=[job.pk]))
    assert Request.objects.count() == 3


def test_ops_02_import_progress_advances_slice_by_slice(social_worker):
    # Sixty persons no two of whom look alike (the identity check would stop them).
    names = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard"]
    names += ["Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent"]
    firsts = ["Léa", "Paul", "Inès", "Hugo", "Yanis"]
    lines = [
        f"R{n};;;{names[n % 12]};{firsts[n // 12]};F;{1940 + n};insertion;;;;" for n in range(60)
    ]
    job = jobs.start(kind="requests", user=social_worker, file_name="x.csv", text=csv(*lines))
    job = jobs.advance(job, seconds=0)
    assert 0 < job.checked < 60 and job.previewed_at is None and 0 < job.percent < 100
    while job.previewed_at is None:
        job = jobs.advance(job, seconds=0)
    assert job.checked == 60 and job.summary["create"] == 60 and job.ready
    assert not Person.objects.exists()


def test_ops_02_import_page_shows_errors_by_line_and_the_look_alikes(client, social_worker):
    client.force_login(social_worker)
    _upload(client, csv(MARTIN, "R2;;;Durand;Paul;Z;;insertion;;;;"))
    job = ImportJob.objects.get()
    client.get(reverse("imports:job_progress", args=[job.pk]))
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Le fichier a 1 erreur : rien n'est écrit" in page
    assert "<td>3</td><td>sexe</td>" in page
    assert client.post(reverse("imports:job_run", args=[job.pk])).status_code == 302
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    ("raw", "name", "message"),
    [
        (b"", "vide.csv", "Le fichier est vide."),
        (b"PK\x03\x04 binary", "classeur.csv", "pas un fichier CSV"),
        (b"\x81\x8d\x8f\x90\x9d", "bizarre.csv", "encodage inconnu"),
        ("Référence;Nom\n".encode(), "demandes.csv", "Colonnes manquantes : « prénoms »"),
        (b"a;b;c\n1;2;3\n", "demandes.csv", "aucun nom reconnu"),
        (b"x", "demandes.xlsx", "au format CSV"),
    ],
)
def test_ops_02_import_a_bad_file_gets_a_french_message_never_a_500(
    client, social_worker, raw, name, message
):
    client.force_login(social_worker)
    response = _upload(client, raw, name=name)
    if response.status_code == 302:  # read, but its columns are wrong: shown on the job page
        response = client.get(response["Location"])
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert not Request.objects.exists()


def test_ops_02_import_windows_1252_and_commas_are_read(social_worker):
    text = csv(MARTIN, CHILD).replace(";", ",")
    job = jobs.start(
        kind="requests",
        user=social_worker,
        file_name="x.csv",
        text=text.encode("cp1252").decode("cp1252"),
    )
    job = jobs.advance(job, seconds=5)
    assert job.ready, job.problems


def test_ops_02_import_who_may_not_create_requests_may_not_import(
    client, structure_manager, territory_admin, emergency_line_user
):
    for user in (structure_manager, territory_admin, emergency_line_user):
        client.force_login(user)
        assert client.get(reverse("imports:requests")).status_code == 403
        assert _upload(client, csv(MARTIN)).status_code == 403
    assert not ImportJob.objects.exists() and not Request.objects.exists()
    with pytest.raises(CommandError, match="ne peut pas importer"):
        call_command("import_requests", "/dev/null", "--as", structure_manager.username)


def test_ops_02_import_a_job_is_reached_by_its_sender_only(client, social_worker, colleague):
    job = jobs.start(kind="requests", user=social_worker, file_name="x.csv", text=csv(MARTIN))
    client.force_login(colleague)
    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:job_run", args=[job.pk])).status_code == 404


def test_ops_02_import_commands_dry_run_then_import(tmp_path, capsys, social_worker):
    path = tmp_path / "demandes.csv"
    path.write_bytes(csv(MARTIN, CHILD).encode("utf-8-sig"))
    call_command("import_requests", str(path), "--as", social_worker.username, "--dry-run")
    assert "Simulation : rien n'a été écrit." in capsys.readouterr().out
    assert not Request.objects.exists()
    call_command("import_requests", str(path), "--as", social_worker.username)
    assert Request.objects.count() == 2
    call_command("import_requests", str(path), "--as", social_worker.username)
    assert "2 déjà à jour" in capsys.readouterr().out
    assert Request.objects.count() == 2


def test_ops_02_import_command_errors_are_numbered_and_nothing_is_written(
    tmp_path, capsys, siao_operator
):
    path = tmp_path / "structures.csv"
    path.write_text("Nom de la structure;Type de structure;Gestionnaire\nCHU;palais;Inconnu\n")
    with pytest.raises(CommandError, match="rien n'a été écrit"):
        call_command("import_structures", str(path), "--as", siao_operator.username)
    err = capsys.readouterr().err
    assert "Ligne 2, colonne « type de structure »" in err
