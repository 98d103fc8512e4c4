"""Which tables a territory's export holds, and how each one's rows are found (OPS-03).

Every concrete model of the installed apps is either exported or listed in EXCLUDED with the
reason; `unknown_models()` names the others, and the export refuses to run while there are
any (tests/transfer checks it stays empty). An exported model's rows are found one of three
ways:

- a *root* reaches the territory through foreign keys: `path` is the lookup, e.g.
  `request__territory` for an orientation's event. Only non-null keys are followed, except
  from a model whose keys are all nullable (an account's organisation, a skill's site);
- a *dependent* has no such path (a person, their household, identity keys, pairs): its rows
  belong to the export when one of their keys points at a row that does;
- the audit log (relais.audit) has its own rule, in relais.transfer.selection.
"""

from collections import deque
from dataclasses import dataclass

from django.apps import apps
from django.db import models

from relais.accounts.models import Territory

# Apps whose tables a territory's data lives in, besides the relais.* apps.
EXPORTED_APPS = {"otp_totp", "otp_static"}

# label_lower → why the table is not exported.
EXCLUDED: dict[str, str] = {
    "admin.logentry": "historique de l'administration Django, qui désigne ses objets par "
    "content type ; le journal d'audit (exporté) fait foi",
    "auth.permission": "créée par les migrations ; Relais donne les droits par rôle",
    "auth.group": "Relais donne les droits par rôle (User.role), jamais par groupe",
    "auth.group_permissions": "idem : groupes inutilisés",
    "accounts.user_groups": "idem : groupes inutilisés",
    "accounts.user_user_permissions": "idem : Relais donne les droits par rôle",
    "contenttypes.contenttype": "créée par les migrations ; aucune table de Relais n'y renvoie",
    "sessions.session": "connexions en cours, qui ne valent rien après une restauration : "
    "chacun se reconnecte",
    "axes.accessattempt": "blocage après échecs de connexion, par identifiant et adresse IP, "
    "qui expire au bout de 15 minutes",
    "axes.accessattemptexpiration": "idem : blocage temporaire",
    "axes.accessfailurelog": "idem : échecs de connexion, propres à l'installation",
    "axes.accesslog": "idem : connexions, propres à l'installation",
    "dsfr.dsfrconfig": "apparence du site (DSFR), propre à l'installation",
    "dsfr.dsfrsocialmedia": "idem : apparence du site",
    "audit.auditchainhead": "recalculée par l'import depuis la dernière ligne importée",
    "imports.importjob": "fichiers CSV en cours de vérification (OPS-02), transitoires : ce "
    "qu'un import a écrit est exporté avec les demandes et les structures",
    "demo.demorecord": "notes du chargement de démonstration (développement et tests "
    "seulement) : une base restaurée n'est plus une démonstration",
}

AUDIT_MODELS = {"audit.auditevent", "audit.auditpurge"}

# Rows every database holds already, created by a migration: exported whole, and skipped on
# import when the same row is there (iae 0002 adds the skills every site shares).
SHARED_ROWS: dict[str, models.Q] = {"iae.skill": models.Q(site=None)}


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    path: str | None  # lookup to the territory; None for a dependent or the audit log

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def filename(self) -> str:
        return f"tables/{self.label}.jsonl"


def all_models() -> list[type[models.Model]]:
    """Every concrete table of the project, many-to-many tables included."""
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if not m._meta.proxy and m._meta.managed
    ]


def is_owned_app(model: type[models.Model]) -> bool:
    config = model._meta.app_config
    return config.name.startswith("relais.") or config.label in EXPORTED_APPS


def exported_tables() -> list[Table]:
    """The exported tables, parents before children (a foreign key's target first)."""
    chosen = [m for m in all_models() if is_owned_app(m) and m._meta.label_lower not in EXCLUDED]
    return [Table(m, territory_path(m)) for m in _parents_first(chosen)]


def unknown_models() -> list[str]:
    """Tables the export neither exports nor excludes, or exports with no way to find rows."""
    unknown = []
    for model in all_models():
        label = model._meta.label_lower
        if label in EXCLUDED or label in AUDIT_MODELS:
            continue
        if not is_owned_app(model):
            unknown.append(f"{label} (application non classée)")
        elif territory_path(model) is None and not _linked(model):
            unknown.append(f"{label} (aucun lien avec les autres tables exportées)")
    return unknown


def _linked(model: type[models.Model]) -> bool:
    """A dependent's rows are found through its keys, or through the keys pointing at it."""
    return bool(links(model)) or any(
        field.related_model is model
        for other in all_models()
        if is_owned_app(other) and other is not model
        for field in links(other)
    )


def links(model: type[models.Model]) -> list[models.ForeignKey]:
    """The model's foreign keys and one-to-one keys."""
    return [
        f for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)
    ]


def territory_path(model: type[models.Model]) -> str | None:
    """The shortest lookup from `model` to its territory, or None (see the module docstring)."""
    if model is Territory:
        return "pk"
    if model._meta.label_lower in AUDIT_MODELS:
        return None
    seen = {model}
    queue: deque[tuple[type[models.Model], list[str]]] = deque([(model, [])])
    while queue:
        current, path = queue.popleft()
        for field in _followed(current):
            target = field.related_model
            if target is Territory:
                return "__".join([*path, field.name])
            if target not in seen:
                seen.add(target)
                queue.append((target, [*path, field.name]))
    return None


def _followed(model: type[models.Model]) -> list[models.ForeignKey]:
    keys = [f for f in links(model) if f.related_model is not model]
    required = [f for f in keys if not f.null]
    return required if required else keys


def _parents_first(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    """Foreign keys' targets before the rows that point at them, where there is no cycle (the
    constraints are checked at commit: a cycle, such as an organisation and its referent,
    loads all the same)."""
    ordered: list[type[models.Model]] = []
    state: dict[type[models.Model], int] = {}

    def visit(model: type[models.Model]) -> None:
        state[model] = 1
        for field in links(model):
            target = field.related_model
            if target in chosen and target not in state:
                visit(target)
        state[model] = 2
        ordered.append(model)

    for model in sorted(chosen, key=lambda m: m._meta.label_lower):
        if model not in state:
            visit(model)
    return ordered
