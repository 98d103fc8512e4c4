"""Writing the social evaluation (Annex IV) through the API.

The JSON body is turned into what the evaluation page would post, and the page's own
`EvaluationForms` validate and save it: the same checks, the same French messages, the same
rectification event and audit row. Nothing here decides a rule.

- `fields`: the evaluation's fields, by name, as read (`GET …/evaluation`); only those sent
  change. The NIR never goes through the API.
- `employment_applicant`, `employment_spouse`: only the fields sent change; `null` removes it.
- `reasons`, `resources`, `debts`, `housing_aids`: a list sent replaces the whole grid (an
  empty list clears it); a grid not sent is left as it is.
"""

from dataclasses import dataclass

from rest_framework import serializers

from relais.requests import enums
from relais.requests.forms import EmploymentForm, EvaluationForms, SocialEvaluationForm

from ..bridge import checked, serializer_for
from ..errors import Invalid

NEVER_WRITTEN = ("social_security_number",)
NOT_FOR_THIS_ROW = "Ce champ ne s'applique pas à cette ligne."
TWICE = "Cette ligne figure deux fois dans la liste."


def _date():
    return serializers.DateField(required=False, allow_null=True)


def _text(max_length: int):
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length)


def _amount():
    return serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class ReasonItem(serializers.Serializer):
    reason = serializers.ChoiceField(choices=enums.RequestReason.choices)
    detail = _text(300)


class ResourceItem(serializers.Serializer):
    holder = serializers.ChoiceField(choices=enums.Holder.choices)
    kind = serializers.ChoiceField(choices=enums.ResourceKind.choices)
    monthly_amount = _amount()
    rights_start = _date()
    rights_end = _date()
    detail = _text(200)


class DebtItem(serializers.Serializer):
    kind = serializers.ChoiceField(choices=enums.DebtKind.choices)
    amount = _amount()
    detail = _text(200)


class HousingAidItem(serializers.Serializer):
    scheme = serializers.ChoiceField(choices=enums.HousingAidScheme.choices)
    status = serializers.ChoiceField(choices=enums.HousingAidStatus.choices)
    decision_date = _date()
    start_date = _date()
    end_date = _date()
    detail = _text(300)


@dataclass(frozen=True)
class Grid:
    """A grid of the page (`EvaluationForms[name]`) as a JSON list: `row` names the row an
    item fills (the grid's row key); `marks` are the row's fields a listed item sets."""

    item: type[serializers.Serializer]
    names_row: tuple[str, ...]
    marks: tuple[tuple[str, object], ...] = ()

    def row(self, item: dict) -> str:
        return "-".join(str(item[name]) for name in self.names_row)


GRIDS = {
    "reasons": Grid(ReasonItem, ("reason",), (("checked", True),)),
    "resources": Grid(ResourceItem, ("holder", "kind")),
    "debts": Grid(DebtItem, ("kind",), (("present", True),)),
    "housing_aids": Grid(HousingAidItem, ("scheme",)),
}
EMPLOYMENTS = ("employment_applicant", "employment_spouse")

EvaluationFields = serializer_for(
    SocialEvaluationForm, name="EvaluationFieldsBody", exclude=NEVER_WRITTEN
)
EmploymentBody = serializer_for(EmploymentForm)


class EvaluationBody(serializers.Serializer):
    """What the PATCH takes (documented in the schema)."""

    fields = EvaluationFields(
        required=False, help_text="Champs de l'évaluation : seuls ceux envoyés changent."
    )
    employment_applicant = EmploymentBody(
        required=False, allow_null=True, help_text="Emploi du demandeur ; null l'efface."
    )
    employment_spouse = EmploymentBody(
        required=False, allow_null=True, help_text="Emploi du conjoint ; null l'efface."
    )
    reasons = ReasonItem(many=True, required=False, help_text="Motifs : remplace la liste.")
    resources = ResourceItem(
        many=True, required=False, help_text="Ressources : remplace la grille."
    )
    debts = DebtItem(many=True, required=False, help_text="Dettes : remplace la grille.")
    housing_aids = HousingAidItem(
        many=True, required=False, help_text="Dispositifs d'aide au logement : remplace la grille."
    )


def bound_forms(req, evaluation, payload) -> EvaluationForms:
    """The page's forms bound to `payload` over the evaluation's current values, valid, or
    Invalid with each message named by its place in the body ("resources.0.rights_end")."""
    body = checked(
        EvaluationBody, {key: v for key, v in _object(payload).items() if key != "fields"}
    )
    try:
        fields = checked(EvaluationFields, payload.get("fields", {}), partial=True)
    except Invalid as invalid:
        raise Invalid({f"fields.{name}": m for name, m in invalid.errors.items()}) from None
    current = EvaluationForms(req, evaluation)
    data = {bf.html_name: _posted(bf.value()) for form in current.values() for bf in form}
    _overlay(data, current["main"], fields)
    for name in EMPLOYMENTS:
        if name in body:
            if body[name] is None:
                _clear(data, current[name])
            else:
                _overlay(data, current[name], checked(EmploymentBody, payload[name], partial=True))
    rows, errors = {}, {}
    for name, grid in GRIDS.items():
        if name in body:
            rows[name] = _fill_grid(data, current[name], grid, body[name], name, errors)
    if errors:
        raise Invalid(errors)
    forms = EvaluationForms(req, evaluation, data)
    if not forms.is_valid():
        raise Invalid(_errors(forms, rows))
    return forms


def _object(payload) -> dict:
    checked(serializers.Serializer, payload)  # an object, or the French 400
    return payload


def _posted(value):
    return "" if value is None else value


def _overlay(data: dict, form, values: dict) -> None:
    for name, value in values.items():
        if name in form.fields:
            data[form[name].html_name] = _posted(form.fields[name].prepare_value(value))


def _clear(data: dict, form) -> None:
    for bf in form:
        data[bf.html_name] = ""


def _fill_grid(data, form, grid: Grid, items: list, name: str, errors: dict) -> dict[str, int]:
    """Empty the grid, then fill the rows of `items`; returns the position of each row."""
    _clear(data, form)
    rows = {}
    for index, item in enumerate(items):
        row = grid.row(item)
        if row in rows:
            errors[f"{name}.{index}"] = [TWICE]
            continue
        rows[row] = index
        values = {key: v for key, v in item.items() if key not in grid.names_row}
        for key, value in values.items():
            field = f"{row}__{key}"
            if field not in form.fields:
                if value not in (None, ""):
                    errors[f"{name}.{index}.{key}"] = [NOT_FOR_THIS_ROW]
                continue
            data[form[field].html_name] = _posted(value)
        for key, value in grid.marks:
            data[form[f"{row}__{key}"].html_name] = value
    return rows


def _errors(forms: EvaluationForms, rows: dict) -> dict[str, list[str]]:
    named = {}
    for block, form in forms.items():
        for field, messages in form.errors.items():
            if block == "main":
                place = "fields" if field == "__all__" else f"fields.{field}"
            elif block in EMPLOYMENTS:
                place = block if field == "__all__" else f"{block}.{field}"
            elif field == "__all__":
                place = block
            else:
                row, _, key = field.partition("__")
                place = f"{block}.{rows.get(block, {}).get(row, row)}.{key}"
            named[place] = [str(m) for m in messages]
    return named
