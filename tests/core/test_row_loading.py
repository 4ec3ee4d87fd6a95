"""Rows made into objects without the model's constructor (``row_loading.RowLoaded``): the same
objects Django's own ``from_db`` makes, and Django's way wherever a model needs more."""

import pytest
from django.db import connection
from django.db.models import Model, signals
from django.test.utils import CaptureQueriesContext

from xiangcheng.core.models import Programme
from xiangcheng.core.row_loading import RowLoaded, _plain
from xiangcheng.core.story_models import Story

from .story_helpers import story

pytestmark = pytest.mark.django_db


def _loaded():
    """A story with its programme (select_related) and its body deferred, as list pages read them."""
    return Story.objects.select_related("programme").defer("body").get()


def _state(obj) -> dict:
    """What an object holds: its values and whether it was loaded, from where, with what related."""
    values = {name: value for name, value in vars(obj).items() if name != "_state"}
    return {"values": values, "adding": obj._state.adding, "db": obj._state.db,
            "related": sorted(obj._state.fields_cache)}


def _made_by_django():
    """The same read, every object made through ``Model.__init__``: a receiver of ``post_init``
    that does nothing is enough for Django's way to be taken."""
    def receiver(**kwargs):
        pass

    signals.post_init.connect(receiver, sender=Story)
    signals.post_init.connect(receiver, sender=Programme)
    try:
        return _loaded()
    finally:
        signals.post_init.disconnect(receiver, sender=Story)
        signals.post_init.disconnect(receiver, sender=Programme)


def test_an_object_holds_what_djangos_own_loading_gives_it():
    story("她的科创故事", tags=["数字化"])

    fast, django_made = _loaded(), _made_by_django()

    assert _state(fast) == _state(django_made)
    assert _state(fast.programme) == _state(django_made.programme)
    assert fast._state.adding is False and fast._state.db == "default"
    assert fast.title == "她的科创故事" and fast.tags == ["数字化"] and fast.programme.slug == "create"
    assert "body" not in vars(fast)  # deferred, as Django leaves it
    assert not fast.cover  # a file field's descriptor still answers


def test_a_deferred_field_is_read_when_asked_and_a_change_saved_as_an_update():
    made = story("旧标题", body="<p>正文</p>")
    loaded = _loaded()

    with CaptureQueriesContext(connection) as asked:
        assert loaded.body == "<p>正文</p>"
    assert len(asked) == 1

    loaded.title = "新标题"
    with CaptureQueriesContext(connection) as saved:
        loaded.save(update_fields=["title"])
    assert [query["sql"].split()[0] for query in saved if "story" in query["sql"]] == ["UPDATE"]
    assert Story.objects.get(pk=made.pk).title == "新标题"
    assert Story.objects.count() == 1


def test_a_model_with_a_receiver_of_its_signals_is_made_through_its_constructor():
    story()
    seen = []

    def receiver(instance, **kwargs):
        seen.append(instance.pk)

    signals.post_init.connect(receiver, sender=Story)
    try:
        loaded = _loaded()
    finally:
        signals.post_init.disconnect(receiver, sender=Story)

    assert seen == [loaded.pk]


def test_a_model_with_a_constructor_of_its_own_is_made_through_it():
    class Own(Model):
        class Meta:
            abstract = True

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)

    assert _plain(Story) is True
    assert _plain(Own) is False


def test_every_model_of_the_project_loads_its_rows_this_way():
    from django.apps import apps

    ours = [model for model in apps.get_models()
            if model.__module__.split(".")[0] in {"members", "events", "services", "matching"}
            or model.__module__.startswith("xiangcheng.core.")]
    # The audit trail's event models are made by django-pghistory from its own base.
    missing = [model.__name__ for model in ours
               if not issubclass(model, RowLoaded) and not model.__name__.endswith("Audit")
               and model._meta.app_label != "pghistory"]
    assert missing == []
