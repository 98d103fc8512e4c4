"""Opening a request for a person typed at entry, with the identity check (IDV-02, SIAO-01..03).

One way in for every channel that types a new applicant: the insertion form, the CSV import,
and the HTTP API later. The caller has validated what was typed and asked the identity check
(`EntryCheck.is_valid_for`); `open_request` writes it all in one transaction.
"""

import datetime as dt

from django.db import transaction
from django.http import HttpRequest

from relais.accounts.models import Organisation
from relais.audit import log as audit
from relais.audit.enums import Action
from relais.persons.models import Household, HouseholdMember, Person
from relais.requests.models import Request, SocialEvaluation, create_request

from .entry import EntryCheck


def open_request(
    *,
    typed: Person,
    identity: EntryCheck | None,
    channel: str,
    referrer_organisation: Organisation,
    by,
    audit_as: HttpRequest | None = None,
    requested_on: dt.date | None = None,
    notes: str = "",
    household: Household | None = None,
    relationship: str = "",
    child_situation: str = "",
    members=None,
    detention=None,
    submission_key: str = "",
    audit_detail: dict | None = None,
    **fields,
) -> Request:
    """Create (or link) the person, open their request and record it all; returns the request.

    - `typed`: the person as typed. With `identity` (already answered: `is_valid_for(typed)`
      returned True), the candidate the user picked is linked, its blank traits completed,
      or `typed` is saved as someone new, and the decision is kept. Without `identity` (a
      person already known, e.g. from a detention), `typed` is saved as it is.
    - `household`: join that household as `relationship` (a secondary request, SIAO-02);
      none: the person is the principal applicant of a new household.
    - `members`: a household formset (`attach_to`) of persons typed with the principal.
    - A principal request outside the urgence channel gets its social evaluation (SIAO-06);
      an attached request shares the principal's.
    - `submission_key`: a one-time key (`Request.submission_key`); see `make_once`.
    - `fields`: other values of the request (the 115's `current_location`, `needs_tonight`).
    - The audit log gets one WRITE row, as `audit_as` (the HTTP request) or else `by`, with
      `{"event": "created"}` and `audit_detail`.
    """
    with transaction.atomic():
        if identity is None:
            typed.save()
            person = typed
        else:
            person = identity.person_for(typed)
        if household is not None:
            HouseholdMember.objects.create(
                household=household,
                person=person,
                relationship=relationship,
                child_situation=child_situation,
            )
        extra = {"requested_on": requested_on} if requested_on is not None else {}
        extra.update(fields)
        req = create_request(
            person=person,
            channel=channel,
            referrer_organisation=referrer_organisation,
            by=by,
            household=household,
            notes=notes,
            detention=detention,
            submission_key=submission_key,
            **extra,
        )
        if identity is not None:
            identity.record(request=req, person=person, by=by)
        if members is not None:
            members.attach_to(req, by=by)
        if household is None and req.needs_evaluation:
            SocialEvaluation.objects.create(request=req, interview_date=req.requested_on)
        audit.record(
            request_or_user=audit_as or by,
            action=Action.WRITE,
            obj=req,
            detail={"event": "created", **(audit_detail or {})},
        )
    return req
