"""Reads the POST forms of a rendered page as a browser would: field names, kinds, values."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

TEXT_KINDS = {"text", "search", "email", "tel", "number", "date", "datetime-local", "url", ""}


@dataclass
class Field:
    name: str
    kind: str  # an <input> type, "textarea" or "select"
    value: str = ""
    options: list[str] = field(default_factory=list)
    form: int = 0  # which POST form of the page
    action: str = ""

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS or self.kind == "textarea"


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[Field] = []
        self.form = -1
        self.action = ""
        self.in_post_form = False
        self.current: Field | None = None  # a textarea or select being read
        self.choices: dict[str, Field] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_post_form = (attrs.get("method") or "").lower() == "post"
            if self.in_post_form:
                self.form += 1
                self.action = attrs.get("action") or ""
            return
        if not self.in_post_form or "name" not in attrs or "disabled" in attrs:
            return
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("radio", "checkbox"):
                key = f"{self.form}:{name}"
                choice = self.choices.get(key)
                if choice is None:
                    choice = Field(name, kind, form=self.form, action=self.action)
                    self.choices[key] = choice
                    self.fields.append(choice)
                choice.options.append(attrs.get("value", "on"))
                if "checked" in attrs:
                    choice.value = attrs.get("value", "on")
                return
            self.fields.append(
                Field(name, kind, attrs.get("value", ""), form=self.form, action=self.action)
            )
        elif tag in ("textarea", "select"):
            self.current = Field(name, tag, form=self.form, action=self.action)
            self.fields.append(self.current)
        elif tag == "option" and self.current is not None:
            value = attrs.get("value", "")
            self.current.options.append(value)
            if "selected" in attrs:
                self.current.value = value

    def handle_data(self, data):
        if self.current is not None and self.current.kind == "textarea":
            self.current.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_post_form = False
        elif tag in ("textarea", "select"):
            if self.current is not None and self.current.kind == "textarea":
                self.current.value = self.current.value.removeprefix("\n")
            self.current = None


def fields_of(page: str, *, action: str | None = None) -> list[Field]:
    """The fields of the page's POST forms (of the one posting to `action`, if given)."""
    parser = _Parser()
    parser.feed(page)
    fields = parser.fields
    if action is not None:
        fields = [f for f in fields if f.action in (action, "")]
        forms = {f.form for f in fields if f.action == action} or {f.form for f in fields}
        first = min(forms) if forms else 0
        fields = [f for f in fields if f.form == first]
    return [f for f in fields if f.kind not in ("checkbox", "radio") or f.value or f.options]
