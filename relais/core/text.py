"""French wording shared by messages, notifications and e-mails."""


def count_of(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 place libre", "3 places libres": French takes the singular for 0 and 1, never
    "place(s)". `plural` defaults to the singular with an "s" on each word."""
    if abs(count) < 2:
        return f"{count} {singular}"
    return f"{count} {plural or ' '.join(word + 's' for word in singular.split())}"
