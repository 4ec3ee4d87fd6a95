"""A choice field's label for a value, from a map built once per field and process.

Django's ``get_FOO_display()`` makes a dictionary of the field's whole list of choices on every
call: a few hundred Python calls for a field choosing among the cities or the fields of science,
on pages that show several of them. A model whose labels pages show takes ``ChoiceLabels`` as its
first base; its ``get_FOO_display()`` then answers from a map kept for the field (labels stay lazy,
so each request still gets her language).
"""

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

# field → (its choices when the map was made, value → label)
_maps: dict[models.Field, tuple[object, dict]] = {}


def choice_label(field: models.Field, value):
    """What ``get_FOO_display()`` shows for ``value``: its label, or the value if it has none."""
    kept = _maps.get(field)
    if kept is None or kept[0] is not field.choices:  # choices swapped (a test's override) make it anew
        kept = _maps[field] = (field.choices, dict(make_hashable(field.flatchoices)))
    return force_str(kept[1].get(make_hashable(value), value), strings_only=True)


class ChoiceLabels:
    """A model mixin: ``get_FOO_display()`` of every choice field through ``choice_label``."""

    def _get_FIELD_display(self, field: models.Field):  # noqa: N802 - Django's name for it
        return choice_label(field, getattr(self, field.attname))
