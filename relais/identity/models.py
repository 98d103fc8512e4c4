"""Identity records: blocking keys, candidate pairs, decisions at entry, merges (IDV-01..03)."""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from relais.core.transitions import (
    INITIAL,
    StateEvent,
    Stateful,
    StatefulQuerySet,
    Workflow,
    transition,
)
from relais.persons.models import Person
from relais.requests.models import Request

from .matching import Comparison, Identity, blocking_keys, compare, key_hash

# A lookup reads at most this many persons sharing a key with the new one: enough for the
# commonest names in a département, and it bounds the time of a lookup.
MAX_CANDIDATES_READ = 1500
IDENTITY_FIELDS = (
    "id",
    "birth_name",
    "usage_name",
    "first_names",
    "sex",
    "birth_year",
    "birth_month",
    "birth_day",
    "birth_place",
)


@dataclass(frozen=True)
class Candidate:
    person: Person
    comparison: Comparison


class IdentityKeyQuerySet(models.QuerySet):
    def candidates_for(
        self,
        identity: Identity,
        *,
        among: models.QuerySet | None = None,
        exclude: set[int] = frozenset(),
        limit: int = 10,
    ) -> list[Candidate]:
        """Persons likely to be `identity`, best first, each with its explained comparison.

        Only persons sharing a blocking key are read (an index lookup, never a scan); `among`
        narrows them further (e.g. to a territory). Merged-away persons have no keys.
        """
        hashes = [key_hash(k) for k in blocking_keys(identity)]
        if not hashes:
            return []
        ids = set(
            self.filter(key__in=hashes).values_list("person_id", flat=True)[:MAX_CANDIDATES_READ]
        )
        ids -= set(exclude)
        if not ids:
            return []
        persons = Person.objects.filter(pk__in=ids)
        if among is not None:
            persons = persons.filter(pk__in=among.values("pk"))
        found = []
        for person in persons.only(*IDENTITY_FIELDS).order_by():
            comparison = compare(identity, Identity.of_person(person))
            if comparison.decision:
                found.append(Candidate(person, comparison))
        found.sort(key=lambda c: (-c.comparison.score, c.person.pk))
        return found[:limit]


class IdentityKey(models.Model):
    """One blocking key of one person, stored as a 64-bit hash (see matching.blocking_keys)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identity_keys")
    key = models.BigIntegerField()

    objects = IdentityKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "clé d'identité"
        verbose_name_plural = "clés d'identité"
        constraints = [
            models.UniqueConstraint(fields=["key", "person"], name="identitykey_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.person_id}"

    @classmethod
    def rebuild_for(cls, person: Person) -> None:
        """Replace the person's keys; a merged-away person keeps none, so it is never proposed."""
        cls.objects.filter(person=person).delete()
        if PersonMerge.objects.active().filter(merged=person).exists():
            return
        hashes = {key_hash(k) for k in blocking_keys(Identity.of_person(person))}
        cls.objects.bulk_create([cls(person=person, key=h) for h in hashes])


class PairStatus(models.TextChoices):
    OPEN = "open", "À examiner"
    SAME = "same", "Même personne"
    DIFFERENT = "different", "Personnes différentes"


class PairDecision(models.TextChoices):
    """The transitions of a pair."""

    SAME = "same", "Déclarées même personne"
    DIFFERENT = "different", "Déclarées personnes différentes"
    REOPENED = "reopened", "À examiner de nouveau (fusion annulée)"


DECISION_OF = {PairStatus.SAME: PairDecision.SAME, PairStatus.DIFFERENT: PairDecision.DIFFERENT}


class PersonPairQuerySet(StatefulQuerySet):
    def in_territory(self, territory_id: int) -> "PersonPairQuerySet":
        """Pairs whose two persons both have a request in the territory."""
        here = Request.objects.filter(territory_id=territory_id).values("person_id")
        return self.filter(person_a__in=here, person_b__in=here)

    def to_review(self) -> "PersonPairQuerySet":
        merged = PersonMerge.objects.active().values("merged_id")
        return self.filter(status=PairStatus.OPEN).exclude(
            Q(person_a__in=merged) | Q(person_b__in=merged)
        )

    def between(self, one: Person | int, other: Person | int) -> "PersonPairQuerySet":
        a, b = sorted([getattr(one, "pk", one), getattr(other, "pk", other)])
        return self.filter(person_a_id=a, person_b_id=b)


