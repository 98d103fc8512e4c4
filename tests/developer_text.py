"""What a user must never read on a page: code names, model names, raw values, Django's
English pages (issue 12, point 9).

`developer_text(text)` takes the page's *visible* text (a browser's `inner_text("body")`, or
`visible_text(html)` for a test client's response) and returns the offending snippets, each
with a little context; an empty list means the page reads as French written for people.
"""

import re
from functools import cache
from html.parser import HTMLParser

from django.apps import apps
from django.db import models

# Addresses and links typed in the data may hold underscores or dots; they are the user's text.
_ADDRESSES = re.compile(r"\S+@\S+|\bhttps?://\S+")
# A code name: lowercase words joined by "_" (is_indebted, placecapacity_age_range, person_id).
_IDENTIFIER = r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"
# Python's values and the pager of an empty choice, and Django's own English error pages.
_RAW = r"\b(?:True|False|None)\b|-{5,}|\{\s*['\"][^'\"]*['\"]\s*:|\{\}|\bForbidden\b|\bNot Found\b|\bServer Error\b|\bBad Request\b"


@cache
def _code_words() -> re.Pattern:
    """Django labels (`requests.householdmember`), English model names (`person n° 214`) and
    stored choice values that are not words of their own French labels (`preposition`)."""
    ours = [c for c in apps.get_app_configs() if c.name.startswith("relais.")]
    labels = {c.label for c in ours}
    names = {m._meta.model_name for c in ours for m in c.get_models()}
    french = set()
    values = set()
    for cls in _text_choices():
        for value, label in cls.choices:
            french.update(re.findall(r"\w+", str(label).casefold()))
            if isinstance(value, str) and re.fullmatch(r"[a-z]{4,}", value):
                values.add(value)
    words = (names | values | _ENGLISH_WORDS) - french - _FRENCH_WORDS
    return re.compile(
        r"\b(?:" + "|".join(sorted(labels)) + r")\.[a-z]+\b"
        r"|\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b"
    )


# Code words seen on pages that are no model name nor stored choice (audit details, forms).
_ENGLISH_WORDS = {"filters", "preposition", "attribute", "transition_name"}

# Code words that are also plain French (a structure, une orientation, une notification…).
_FRENCH_WORDS = {
    "structure",
    "orientation",
    "notification",
    "organisation",
    "transmission",
    "admission",
    "rectification",
    "insertion",
    "urgence",
    "stabilisation",
    "logement",
    "accompagnement",
    "autre",
    "famille",
    "detention",
    "site",
    "parcours",
    # French spelt without its accent, or the same word in both languages.
    "exclusion",
    "interim",
    "pacs",
    "hotel",
    "reorientation",
    "prefectoral",
}


def _text_choices():
    seen, todo = [], [models.TextChoices]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("relais."):
                seen.append(sub)
            todo.append(sub)
    return seen


def developer_text(text: str) -> list[str]:
    """The snippets of `text` a developer wrote for developers, each in its context."""
    text = _ADDRESSES.sub(" ", text)
    found = []
    for pattern in (re.compile(_IDENTIFIER), re.compile(_RAW), _code_words()):
        for match in pattern.finditer(text):
            start, end = max(match.start() - 40, 0), match.end() + 40
            context = " ".join(text[start:end].split())
            found.append(f"{match.group()!r} in «{context}»")
    return found


class _Visible(HTMLParser):
    """The text a reader sees: no script, style or template, no element marked hidden."""

    SKIP = {"script", "style", "template", "noscript", "head"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        hidden = tag in self.SKIP or "hidden" in dict(attrs)
        self.stack.append((tag, hidden or self._hidden()))

    def handle_endtag(self, tag):
        # HTML lets some end tags out (</p>, </li>): close up to the matching start tag.
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def _hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_data(self, data):
        if not self._hidden():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


class _Inputs(HTMLParser):
    """Text boxes and lists without their DSFR class: no border, no background on screen."""

    BOXES = {"text", "password", "number", "date", "email", "search", "tel", "url", "time"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.unstyled: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "input" and attributes.get("type", "text") in self.BOXES or tag == "textarea":
            wanted = "fr-input"
        elif tag == "select":
            wanted = "fr-select"
        else:
            return
        if wanted not in classes:
            self.unstyled.append(f"<{tag} name={attributes.get('name')!r} class={classes}>")


def unstyled_inputs(html: str) -> list[str]:
    """The inputs of `html` drawn without the DSFR input style."""
    parser = _Inputs()
    parser.feed(html)
    return parser.unstyled
