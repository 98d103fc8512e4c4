"""JSON bodies, cleaned as form values are (relais.core.inputs.CleanInputMiddleware): no
control character reaches a form, a query or the audit (PostgreSQL refuses NUL in text)."""

from rest_framework.parsers import JSONParser

from relais.core.inputs import strip_control_characters

MAX_DEPTH = 20


def _cleaned(value, depth: int = 0):
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, str):
        return strip_control_characters(value)
    if isinstance(value, list):
        return [_cleaned(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {
            strip_control_characters(str(key)): _cleaned(item, depth + 1)
            for key, item in value.items()
        }
    return value


class CleanJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _cleaned(super().parse(stream, media_type, parser_context))
