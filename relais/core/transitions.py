"""The one way a record changes state in Relais.

A model with a workflow declares its transitions once, in a `Workflow`: each has a name, the
source states it may start from, the state it leads to and, optionally, who may ask for it
and a rule the record must meet. `Stateful._apply()` then locks the row, checks the source
state and the rule, applies the change and appends an event row — when it happened and when it
was recorded — all in one transaction, so any past state can be recomputed from the events.

Nothing else may write a state: `Stateful.save()` refuses a state changed outside `_apply()`
(or `_create()`), and the model's QuerySet refuses `.update()` of the state field.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

INITIAL = ""  # the source "state" of a transition that creates the record


class TransitionNotAllowed(Exception):
    """A change refused: wrong state, a rule not met, no place left. The message is for users,
    in French; views show it next to the action, never as a server error."""


class StateWriteRefused(RuntimeError):
    """A programming error: a state was written outside a declared transition."""


def noon_of(day: dt.date) -> dt.datetime:
    """When a step dated `day` happened (an `at` for `_apply`): that day at noon, never
    later than now."""
    return min(timezone.make_aware(dt.datetime.combine(day, dt.time(12))), timezone.now())


def lock(obj: models.Model):
    """`obj`'s row read again and locked until the end of the transaction (SELECT … FOR
    UPDATE; on SQLite the write transaction itself is the lock)."""
    return type(obj)._default_manager.select_for_update(of=("self",)).get(pk=obj.pk)


def _always(obj, user) -> bool:
    return True


@dataclass(frozen=True)
class Transition:
    """One named change: from which states, to which state (None: the model computes it)."""

    name: str
    label: str
    sources: frozenset[str]
    target: str | None
    # Who may ask for it (the views offer and accept only what this allows).
    may: Callable[[Any, Any], bool] = field(default=_always, compare=False)
    # A rule about the record beyond its state; returns the French refusal, or "".
    rule: Callable[[Any], str] | None = field(default=None, compare=False)
    # What a user whom `may` refuses is told.
    denied: str = "Votre rôle ne permet pas cette action."

    def refusal(self, obj) -> str:
        """Why `obj` cannot take this transition now, or "" when it can."""
        state = obj.current_state
        if state not in self.sources:
            return f"Impossible : {obj.state_phrase()}."
        if self.rule is not None:
            return self.rule(obj)
        return ""


def transition(
    name: str,
    label: str,
    *,
    sources: Iterable[str],
    target: str | None,
    may: Callable[[Any, Any], bool] = _always,
    rule: Callable[[Any], str] | None = None,
    denied: str = Transition.denied,
) -> Transition:
    return Transition(name, label, frozenset(sources), target, may, rule, denied)


class Workflow:
    """The transitions of one model, over one state field."""

    def __init__(self, *transitions: Transition, field: str = "state", events: str = "events"):
        self.field = field
        self.events = events  # reverse accessor of the model's event rows
        self.transitions = {t.name: t for t in transitions}

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def __iter__(self):
        return iter(self.transitions.values())


_applying: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "relais_transitions_applying", default=frozenset()
)


_synthetic = contextvars.ContextVar("relais_transitions_synthetic", default=False)


@contextlib.contextmanager
def synthetic_load():
    """Lift the guard for a loader of synthetic data written with its events (benchmarks'
    millions of rows). Never for real records: tests/test_transitions_only.py checks who uses
    it."""
    token = _synthetic.set(True)
    try:
        yield
    finally:
        _synthetic.reset(token)


class StatefulQuerySet(models.QuerySet):
    def update(self, **kwargs):
        state_field = self.model.workflow.field
        if state_field in kwargs and not (_applying.get() or _synthetic.get()):
            raise StateWriteRefused(
                f"{self.model.__name__}.{state_field} changes only through a named transition."
            )
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        if not _synthetic.get():
            raise StateWriteRefused(f"{self.model.__name__} rows are created by a transition.")
        return super().bulk_create(objs, *args, **kwargs)


class Stateful(models.Model):
    """Mixin for a model whose state changes only through its `workflow`."""

    workflow: ClassVar[Workflow]

    class Meta:
        abstract = True

    # -- reading -------------------------------------------------------------------------

    @property
    def current_state(self) -> str:
        return getattr(self, self.workflow.field) if self.pk else INITIAL

    def state_phrase(self) -> str:
        """How a refusal names the current state: « la demande est « Orientée » »."""
        label = getattr(self, f"get_{self.workflow.field}_display")()
        return f"{self._meta.verbose_name} est « {label} »"

    def allowed_transitions(self, user=None) -> list[Transition]:
        """What may be done to this record now, by `user` when given (what views offer)."""
        return [
            t for t in self.workflow if not t.refusal(self) and (user is None or t.may(self, user))
        ]

    def can(self, name: str, user=None) -> bool:
        return any(t.name == name for t in self.allowed_transitions(user))

    # -- writing -------------------------------------------------------------------------

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_state = instance.__dict__.get(cls.workflow.field)
        return instance

    def refresh_from_db(self, *args, **kwargs) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._stored_state = self.__dict__.get(self.workflow.field)

    def save(self, *args, **kwargs) -> None:  # noqa: DJ012 (the guard sits with from_db)
        field = self.workflow.field
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and field not in update_fields:
            super().save(*args, **kwargs)  # the state is not written
            return
        state = getattr(self, field)
        if self._state.adding:
            # A new record starts in the field's default state; any other needs `_create`.
            stored = self._meta.get_field(field).get_default()
        else:
            stored = getattr(self, "_stored_state", None)
            if stored is None:  # loaded without its state (.only(), .defer()): ask the row
                stored = (
                    type(self)
                    ._default_manager.filter(pk=self.pk)
                    .values_list(field, flat=True)
                    .first()
                )
        if state != stored and id(self) not in _applying.get() and not _synthetic.get():
            raise StateWriteRefused(
                f"{type(self).__name__}.{self.workflow.field} changes only through a named "
                "transition."
            )
        super().save(*args, **kwargs)
        self._stored_state = state

    def lock(self):
        return lock(self)

    def _apply(
        self,
        name: str,
        *,
        by,
        at: dt.datetime | None = None,
        note: str = "",
        data: dict | None = None,
        target: str | None = None,
        locked=None,
        **changes,
    ):
        """Take transition `name`: lock, check, change, log. Returns (locked row, event).

        `locked`: the row already locked by the caller (who then read it under the lock).
        `target` overrides the declared target when the model computes it.
        """
        transition = self.workflow[name]
        with transaction.atomic():
            row = locked if locked is not None else self.lock()
            refusal = transition.refusal(row)
            if refusal:
                raise TransitionNotAllowed(refusal)
            from_state = row.current_state
            to_state = target or transition.target
            for attr, value in {**changes, self.workflow.field: to_state}.items():
                setattr(row, attr, value)
            row._save_in_transition()
            event = row._log(name, by=by, at=at, note=note, data=data, from_state=from_state)
        if row is not self and self.pk == row.pk:
            self.refresh_from_db()
            self._stored_state = row._stored_state
        return row, event

    @classmethod
    def _create(
        cls,
        name: str,
        *,
        by,
        at: dt.datetime | None = None,
        note: str = "",
        data: dict | None = None,
        values: dict,
    ):
        """A transition that creates the record (source INITIAL) with field `values`.
        Returns (record, event)."""
        transition = cls.workflow[name]
        if INITIAL not in transition.sources:
            raise ValueError(f"{name} does not create a {cls.__name__}")
        with transaction.atomic():
            row = cls(**values, **{cls.workflow.field: transition.target})
            refusal = transition.rule(row) if transition.rule else ""
            if refusal:
                raise TransitionNotAllowed(refusal)
            row._save_in_transition()
            event = row._log(name, by=by, at=at, note=note, data=data, from_state=INITIAL)
        return row, event

    def _save_in_transition(self) -> None:
        token = _applying.set(_applying.get() | {id(self)})
        try:
            self.save()
        finally:
            _applying.reset(token)

    def _log(self, name: str, *, by, at, note, data, from_state: str):
        return getattr(self, self.workflow.events).create(
            kind=name,
            actor=by,
            from_state=from_state,
            to_state=getattr(self, self.workflow.field),
            occurred_at=at or timezone.now(),
            recorded_at=timezone.now(),
            note=note,
            data=data or {},
        )


class Event(models.Model):
    """A fact appended to a record's history: what, who, when it happened, when it was
    recorded. Rows are only ever added."""

    kind = models.CharField("événement", max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    occurred_at = models.DateTimeField("survenu le", default=timezone.now)
    recorded_at = models.DateTimeField("enregistré le", default=timezone.now)
    note = models.TextField("commentaire", blank=True)
    data = models.JSONField("précisions", default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["occurred_at", "id"]


class StateEvent(Event):
    """An event of a workflow: the state it left and the state it led to ("" when none)."""

    from_state = models.CharField("état précédent", max_length=20, blank=True)
    to_state = models.CharField("nouvel état", max_length=20, blank=True)

    class Meta(Event.Meta):
        abstract = True
