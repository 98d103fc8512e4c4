"""IDV-02: likely existing persons shown while a new person is typed, and the user's answer."""

from django.db.models import Q, QuerySet

from relais.persons.models import Person
from relais.requests.ongoing import Ongoing, ongoing_for

from .matching import Identity
from .models import EntryDecision, EntryOutcome, IdentityKey, PairStatus, PersonPair

SOMEONE_ELSE = "new"
# The answer "open a new request all the same" to the warning about an ongoing one (SIAO-01).
NEW_REQUEST_ANYWAY = "confirm"
# Filled in on a linked person only when blank there: what was typed never overwrites it.
_COMPLETABLE = [
    f.name
    for f in Person._meta.concrete_fields
    if f.name not in ("id", "created_at", "birth_year", "birth_month", "birth_day")
]


def persons_in_scope(user) -> QuerySet[Person]:
    """Persons whose identity traits a user entering a request may be shown.

    Those with a request in the user's territory: the point is to find the person another
    service already referred (SIAO-03). Only identity traits are shown, never the requests.
    """
    if user.is_superuser:
        return Person.objects.all()
    if not user.organisation_id:
        return Person.objects.none()
    return persons_of_territory(user.organisation.territory_id)


def persons_of_territory(territory_id: int) -> QuerySet[Person]:
    """Persons with a request or a detention in the territory."""
    # Through the relations that point to persons: identity need not import their apps.
    return Person.objects.filter(
        Q(requests__territory_id=territory_id) | Q(detentions__territory_id=territory_id)
    ).distinct()


class EntryCheck:
    """The identity check of one entry form; its answer travels as `<prefix>-choice`."""

    def __init__(self, data=None, *, user, prefix: str = "identity", warn_ongoing: bool = True):
        self.data, self.user, self.prefix = data or {}, user, prefix
        # A new request warns of one under way (SIAO-01); recording a detention does not.
        self.warn_ongoing = warn_ongoing
        self.candidates = []
        self.linked: Person | None = None
        self.error = ""
        # What is under way for the linked person, shown until the user confirms (SIAO-01).
        self.ongoing = Ongoing()

    @property
    def field_name(self) -> str:
        return f"{self.prefix}-choice"

    @property
    def choice(self) -> str:
        return self.data.get(self.field_name, "")

    @property
    def confirm_name(self) -> str:
        return f"{self.prefix}-new_request"

    @property
    def confirmed(self) -> bool:
        return self.data.get(self.confirm_name, "") == NEW_REQUEST_ANYWAY

    @property
    def rows(self) -> list[tuple]:
        """(candidate, what is under way for them) for the suggestions shown at entry."""
        return [(c, ongoing_for(c.person, user=self.user)) for c in self.candidates]

    def find(self, identity: Identity) -> list:
        self.candidates = IdentityKey.objects.candidates_for(
            identity, among=persons_in_scope(self.user), limit=5
        )
        return self.candidates

    def is_valid_for(self, person: Person) -> bool:
        """True when no one resembles `person`, or the user picked one or said "someone else"."""
        self.find(Identity.of_person(person))
        if not self.candidates or self.choice == SOMEONE_ELSE:
            return True
        for candidate in self.candidates:
            if str(candidate.person.pk) == self.choice:
                self.linked = Person.objects.get(pk=candidate.person.pk)
                return self._no_ongoing_request()
        self.error = (
            "Des personnes déjà connues ressemblent à celle-ci : indiquez s'il s'agit de l'une "
            "d'elles, ou que c'est quelqu'un d'autre."
        )
        return False

    def _no_ongoing_request(self) -> bool:
        """SIAO-01: one file per person. A person with an open request or a current stay gets
        a second request only when the user, warned and shown it, confirms."""
        if not self.warn_ongoing:
            return True
        self.ongoing = ongoing_for(self.linked, user=self.user)
        return not self.ongoing or self.confirmed

    def person_for(self, typed: Person) -> Person:
        """The linked person (its blank traits completed from what was typed), or `typed` saved."""
        if self.linked is None:
            typed.save()
            return typed
        person = self.linked
        completed = [
            name
            for name in _COMPLETABLE
            if getattr(person, name) in ("", None) and getattr(typed, name) not in ("", None)
        ]
        for name in completed:
            setattr(person, name, getattr(typed, name))
        if person.birth_year is None and typed.birth_year is not None:
            person.birth_year, person.birth_month, person.birth_day = (
                typed.birth_year,
                typed.birth_month,
                typed.birth_day,
            )
            completed += ["birth_year", "birth_month", "birth_day"]
        if completed:
            person.save(update_fields=completed)
        return person

    def record(self, *, request, person: Person, by) -> None:
        """Keep the decision and what was shown; "someone else" closes each shown pair."""
        if not self.candidates:
            return
        EntryDecision.objects.create(
            request=request,
            person=person,
            outcome=EntryOutcome.SOMEONE_ELSE if self.linked is None else EntryOutcome.LINKED,
            candidates=[
                {
                    "person": c.person.pk,
                    "score": round(c.comparison.score, 4),
                    "reasons": c.comparison.reasons,
                }
                for c in self.candidates
            ],
            decided_by=by,
        )
        if self.linked is None:
            for candidate in self.candidates:
                PersonPair.decide(person, candidate.person, status=PairStatus.DIFFERENT, by=by)
