"""National identifiers and codes of a structure: format, and check digit where one exists."""

import re

from django.core.exceptions import ValidationError

# La Poste's establishments share one SIREN whose SIRET follow their own key (sum of digits
# divisible by 5) instead of Luhn.
LA_POSTE_SIREN = "356000000"


def luhn_is_valid(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def validate_siret(value: str) -> None:
    if not re.fullmatch(r"\d{14}", value):
        raise ValidationError("Un SIRET compte 14 chiffres, sans espace.", code="siret_format")
    if value.startswith(LA_POSTE_SIREN):
        valid = sum(int(c) for c in value) % 5 == 0
    else:
        valid = luhn_is_valid(value)
    if not valid:
        raise ValidationError(
            "Ce SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez les chiffres.",
            code="siret_key",
        )


def validate_finess(value: str) -> None:
    """Nine characters: département (2A/2B in Corsica, 97 overseas), six digits, a Luhn key.

    The key of a Corsican number (with a letter) is not checked: we know no published rule.
    """
    if not re.fullmatch(r"(\d{2}|2A|2B)\d{7}", value):
        raise ValidationError(
            "Un n° FINESS compte 9 caractères : le département (ex. 68, 2A) puis des chiffres.",
            code="finess_format",
        )
    if value[:2] in ("2A", "2B"):
        return
    if not luhn_is_valid(value):
        raise ValidationError(
            "Ce n° FINESS n'existe pas : sa clé de contrôle est fausse. Vérifiez les chiffres.",
            code="finess_key",
        )


def validate_commune_insee_code(value: str) -> None:
    if not re.fullmatch(r"(\d{2}|2A|2B)\d{3}", value):
        raise ValidationError(
            "Le code INSEE d'une commune compte 5 caractères (ex. 68224, 2A004).",
            code="insee_format",
        )


def validate_postcode(value: str) -> None:
    if not re.fullmatch(r"\d{5}", value):
        raise ValidationError("Un code postal compte 5 chiffres.", code="postcode_format")
