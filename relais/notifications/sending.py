"""The one way Relais tells someone something: an in-app notice and an e-mail.

E-mails are sent once the transaction commits (never for a rolled-back change), and every
link in them is absolute, built from settings.RELAIS_SITE_URL (a mail is read outside
Relais, where "/demandes/12/" leads nowhere); they must name no person: the caller gives
an in-app `message` (read in Relais, where access rules apply) and a separate `mail` text.
"""

import contextlib
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse

from .models import Notification

SUBJECT_PREFIX = "[Relais] "
logger = logging.getLogger(__name__)
_mail_enabled = True


@contextlib.contextmanager
def without_mail():
    """In-app notices only: for building the demo, whose hundreds of past decisions must not
    each print an e-mail."""
    global _mail_enabled
    previous, _mail_enabled = _mail_enabled, False
    try:
        yield
    finally:
        _mail_enabled = previous


# A path written in a mail's text: a "/" that starts a word (not "et/ou", not "03/04", not
# the inside of an address already absolute), up to the next space.
_PATH_IN_TEXT = re.compile(r"(?<![\w/:.])/(?=[\w-])[^\s]*(?<![.,;:!?)»])")


def absolute_url(path: str) -> str:
    """`path` on the site's own address; an address already absolute is left as it is."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", path, re.IGNORECASE):
        return path
    return settings.RELAIS_SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def absolute_links(text: str) -> str:
    """The mail text with each path in it made absolute."""
    return _PATH_IN_TEXT.sub(lambda match: absolute_url(match.group(0)), text)


def notify(
    recipients: Iterable,
    *,
    subject: str,
    message: str,
    mail: str,
    link: str = "",
    link_label: str = "",
    extra_emails: Iterable[str] = (),
    **about,
) -> list[Notification]:
    """Notify each user once (in-app and by e-mail) and mail `extra_emails` (a structure's
    or a service's shared address). `link` is a path in Relais; `about` names the request or
    orientation the notice is about."""
    unique = _addressees([recipients])[0]
    notices = Notification.objects.bulk_create(
        Notification(recipient=user, message=message, link=link, link_label=link_label, **about)
        for user in unique.values()
    )
    body = absolute_links(mail)
    if link:
        body += f"\n\n{link_label or 'Voir dans Relais'} : {absolute_url(link)}"
    body += "\n"
    emails = {user.email for user in unique.values() if user.email}
    emails.update(email for email in extra_emails if email)
    if emails and _mail_enabled:
        messages = [(SUBJECT_PREFIX + subject, body, None, [email]) for email in sorted(emails)]
        transaction.on_commit(lambda: _mail(messages))
    return notices


@dataclass
class Notice:
    """One notice of a batch (`notify_all`): its in-app `message` and its `mail` line, which
    names no person."""

    recipients: Iterable
    message: str
    mail: str
    link: str = ""
    link_label: str = ""
    extra_emails: Iterable[str] = ()
    about: dict = field(default_factory=dict)


# A digest lists this many notices; the others are counted and left to the in-app list.
DIGEST_LINES = 50


def notify_all(notices: list[Notice], *, subject: str, intro: str) -> list[Notification]:
    """A daily job's many notices at once: each written in-app as `notify` writes it (one
    insert for all), and one e-mail per address gathering the mail lines of its notices —
    a CPIP with forty people due out gets one mail, not forty."""
    rows, lines = [], defaultdict(list)
    addressees = _addressees([notice.recipients for notice in notices])
    for notice, unique in zip(notices, addressees, strict=True):
        rows += [
            Notification(
                recipient=user,
                message=notice.message,
                link=notice.link,
                link_label=notice.link_label,
                **notice.about,
            )
            for user in unique.values()
        ]
        line = "- " + absolute_links(notice.mail)
        if notice.link:
            line += f" {notice.link_label or 'Voir dans Relais'} : {absolute_url(notice.link)}"
        emails = {user.email for user in unique.values() if user.email}
        emails.update(email for email in notice.extra_emails if email)
        for email in emails:
            lines[email].append(line)
    created = Notification.objects.bulk_create(rows, batch_size=2000)
    if lines and _mail_enabled:
        messages = [
            (SUBJECT_PREFIX + subject, _digest(intro, lines[email]), None, [email])
            for email in sorted(lines)
        ]
        transaction.on_commit(lambda: _mail(messages))
    return created


def _addressees(groups: list[Iterable]) -> list[dict]:
    """For each group of recipients, its active persons, each once ({pk: user}). Never a
    service account (relais/api): partner software reads no notice, and its account's role
    must not make it one more SIAO operator or structure manager to tell. One query for all
    the groups, whoever chose the recipients."""
    groups = [{user.pk: user for user in group if user.is_active} for group in groups]
    if not any(groups):
        return groups
    software = set(get_user_model().objects.service_accounts().values_list("pk", flat=True))
    return [{pk: user for pk, user in group.items() if pk not in software} for group in groups]


def _digest(intro: str, lines: list[str]) -> str:
    body = [absolute_links(intro), "", *lines[:DIGEST_LINES]]
    if len(lines) > DIGEST_LINES:
        others = len(lines) - DIGEST_LINES
        where = absolute_url(reverse("notifications:list"))
        body.append(f"- et {others} autre(s) : voir vos notifications, {where}")
    return "\n".join(body) + "\n"


def _mail(messages: list[tuple]) -> None:
    # The change is committed and the in-app notice exists: a mail server failure must not
    # turn the page into an error.
    try:
        send_mass_mail(messages)
    except Exception:
        logger.exception("Envoi des courriels de notification impossible")
