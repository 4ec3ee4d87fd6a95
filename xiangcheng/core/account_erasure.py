"""The kernel's part in erasing a deleted account (注销账号, PIPL): what the kernel itself keeps
about a person, and the one deliberate way to rewrite values in the append-only audit trail.

The accounts' app runs the erasure (``members/erasure.py``); every app registers a step there and
calls these where its rows are concerned:

- ``audit_forget(model=, pks=, values=)``: in the audit events of those rows, the recorded values
  of the named fields are replaced (her ticket's subject, a registration's children's ages). The
  trail keeps every event, its time, label and context (who acted, why): only her personal values
  go. The append-only trigger of that event table is ignored for this one statement, in this
  transaction only — nothing else can rewrite the trail.
- ``notices_forget(user_id=, identifiers=)``: her own outbox rows deleted (我的消息 with them); in
  other people's notices (a representative told of her response) her name, address and number
  replaced by a mark.
- ``admin_log_forget(identifiers=)``: the same in Django admin's "recent actions".
- ``sessions_end(user_id=)``: every session naming her account deleted, in the database and the
  cache. (Her sessions already stopped working when her account was closed: the signed-in account
  is loaded only while it is active.)

Nothing here imports an app.
"""

import functools
import json
import logging
import operator
from collections.abc import Iterable, Sequence
from typing import Any

import pgtrigger
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models import Q, TextField, Value
from django.db.models.functions import Cast, Replace

from .models import Notice
from .sessions import SessionStore

logger = logging.getLogger(__name__)

# What a person's name, address or number becomes in text that stays (other people's notices).
ERASED_MARK = "[…]"


def audit_forget(*, model: type[models.Model], pks: Sequence[Any], values: dict[str, Any]) -> int:
    """Replace the recorded values of ``values``' fields in the audit events of these rows of
    ``model``; returns how many events were rewritten."""
    if not pks or not values:
        return 0
    event_model = model.pgh_event_model
    with pgtrigger.ignore(f"{event_model._meta.label}:append_only"):
        return event_model._base_manager.filter(pgh_obj_id__in=list(pks)).update(**values)


def _identifiers(values: Iterable[str]) -> list[str]:
    # A single character would erase too much of other people's text.
    return sorted({value for value in values if value and len(value) >= 2}, key=len, reverse=True)


def _scrubbed(queryset: models.QuerySet, fields: Sequence[str], identifiers: list[str]) -> int:
    changed = 0
    for identifier in identifiers:
        for name in fields:
            changed += queryset.filter(**{f"{name}__contains": identifier}).update(
                **{name: Replace(name, Value(identifier), Value(ERASED_MARK))})
    return changed


def notices_forget(*, user_id: int, identifiers: Iterable[str]) -> int:
    """Delete her outbox rows; mark her identifiers out of everyone else's (their text and the
    details they were written with). Returns how many of her rows were deleted."""
    deleted, _ = Notice.objects.filter(recipient_id=user_id).delete()
    found = _identifiers(identifiers)
    _scrubbed(Notice.objects.all(), ["subject", "body"], found)
    if found:
        as_text = Cast("data", TextField())
        mentioning = Notice.objects.annotate(data_text=as_text).filter(
            functools.reduce(operator.or_, [Q(data_text__contains=value) for value in found]))
        for notice in mentioning.only("pk", "data"):
            text = json.dumps(notice.data, ensure_ascii=False)
            for value in found:
                text = text.replace(json.dumps(value, ensure_ascii=False)[1:-1], ERASED_MARK)
            Notice.objects.filter(pk=notice.pk).update(data=json.loads(text))
    return deleted


def admin_log_forget(*, identifiers: Iterable[str]) -> int:
    """Mark her identifiers out of Django admin's "recent actions"."""
    return _scrubbed(LogEntry.objects.all(), ["object_repr", "change_message"], _identifiers(identifiers))


def sessions_end(*, user_id: int) -> int:
    """Delete every session naming the account, with its cached copy; returns how many."""
    ended = 0
    store = SessionStore()
    for key, data in Session.objects.values_list("session_key", "session_data").iterator(chunk_size=1000):
        try:
            decoded = store.decode(data)
        except Exception:  # noqa: S112 - a session that cannot be read names nobody
            continue
        if str(decoded.get("_auth_user_id", "")) == str(user_id):
            SessionStore(session_key=key).delete()
            ended += 1
    return ended
