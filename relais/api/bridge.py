"""The API writes through the pages' own forms: one set of rules, one set of French messages.

`serializer_for(FormClass)` derives a DRF serializer from a Django form: it documents the
body in the OpenAPI schema and checks the JSON types (a list where text is expected, a
number out of range). `validated(FormClass, payload)` then binds the form to the checked
values: its `clean()` and the model rules behind it decide, exactly as on the page.
"""

from functools import cache

from django import forms
from rest_framework import serializers

from .errors import Invalid, form_errors

NOT_AN_OBJECT = "Le corps de la requête doit être un objet JSON."


def _choices(field: forms.ChoiceField) -> list:
    return [(value, label) for value, label in field.choices if value not in ("", None)]


def _is_yes_no(field: forms.Field) -> bool:
    return isinstance(field, forms.TypedChoiceField) and {
        value for value, _ in field.choices if value
    } == {"true", "false"}


def _serializer_field(field: forms.Field) -> serializers.Field:
    common = {
        # A field the page fills in beforehand (a default) may be left out of the body.
        "required": field.required and field.initial in (None, ""),
        "label": str(field.label or ""),
        "help_text": str(field.help_text or "") or None,
    }
    optional = not field.required
    if _is_yes_no(field):  # a yes/no question that may be left unanswered
        return serializers.BooleanField(**{**common, "required": False}, allow_null=True)
    match field:
        case forms.BooleanField() | forms.NullBooleanField():
            return serializers.BooleanField(**{**common, "required": False})
        case forms.MultipleChoiceField():
            return serializers.MultipleChoiceField(
                choices=_choices(field), allow_empty=optional, **common
            )
        case forms.ModelChoiceField():
            return serializers.IntegerField(min_value=1, allow_null=optional, **common)
        case forms.ChoiceField():
            return serializers.ChoiceField(choices=_choices(field), allow_blank=optional, **common)
        case forms.DateTimeField():
            return serializers.DateTimeField(allow_null=optional, **common)
        case forms.DateField():
            return serializers.DateField(allow_null=optional, **common)
        case forms.DecimalField():
            return serializers.DecimalField(
                max_digits=field.max_digits,
                decimal_places=field.decimal_places,
                allow_null=optional,
                **common,
            )
        case forms.IntegerField():
            return serializers.IntegerField(
                min_value=field.min_value,
                max_value=field.max_value,
                allow_null=optional,
                **common,
            )
        case forms.EmailField():
            return serializers.EmailField(allow_blank=optional, **common)
        case _:
            return serializers.CharField(
                max_length=getattr(field, "max_length", None),
                allow_blank=optional,
                trim_whitespace=False,
                **common,
            )


@cache
def serializer_for(form_class: type[forms.Form], *, name: str = "", exclude: tuple = ()):
    """A serializer class with one field per field of `form_class` but `exclude` (cached)."""
    fields = {
        key: _serializer_field(field)
        for key, field in form_class.base_fields.items()
        if key not in exclude
    }
    return type(name or f"{form_class.__name__}Body", (serializers.Serializer,), fields)


def checked(serializer_class, payload, *, partial: bool = False) -> dict:
    """`payload` checked for types by `serializer_class`: the values, or Invalid (400)."""
    if not isinstance(payload, dict):
        raise Invalid({"non_field_errors": [NOT_AN_OBJECT]}, detail=NOT_AN_OBJECT)
    serializer = serializer_class(data=payload, partial=partial)
    if not serializer.is_valid():
        raise Invalid(_flat(serializer.errors))
    return dict(serializer.validated_data)


def validated(
    form_class, payload, *, partial: bool = False, field_prefix: str = "", **form_kwargs
) -> forms.BaseForm:
    """The form bound to `payload` (JSON), valid, or Invalid with its French messages.

    `partial` (PATCH): the fields not sent keep the values the form shows for its instance.
    `field_prefix`: where the fields sit in the body ("person" → errors on "person.birth_name").
    """
    try:
        values = checked(serializer_for(form_class), payload, partial=partial)
    except Invalid as invalid:
        raise _prefixed(invalid, field_prefix) from None
    # What the page shows before anything is typed: the instance's values for a PATCH, the
    # fields' defaults otherwise (a date of today, 0 months of sentence…).
    unbound = form_class(**form_kwargs)
    data = {
        name: unbound[name].value()
        for name, field in unbound.fields.items()
        if partial or field.initial not in (None, "") or name in unbound.initial
    }
    data.update(
        {
            # As the page would post it: a yes/no as "true"/"false", nothing as "".
            name: "" if value is None else unbound.fields[name].prepare_value(value)
            for name, value in values.items()
            if name in unbound.fields
        }
    )
    form = form_class(data=data, **form_kwargs)
    if not form.is_valid():
        raise _prefixed(Invalid(form_errors(form)), field_prefix)
    return form


def validated_formset(formset_class, items, *, field_prefix: str, prefix: str, **formset_kwargs):
    """The page's formset bound to a JSON list, valid, or Invalid naming each item's errors
    by position ("members.1.birth_name"). Each item is checked as a whole form: an empty
    object is an error here, where the page would skip an empty row."""
    if items is None:
        items = []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise Invalid({field_prefix: ["Une liste d'objets JSON est attendue."]})
    if len(items) > formset_class.max_num:
        raise Invalid({field_prefix: [f"{formset_class.max_num} éléments au plus."]})
    errors: dict[str, list[str]] = {}
    data = {f"{prefix}-TOTAL_FORMS": len(items), f"{prefix}-INITIAL_FORMS": 0}
    for index, item in enumerate(items):
        try:
            form = validated(formset_class.form, item, field_prefix=f"{field_prefix}.{index}")
        except Invalid as invalid:
            errors.update(invalid.errors)
            continue
        data.update({f"{prefix}-{index}-{name}": value for name, value in form.data.items()})
    if errors:
        raise Invalid(errors)
    formset = formset_class(data, prefix=prefix, **formset_kwargs)
    if not formset.is_valid():
        messages = [str(m) for m in formset.non_form_errors()]
        raise Invalid({field_prefix: messages or ["Ces éléments ne sont pas valides."]})
    return formset


def _flat(errors: dict, prefix: str = "") -> dict[str, list[str]]:
    """Errors of nested objects named by their path: {"person.birth_name": [...]}."""
    flat = {}
    for name, value in errors.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(_flat(value, f"{key}."))
        elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
            # A list of objects (`many=True`): each item's errors under its position.
            for index, item in enumerate(value):
                if item:
                    flat.update(_flat(item, f"{key}.{index}."))
        else:
            flat[key] = [str(message) for message in value]
    return flat


def _prefixed(invalid: Invalid, prefix: str) -> Invalid:
    if not prefix:
        return invalid
    return Invalid({f"{prefix}.{name}": messages for name, messages in invalid.errors.items()})
