"""Daily job of the placement à l'extérieur agreements (JUS-03): an agreement that ends
within 60 days is signalled to both parties, the SIAO of the structure's territory (its
operators) and the SPIP that signed it (its CPIPs).

    python manage.py alert_pe_agreements            # today
    python manage.py alert_pe_agreements --today 2027-03-01

Idempotent: once per agreement and end date (`AgreementAlert`); an end date that moves (an
amendment) is signalled again when it comes within 60 days. See the README (daily jobs).
"""

from django.db import transaction
from django.urls import reverse

from relais.accounts.enums import OrganisationKind, Role
from relais.accounts.models import User
from relais.core.commands import DailyCommand
from relais.core.text import count_of
from relais.notifications.sending import Notice, notify_all
from relais.places.models import AGREEMENT_ALERT_DAYS, AgreementAlert, PlacementAgreement


def recipients(agreement: PlacementAgreement) -> list[User]:
    siao = User.objects.filter(
        is_active=True,
        role=Role.SIAO_OPERATOR,
        organisation__kind=OrganisationKind.SIAO,
        organisation__territory_id=agreement.structure.territory_id,
    )
    spip = User.objects.filter(is_active=True, role=Role.CPIP, organisation_id=agreement.spip_id)
    return [*siao.order_by("pk"), *spip.order_by("pk")]


def run(today) -> int:
    """Signal every agreement ending within 60 days not yet signalled for its end date."""
    due = (
        PlacementAgreement.objects.ending_within(today, AGREEMENT_ALERT_DAYS)
        .select_related("structure", "spip")
        .order_by("ends_on", "pk")
    )
    notices = []
    with transaction.atomic():
        for agreement in due:
            _, created = AgreementAlert.objects.get_or_create(
                agreement=agreement, ends_on=agreement.ends_on, defaults={"sent_on": today}
            )
            if not created:
                continue
            days = (agreement.ends_on - today).days
            text = (
                f"La convention de placement à l'extérieur « {agreement} » prend fin le "
                f"{agreement.ends_on:%d/%m/%Y} (dans {count_of(days, 'jour')}) : "
                "renouvelez-la ou prévoyez la suite des placements en cours."
            )
            notices.append(
                Notice(
                    recipients=recipients(agreement),
                    message=text,
                    mail=text,
                    link=reverse("places:agreement", args=[agreement.pk]),
                    link_label="Voir la convention",
                )
            )
        notify_all(
            notices,
            subject=f"Conventions de placement à l'extérieur : échéances au {today:%d/%m/%Y}",
            intro=f"Relais a relevé le {today:%d/%m/%Y} les conventions suivantes, qui prennent "
            f"fin dans les {AGREEMENT_ALERT_DAYS} jours.",
        )
    return len(notices)


class Command(DailyCommand):
    help = "Alerte le SIAO et le SPIP 60 jours avant la fin d'une convention de placement à l'extérieur."

    def handle(self, *args, today=None, **options):
        day = self.today(today)
        sent = run(day)
        self.stdout.write(
            f"{day:%d/%m/%Y} : {count_of(sent, 'convention signalée', 'conventions signalées')}."
        )
