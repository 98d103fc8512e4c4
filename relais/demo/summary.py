"""The French summary printed after loading the demo territory."""

from django.db.models import Count, Q, Sum

from relais.accounts.models import User
from relais.identity.models import PersonPair
from relais.justice.enums import DetentionState
from relais.justice.models import Detention
from relais.persons.models import Household, Person
from relais.places.models import PlaceCapacity, Structure
from relais.releases.models import DryExit, Escalation, FollowUpCheck
from relais.requests.enums import Channel, RequestStatus
from relais.requests.models import Request

from . import avdl, data, implantation


def _table(header: list[str], rows: list[list[str]], *, figures: bool) -> list[str]:
    """Plain-text columns; with `figures`, every column but the first is right-aligned."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        padded = [
            cell.rjust(width) if figures and index else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    return [line(header), line(["-" * width for width in widths]), *(line(row) for row in rows)]


def _detention_lines() -> list[str]:
    detentions = Detention.objects.all()
    held = detentions.filter(state=DetentionState.IN_DETENTION)
    by_prison = ", ".join(
        f"{row['establishment__name']} : {row['n']}"
        for row in held.values("establishment__name").annotate(n=Count("id")).order_by("-n")
    )
    return [
        f"Personnes détenues : {held.count()} ({by_prison}), "
        f"{detentions.filter(state=DetentionState.RELEASED).count()} libérées et suivies "
        "(comptes cpip et operateur.siao)",
        f"Alertes avant la sortie : {Escalation.objects.count()} — sorties sèches aujourd'hui : "
        f"{DryExit.objects.count()} — points de suivi après la sortie : "
        f"{FollowUpCheck.objects.count()}",
    ]


def summary_lines() -> list[str]:
    places = PlaceCapacity.objects.aggregate(
        total=Sum("places"), winter=Sum("places", filter=Q(is_winter_only=True))
    )
    requests = Request.objects.all()
    lines = [
        f"Territoire : {data.TERRITORY_NAME} ({data.TERRITORY_CODE})",
        f"Structures : {Structure.objects.count()} — places : {places['total']} "
        f"(dont {places['winter'] or 0} en mesure hivernale)",
        f"Personnes : {Person.objects.count()} — ménages : {Household.objects.count()}",
        f"Demandes : {requests.count()} (dont {requests.filter(is_direct_admission=True).count()} "
        f"admissions directes, {requests.filter(referrer_organisation__kind='spip').count()} "
        "adressées par le SPIP)",
        f"Doublons à examiner : {PersonPair.objects.to_review().count()} paires de fiches "
        "ressemblantes (compte operateur.siao)",
        *_detention_lines(),
        "",
        "Demandes par dispositif et par état :",
    ]
    counts = {
        (row["channel"], row["status"]): row["n"]
        for row in requests.values("channel", "status").annotate(n=Count("id"))
    }
    header = ["Dispositif", *RequestStatus.labels, "Total"]
    rows = []
    for channel, label in Channel.choices:
        cells = [counts.get((channel, status), 0) for status in RequestStatus.values]
        rows.append([label, *cells, sum(cells)])
    totals = [sum(row[i] for row in rows) for i in range(1, len(header))]
    rows.append(["Total", *totals])
    lines += _table(header, [[str(cell) for cell in row] for row in rows], figures=True)

    lines += ["", f"Comptes de démonstration (mot de passe commun : {data.PASSWORD}) :"]
    usernames = [
        *(spec.username for spec in data.DEMO_ACCOUNTS),
        implantation.ACCOUNT.username,
        avdl.USERNAME,
        data.SUPERUSER.username,
    ]
    users = {
        u.username: u
        for u in User.objects.filter(username__in=usernames).select_related("organisation")
    }
    account_rows = []
    for username in usernames:
        user = users[username]
        role = user.get_role_display() if user.role else "Superutilisateur"
        organisation = user.organisation.name if user.organisation else "—"
        account_rows.append([username, role, organisation, data.PASSWORD])
    header = ["Identifiant", "Rôle", "Organisation", "Mot de passe"]
    lines += _table(header, account_rows, figures=False)
    return lines