class PersonPair(Stateful):
    """Two persons the engine found alike, and what a user decided about them (IDV-02, 03).

    A pair decided "different" is never proposed again, at entry or in the review queue.
    """

    person_a = models.ForeignKey(
        Person, verbose_name="personne A", on_delete=models.CASCADE, related_name="+"
    )
    person_b = models.ForeignKey(
        Person, verbose_name="personne B", on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField("score")
    reasons = models.CharField("traits comparés", max_length=200, blank=True)
    status = models.CharField(
        "décision", max_length=10, choices=PairStatus.choices, default=PairStatus.OPEN
    )
    found_at = models.DateTimeField("repérée le", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)

    objects = PersonPairQuerySet.as_manager()

    class Meta:
        verbose_name = "paire de fiches ressemblantes"
        verbose_name_plural = "paires de fiches ressemblantes"
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="personpair_unique"),
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="personpair_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(decided_at__isnull=False),
                name="personpair_decided_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"])]

    def __str__(self) -> str:
        return f"{self.person_a} / {self.person_b} ({self.score:.2f})"

    workflow = Workflow(
        transition(
            PairDecision.SAME,
            PairDecision.SAME.label,
            # A merge may overrule an earlier "different" (said at entry, in a hurry).
            sources=[INITIAL, PairStatus.OPEN, PairStatus.DIFFERENT],
            target=PairStatus.SAME,
        ),
        transition(
            PairDecision.DIFFERENT,
            PairDecision.DIFFERENT.label,
            sources=[INITIAL, PairStatus.OPEN],
            target=PairStatus.DIFFERENT,
        ),
        transition(
            PairDecision.REOPENED,
            PairDecision.REOPENED.label,
            sources=[PairStatus.SAME],
            target=PairStatus.OPEN,
        ),
        field="status",
    )

    @classmethod
    def record_found(cls, person: Person, candidate: Candidate) -> None:
        """Remember a likely pair; the decision already taken on it, if any, stands."""
        a, b = sorted([person.pk, candidate.person.pk])
        pair, created = cls.objects.get_or_create(
            person_a_id=a,
            person_b_id=b,
            defaults={
                "score": candidate.comparison.score,
                "reasons": candidate.comparison.reasons,
            },
        )
        if not created and pair.status == PairStatus.OPEN:
            pair.score, pair.reasons = candidate.comparison.score, candidate.comparison.reasons
            pair.save(update_fields=["score", "reasons"])

    @classmethod
    def decide(cls, one: Person, other: Person, *, status: str, by) -> "PersonPair":
        """Record a user's decision on two persons, whether or not the pair was stored."""
        a, b = sorted([one, other], key=lambda p: p.pk)
        comparison = compare(Identity.of_person(a), Identity.of_person(b))
        name = DECISION_OF[status]
        values = {
            "decided_by": by,
            "decided_at": timezone.now(),
            "score": comparison.score,
            "reasons": comparison.reasons,
        }
        with transaction.atomic():
            pair = cls.objects.between(a, b).select_for_update().first()
            if pair is None:
                pair, _ = cls._create(name, by=by, values={"person_a": a, "person_b": b, **values})
            elif pair.status != status:
                pair, _ = pair._apply(name, by=by, locked=pair, **values)
        return pair

    def reopen(self, *, by) -> "PersonPair":
        """A merge was undone: the pair is to examine again."""
        pair, _ = self._apply(PairDecision.REOPENED, by=by, decided_by=None, decided_at=None)
        return pair

    def state_phrase(self) -> str:
        return f"la paire est « {self.get_status_display()} »"

    def comparison(self) -> Comparison:
        return compare(Identity.of_person(self.person_a), Identity.of_person(self.person_b))


