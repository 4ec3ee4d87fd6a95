"""Free text as it is kept: without the invisible characters that reorder or hide it.

Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), bidi marks, zero-width
spaces and joiners, the word joiner and invisible operators, the byte-order mark and C0/C1
controls other than tab and newline can make a name read backwards ("gpj.exe" shown as
"exe.jpg") or hide text from a reader and from search. They are removed from every free-text field
(and every text inside a JSON field, such as an edit awaiting review) of the portal's own models
when the row is saved (``invisible_strip_on_save``, connected once by
the kernel), whoever saves it: a member's form, the admin, a Celery job, the shell. Stories clean
their titles and HTML with the same pattern. Everything else a member types is kept as typed and
escaped where it is shown (Django's autoescape; docs/architecture.md, "Output and user text").
"""

import re

from django.contrib.postgres.fields import ArrayField
from django.db import models

INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
                       "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# The apps whose rows are cleaned (the portal's own; Django's and allauth's tables are not typed into).
CLEANED_APPS = frozenset({"core", "members", "events", "services", "matching"})


def invisible_strip(text: str) -> str:
    """The text without the invisible characters (nothing else changes)."""
    return INVISIBLE.sub("", text)


LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")


def one_line(text: str) -> str:
    """The text on one line (an email subject, an SMS field): each line break, a space."""
    return LINE_BREAKS.sub(" ", text).strip()


def _json_clean(value):
    """A JSON value with every text in it (keys too) cleaned."""
    if isinstance(value, str):
        return invisible_strip(value)
    if isinstance(value, list):
        return [_json_clean(v) for v in value]
    if isinstance(value, dict):
        return {_json_clean(k): _json_clean(v) for k, v in value.items()}
    return value


def _text_fields(model) -> list[tuple[str, str]]:
    """(attribute name, "text" | "list" | "json") of the model's free-text fields (no choices);
    JSON fields hold typed text too (an edit awaiting review)."""
    fields = []
    for field in model._meta.concrete_fields:
        if isinstance(field, ArrayField):
            if isinstance(field.base_field, models.CharField | models.TextField) and not field.base_field.choices:
                fields.append((field.attname, "list"))
        elif isinstance(field, models.CharField | models.TextField) and not field.choices:
            fields.append((field.attname, "text"))
        elif isinstance(field, models.JSONField):
            fields.append((field.attname, "json"))
    return fields


_FIELDS: dict[type, list[tuple[str, str]]] = {}


def invisible_strip_on_save(sender, instance, raw=False, **kwargs) -> None:
    """pre_save: every free-text field of the row, cleaned (fixtures loaded raw are kept as they are)."""
    if raw or sender._meta.app_label not in CLEANED_APPS:
        return
    fields = _FIELDS.get(sender)
    if fields is None:
        fields = _FIELDS[sender] = _text_fields(sender)
    for name, shape in fields:
        value = getattr(instance, name)
        if shape == "list" and value:
            setattr(instance, name, [invisible_strip(v) if isinstance(v, str) else v for v in value])
        elif shape == "json" and value:
            setattr(instance, name, _json_clean(value))
        elif isinstance(value, str) and INVISIBLE.search(value):
            setattr(instance, name, invisible_strip(value))
