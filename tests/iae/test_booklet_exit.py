"""The skills booklet (IAE-05), the exit synthesis, the handover outside and the exit alert
job (IAE-06)."""

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from relais.iae import exits
from relais.iae.enums import AssessmentKind, SkillFamily
from relais.iae.models import (
    Assessment,
    Consent,
    ExitAlert,
    ExitSynthesis,
    Handover,
    MonthlyHours,
    OutsideFollowUp,
    Parcours,
    ParcoursAction,
    Skill,
)
from relais.justice.models import Detention
from relais.notifications.models import Notification
from tests.factories import UserFactory, make_parcours

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def parcours():
    return make_parcours(state="active")


@pytest.fixture
def coach(parcours):
    return UserFactory(siae_coach=True, organisation=parcours.site.siae)


def _levels(parcours, level: int) -> dict:
    return {f"niveau_{s.pk}": level for s in Skill.referential(parcours.site)}


def _assess(client, parcours, kind, on, level, note=""):
    return client.post(
        reverse("iae:assessment_create", args=[parcours.pk]),
        {"kind": kind, "assessed_on": on.isoformat(), "note": note, **_levels(parcours, level)},
    )


# -- IAE-05 -----------------------------------------------------------------------------------


def test_iae_05_booklet_shows_the_referential_and_the_evolution(client, parcours, coach):
    Skill.objects.create(site=parcours.site, family=SkillFamily.TECHNICAL, label="Cariste")
    client.force_login(coach)
    assert _assess(client, parcours, "entry", _days(-30), 1).status_code == 302
    assert _assess(client, parcours, "follow_up", _days(-10), 3, "Très régulier").status_code == 302
    page = client.get(reverse("iae:booklet", args=[parcours.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    for words in ("Cariste", "Communiquer en français", "Ponctualité et assiduité"):
        assert words in text
    assert "Non acquis" in text and "Acquis" in text
    assert "En progrès (+2 niveaux)" in text
    assert "Très régulier" in text
    assessment = parcours.assessments.get(kind="follow_up")
    assert assessment.ratings.count() == Skill.referential(parcours.site).count()


def test_iae_05_only_one_entry_assessment(client, parcours, coach):
    client.force_login(coach)
    assert _assess(client, parcours, "entry", _days(-30), 2).status_code == 302
    again = _assess(client, parcours, "entry", _days(-5), 3, note="Deuxième essai")
    assert again.status_code == 400
    assert "L&#x27;évaluation d&#x27;entrée est déjà enregistrée" in again.content.decode()
    assert "Deuxième essai" in again.content.decode()
    assert parcours.assessments.filter(kind=AssessmentKind.ENTRY).count() == 1


def test_iae_05_the_database_refusal_of_a_second_entry_is_a_french_message(
    client, parcours, coach, monkeypatch
):
    """Two entry assessments sent at once: the second one meets the constraint, not a 500."""
    from relais.iae import booklet_views

    client.force_login(coach)
    _assess(client, parcours, "entry", _days(-30), 2)
    monkeypatch.setattr(
        booklet_views.AssessmentForm, "clean_kind", lambda form: form.cleaned_data["kind"]
    )
    again = _assess(client, parcours, "entry", _days(-5), 3)
    assert again.status_code == 400
    assert "déjà enregistrée" in again.content.decode()
    assert parcours.assessments.count() == 1


def test_iae_05_a_level_per_skill_is_required(client, parcours, coach):
    client.force_login(coach)
    data = {"kind": "entry", "assessed_on": _days(-3).isoformat(), "note": "x"}
    assert (
        client.post(reverse("iae:assessment_create", args=[parcours.pk]), data).status_code == 400
    )
    assert not Assessment.objects.exists()


def test_iae_05_printable_booklet_for_the_person(client, parcours, coach):
    client.force_login(coach)
    _assess(client, parcours, "entry", _days(-30), 2, "Bon début")
    page = client.get(reverse("iae:booklet_print", args=[parcours.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Mon livret de compétences" in text and "Bon début" in text
    assert 'id="livret"' in text  # large type: relais.css sets it on #livret
    css = (settings.BASE_DIR / "static" / "relais" / "relais.css").read_text()
    assert "#livret, #synthese { font-size: 1.25rem" in css


def test_iae_05_the_cpip_and_the_prison_read_but_do_not_assess(client, parcours):
    prison_staff = UserFactory(prison_staff=True, organisation=parcours.site.establishment)
    for user in (parcours.detention.cpip, prison_staff):
        client.force_login(user)
        assert client.get(reverse("iae:booklet", args=[parcours.pk])).status_code == 200
        assert _assess(client, parcours, "entry", _days(-3), 2).status_code == 403
    assert not Assessment.objects.exists()


def test_iae_05_siae_staff_add_a_technical_skill_to_their_site(client, parcours, coach):
    client.force_login(coach)
    url = reverse("iae:skill_add", args=[parcours.site_id])
    assert client.post(url, {"label": "Soudure à l'arc"}).status_code == 302
    assert parcours.site.skills.filter(label="Soudure à l'arc", family="technical").exists()
    assert client.post(url, {"label": "soudure  à l'arc"}).status_code == 400
    other = UserFactory(siae_coach=True, organisation__territory=parcours.territory)
    client.force_login(other)
    assert client.post(url, {"label": "Autre"}).status_code in (403, 404)


def test_iae_05_siae_access_follows_the_consent(client):
    """Before consent: denied; once recorded: ok; withdrawn: denied again."""
    parcours = make_parcours(state="prescribed", consent=False)
    coach = UserFactory(siae_coach=True, organisation=parcours.site.siae)
    client.force_login(coach)
    urls = [
        reverse(name, args=[parcours.pk])
        for name in ("iae:booklet", "iae:booklet_print", "iae:synthesis", "iae:synthesis_print")
    ]
    assert all(client.get(url).status_code == 404 for url in urls)
    consent = Consent.objects.create(
        parcours=parcours,
        given_on=_days(-1),
        informed=True,
        paper_kept_at="Dossier SPIP",
        recorded_by=parcours.detention.cpip,
    )
    assert all(client.get(url).status_code == 200 for url in urls)
    consent.withdraw(by=parcours.detention.cpip)
    assert all(client.get(url).status_code == 404 for url in urls)


# -- IAE-06: synthesis, sending, handover, follow-ups ------------------------------------------


def _synthesis_data(**values):
    return {
        "skills_acquired": "Conduite de chariot",
        "steps_engaged": "Inscription France Travail",
        "outcome": "employment",
        "outside_conditions": "Un entretien par mois à Mulhouse",
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "30",
        "contacts-0-kind": "france_travail",
        "contacts-0-name": "France Travail Mulhouse",
        "contacts-0-details": "03 89 00 00 00",
        "contacts-0-note": "Rendez-vous pris",
        **values,
    }


def test_iae_06_synthesis_written_by_the_siae_within_consent(client, parcours, coach):
    url = reverse("iae:synthesis", args=[parcours.pk])
    client.force_login(parcours.detention.cpip)
    assert client.post(url, _synthesis_data()).status_code == 403
    prison_staff = UserFactory(prison_staff=True, organisation=parcours.site.establishment)
    client.force_login(prison_staff)
    assert client.get(url).status_code == 403
    assert not ExitSynthesis.objects.exists()
    client.force_login(coach)
    assert client.post(url, _synthesis_data()).status_code == 302
    synthesis = ExitSynthesis.objects.get(parcours=parcours)
    assert synthesis.outside_conditions == "Un entretien par mois à Mulhouse"
    assert synthesis.contacts.get().name == "France Travail Mulhouse"
    parcours.running_consent().withdraw(by=parcours.detention.cpip)
    assert client.post(url, _synthesis_data(outcome="training")).status_code == 404
    assert ExitSynthesis.objects.get(parcours=parcours).outcome == "employment"


def test_iae_06_outside_conditions_only_when_followed_outside(client, parcours, coach):
    parcours.consents.update(continues_outside=False)
    client.force_login(coach)
    url = reverse("iae:synthesis", args=[parcours.pk])
    assert "outside_conditions" not in client.get(url).content.decode()
    assert client.post(url, _synthesis_data()).status_code == 302
    assert ExitSynthesis.objects.get(parcours=parcours).outside_conditions == ""


def test_iae_06_bad_synthesis_keeps_what_was_typed(client, parcours, coach):
    client.force_login(coach)
    url = reverse("iae:synthesis", args=[parcours.pk])
    response = client.post(url, _synthesis_data(outcome="", skills_acquired="Tri des déchets"))
    assert response.status_code == 400
    assert "Tri des déchets" in response.content.decode()
    assert "Indiquez la situation prévue" in response.content.decode()


def test_iae_06_sending_to_the_spip_notifies_the_cpip(client, parcours, coach):
    client.force_login(coach)
    send = reverse("iae:synthesis_send", args=[parcours.pk])
    client.post(send)
    assert not Notification.objects.exists()  # nothing written yet
    client.post(reverse("iae:synthesis", args=[parcours.pk]), _synthesis_data())
    assert client.post(send).status_code == 302
    assert ExitSynthesis.objects.get(parcours=parcours).sent_at is not None
    notice = Notification.objects.get(recipient=parcours.detention.cpip)
    assert notice.parcours_id == parcours.pk
    assert str(parcours.person) in notice.message


def test_iae_06_printable_synthesis(client, parcours, coach):
    client.force_login(coach)
    client.post(reverse("iae:synthesis", args=[parcours.pk]), _synthesis_data())
    MonthlyHours.objects.create(parcours=parcours, month=_days(-40).replace(day=1), hours=120)
    MonthlyHours.objects.create(parcours=parcours, month=_days(-5).replace(day=1), hours=30.5)
    ParcoursAction.objects.create(
        parcours=parcours, kind="clea", title="CléA socle", starts_on=_days(-20), status="obtained"
    )
    _assess(client, parcours, "entry", _days(-30), 3)
    page = client.get(reverse("iae:synthesis_print", args=[parcours.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "150,5 h" in text or "150.5 h" in text
    assert "CléA socle" in text and "certification obtenue" in text
    assert "Ponctualité et assiduité : acquis" in text
    assert "France Travail Mulhouse" in text
    assert f"{parcours.prescribed_on:%d/%m/%Y}" in text


def test_iae_06_handover_makes_the_receiving_cpip_read_the_parcours(client, parcours):
    outside = UserFactory(cpip=True, organisation__territory=parcours.territory)
    booklet = reverse("iae:booklet", args=[parcours.pk])
    client.force_login(outside)
    assert client.get(booklet).status_code == 404
    client.force_login(parcours.detention.cpip)
    response = client.post(
        reverse("iae:handover", args=[parcours.pk]),
        {"receiving_cpip": outside.pk, "handed_over_on": TODAY.isoformat(), "note": "Suivi LC"},
    )
    assert response.status_code == 302
    handover = Handover.objects.get(parcours=parcours)
    assert handover.receiving_spip_id == outside.organisation_id
    assert Notification.objects.get(recipient=outside).parcours_id == parcours.pk
    client.force_login(outside)
    assert client.get(booklet).status_code == 200
    assert client.get(reverse("iae:synthesis", args=[parcours.pk])).status_code == 200


def test_iae_06_only_the_spip_hands_over(client, parcours, coach):
    outside = UserFactory(cpip=True)
    client.force_login(coach)
    response = client.post(
        reverse("iae:handover", args=[parcours.pk]),
        {"receiving_cpip": outside.pk, "handed_over_on": TODAY.isoformat()},
    )
    assert response.status_code == 403
    assert not Handover.objects.exists()


def test_iae_06_outside_follow_up_recorded(client, parcours, coach):
    OutsideFollowUp.plan(parcours, released_on=_days(-100))
    url = reverse("iae:follow_up", args=[parcours.pk, 3])
    client.force_login(coach)
    data = {"checked_on": TODAY.isoformat(), "in_employment_or_training": "true", "note": "CDD"}
    assert client.post(url, data).status_code == 302
    row = OutsideFollowUp.objects.get(parcours=parcours, months=3)
    assert row.in_employment_or_training is True and row.checked_on == TODAY
    prison_staff = UserFactory(prison_staff=True, organisation=parcours.site.establishment)
    client.force_login(prison_staff)
    assert client.post(reverse("iae:follow_up", args=[parcours.pk, 6]), data).status_code == 403
    client.force_login(parcours.detention.cpip)
    missing = {"checked_on": TODAY.isoformat(), "note": "Sans réponse"}
    response = client.post(reverse("iae:follow_up", args=[parcours.pk, 6]), missing)
    assert response.status_code == 400 and "Sans réponse" in response.content.decode()


# -- IAE-06: the exit alert job ---------------------------------------------------------------


def _due_in(parcours: Parcours, days: int) -> None:
    Detention.objects.filter(pk=parcours.detention_id).update(due_on=_days(days))


def test_iae_06_exit_alert_once_per_date_and_again_when_it_moves(parcours, coach):
    parcours.site.exit_alert_weeks = 8
    parcours.site.save()
    _due_in(parcours, 70)  # ten weeks: not yet
    assert exits.run(TODAY).alerts == 0
    _due_in(parcours, 50)
    report = exits.run(TODAY)
    assert report.alerts == 1
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert {coach.pk, parcours.detention.cpip_id} <= recipients
    assert Notification.objects.filter(parcours=parcours).count() == len(recipients)
    assert exits.run(TODAY).alerts == 0
    assert exits.run(_days(1)).alerts == 0
    assert ExitAlert.objects.get(parcours=parcours).release_on == _days(50)
    _due_in(parcours, 40)  # the release date moved
    assert exits.run(TODAY).alerts == 1
    assert ExitAlert.objects.filter(parcours=parcours).count() == 2


def test_iae_06_exit_alert_spares_the_siae_without_consent(parcours, coach):
    parcours.running_consent().withdraw(by=parcours.detention.cpip)
    _due_in(parcours, 10)
    assert exits.run(TODAY).alerts == 1
    assert not Notification.objects.filter(recipient=coach).exists()
    assert Notification.objects.filter(recipient=parcours.detention.cpip).exists()


def test_iae_06_exit_alert_only_for_active_parcours():
    parcours = make_parcours(state="retained")
    _due_in(parcours, 10)
    assert exits.run(TODAY).alerts == 0


def test_iae_06_alert_command_reports_in_french(parcours):
    _due_in(parcours, 10)
    out = StringIO()
    call_command("alert_iae_exits", "--today", TODAY.isoformat(), stdout=out)
    assert "1 alerte de sortie" in out.getvalue()
    out = StringIO()
    call_command("alert_iae_exits", "--today", TODAY.isoformat(), stdout=out)
    assert "0 alerte de sortie" in out.getvalue()


# -- the partials for the parcours page -------------------------------------------------------


def test_iae_06_summaries_hide_the_exit_from_the_prison(rf, parcours, coach):
    from django.template.loader import render_to_string

    prison_staff = UserFactory(prison_staff=True, organisation=parcours.site.establishment)
    shown = render_to_string("iae/_exit_summary.html", {"parcours": parcours, "user": coach})
    hidden = render_to_string(
        "iae/_exit_summary.html", {"parcours": parcours, "user": prison_staff}
    )
    assert "Rédiger la synthèse" in shown
    assert hidden.strip() == ""
    booklet = render_to_string(
        "iae/_booklet_summary.html", {"parcours": parcours, "user": prison_staff}
    )
    assert "Voir le livret" in booklet