class PersonPairEvent(StateEvent):
    """One decision on a pair: who, when. Rows are only ever added."""

    pair = models.ForeignKey(
        PersonPair, verbose_name="paire", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("décision", max_length=20, choices=PairDecision.choices)
    from_state = models.CharField(
        "état précédent", max_length=20, choices=PairStatus.choices, blank=True
    )
    to_state = models.CharField("nouvel état", max_length=20, choices=PairStatus.choices)

    class Meta(StateEvent.Meta):
        verbose_name = "décision sur une paire"
        verbose_name_plural = "décisions sur des paires"


def refresh_identity(person: Person) -> None:
    """Rebuild a person's keys and remember the persons it resembles (on every save)."""
    IdentityKey.rebuild_for(person)
    if not IdentityKey.objects.filter(person=person).exists():
        return
    for candidate in IdentityKey.objects.candidates_for(
        Identity.of_person(person), exclude={person.pk}, limit=20
    ):
        PersonPair.record_found(person, candidate)


# -- entry decisions --------------------------------------------------------------------------


class EntryOutcome(models.TextChoices):
    LINKED = "linked", "Rattachée à une personne existante"
    SOMEONE_ELSE = "someone_else", "Quelqu'un d'autre"


class EntryDecision(models.Model):
    """What the user answered when likely existing persons were shown at entry (IDV-02)."""

    request = models.ForeignKey(
        Request, verbose_name="demande", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        Person, verbose_name="personne retenue", on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField("décision", max_length=15, choices=EntryOutcome.choices)
    candidates = models.JSONField(
        "personnes proposées", default=list, help_text="pk, score et traits comparés."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "vérification d'identité à la saisie"
        verbose_name_plural = "vérifications d'identité à la saisie"
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} — demande {self.request_id}"


# -- merges ------------------------------------------------------------------------------------


class MergeRefused(Exception):
    """A merge or an undo that cannot be done. The message is for users."""


def person_references() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """Every foreign key to Person outside this app: requests, households, and any added later.

    The identity app's own tables are bookkeeping about persons and do not follow a merge.
    """
    return [
        (model, f)
        for model in apps.get_models()
        if model._meta.app_label != "identity"
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is Person
    ]


class PersonMergeQuerySet(models.QuerySet):
    def active(self) -> "PersonMergeQuerySet":
        return self.filter(undone_at__isnull=True)


class PersonMerge(models.Model):
    """Two person records merged into one (IDV-03), with the exact rows that moved.

    The merged-away person is kept, without blocking keys, so that undoing puts every moved
    row back and the person is found again.
    """

    kept = models.ForeignKey(
        Person, verbose_name="fiche conservée", on_delete=models.PROTECT, related_name="+"
    )
    merged = models.ForeignKey(
        Person, verbose_name="fiche fusionnée", on_delete=models.PROTECT, related_name="+"
    )
    moved = models.JSONField(
        "lignes déplacées", default=list, help_text="[{model, field, pks}] vers la fiche conservée."
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="fusionné par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    merged_at = models.DateTimeField("fusionné le", default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="annulé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    undone_at = models.DateTimeField("annulé le", null=True, blank=True)

    objects = PersonMergeQuerySet.as_manager()

    class Meta:
        verbose_name = "fusion de fiches"
        verbose_name_plural = "fusions de fiches"
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merged"],
                condition=Q(undone_at__isnull=True),
                name="personmerge_one_active_per_person",
            ),
            models.CheckConstraint(condition=~Q(kept=F("merged")), name="personmerge_two_persons"),
        ]

    def __str__(self) -> str:
        return f"Fusion de {self.merged_id} dans {self.kept_id}"

    @property
    def is_active(self) -> bool:
        return self.undone_at is None

    @property
    def moved_count(self) -> int:
        return sum(len(entry["pks"]) for entry in self.moved)

    @property
    def moved_rows(self) -> list[tuple[str, int]]:
        """(what moved, how many) in French: "Membres du ménage (personne) : 1"."""
        rows = []
        for entry in self.moved:
            model = apps.get_model(entry["model"])
            field = model._meta.get_field(entry["field"])
            label = str(model._meta.verbose_name_plural).capitalize()
            rows.append((f"{label} ({field.verbose_name})", len(entry["pks"])))
        return rows

    @classmethod
    def merge(cls, *, kept: Person, merged: Person, by) -> "PersonMerge":
        """Point every row that refers to `merged` at `kept`, and record which rows moved."""
        if kept.pk == merged.pk:
            raise MergeRefused("Choisissez deux fiches différentes.")
        try:
            with transaction.atomic():
                if cls.objects.active().filter(merged__in=[kept, merged]).exists():
                    raise MergeRefused("L'une de ces fiches a déjà été fusionnée.")
                moved = []
                for model, fk in person_references():
                    rows = model._default_manager.filter(**{fk.attname: merged.pk})
                    pks = sorted(rows.values_list("pk", flat=True))
                    if pks:
                        rows.update(**{fk.attname: kept.pk})
                        moved.append(
                            {"model": model._meta.label_lower, "field": fk.name, "pks": pks}
                        )
                record = cls.objects.create(kept=kept, merged=merged, moved=moved, merged_by=by)
                PersonPair.decide(kept, merged, status=PairStatus.SAME, by=by)
                IdentityKey.objects.filter(person=merged).delete()
        except IntegrityError as error:
            raise MergeRefused(
                "Ces deux fiches ne peuvent pas être fusionnées : elles figurent toutes deux "
                "dans un même ménage. Retirez d'abord l'une d'elles du ménage."
            ) from error
        return record

    def undo(self, *, by) -> None:
        """Put back exactly the rows that moved; later rows of the kept person stay with it."""
        if not self.is_active:
            raise MergeRefused("Cette fusion a déjà été annulée.")
        with transaction.atomic():
            if PersonMerge.objects.active().filter(merged=self.kept_id).exists():
                raise MergeRefused(
                    "La fiche conservée a depuis été fusionnée dans une autre : annulez d'abord "
                    "cette fusion-là."
                )
            for entry in self.moved:
                model = apps.get_model(entry["model"])
                fk = model._meta.get_field(entry["field"])
                model._default_manager.filter(
                    pk__in=entry["pks"], **{fk.attname: self.kept_id}
                ).update(**{fk.attname: self.merged_id})
            self.undone_by, self.undone_at = by, timezone.now()
            self.save(update_fields=["undone_by", "undone_at"])
            for pair in PersonPair.objects.between(self.kept_id, self.merged_id):
                pair.reopen(by=by)
            refresh_identity(self.merged)
