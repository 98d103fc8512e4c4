"""Plausible national identifiers for the demo: SIREN, SIRET and FINESS carry a Luhn key."""

import random


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


def luhn_complete(payload: str) -> str:
    """`payload` followed by the one digit that makes the whole number Luhn-valid."""
    for key in "0123456789":
        if luhn_is_valid(payload + key):
            return payload + key
    raise AssertionError("unreachable: one key digit always fits")


def siren(rng: random.Random) -> str:
    """A 9-digit company number; associations' SIREN usually start with 3 to 8."""
    payload = str(rng.randint(3, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
    return luhn_complete(payload)


def siret(company: str, establishment: int) -> str:
    """The SIRET of the `establishment`-th site of a company: SIREN + NIC, Luhn-valid on 14."""
    return luhn_complete(f"{company}{establishment:04d}")


def finess(rng: random.Random, departement: str) -> str:
    """A FINESS établissement number: département, six digits, key."""
    return luhn_complete(departement + "".join(str(rng.randint(0, 9)) for _ in range(6)))
