"""``get_FOO_display()`` answered from a map kept per field: the same label as Django's own, in
each request's language, for every choice, an unknown value and none."""

import pytest
from django.db import models
from django.utils import translation

from events.models import Event
from members.models import City, MemberProfile, Organisation
from services.models import Job
from xiangcheng.core import choice_labels

pytestmark = pytest.mark.django_db  # a job's default programme is read from the database

CASES = [
    (Organisation, "city"), (Organisation, "kind"), (Organisation, "industry"), (Organisation, "size"),
    (MemberProfile, "city"), (MemberProfile, "field"), (Job, "education"), (Job, "status"), (Event, "kind"),
]


@pytest.mark.parametrize(("model", "name"), CASES)
def test_each_label_is_djangos_in_each_language(model, name):
    field = model._meta.get_field(name)
    values = [value for value, _label in field.flatchoices] + ["not-a-choice", None, ""]
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value in values:
                row = model(**{field.attname: value})
                assert getattr(row, f"get_{name}_display")() == models.Model._get_FIELD_display(row, field)


def test_the_map_is_made_once_per_field_and_anew_when_its_choices_change():
    field = Organisation._meta.get_field("city")
    choice_labels._maps.pop(field, None)
    with translation.override("zh-hans"):
        assert Organisation(city=City.SUZHOU).get_city_display() == str(City.SUZHOU.label)
        kept = choice_labels._maps[field]
        assert Organisation(city=City.SUZHOU).get_city_display() == str(City.SUZHOU.label)
        assert choice_labels._maps[field] is kept
        saved = field.choices
        try:
            field.choices = [(City.SUZHOU, "another label")]
            assert Organisation(city=City.SUZHOU).get_city_display() == "another label"
        finally:
            field.choices = saved
        assert Organisation(city=City.SUZHOU).get_city_display() == str(City.SUZHOU.label)
