"""The one audit trail: every change to the records that matter, whoever or whatever made it.

Postgres triggers (django-pghistory on django-pgtrigger) write an event row for each insert,
update and delete of a tracked model, in the same transaction as the change. Nothing in
application code can change a tracked row without leaving one: a domain function, an admin
action, a Celery job, a data fix in the shell and a bare ``QuerySet.update()`` are all recorded.
An event row holds the tracked fields as they were after the change and, as JSON, the context it
happened in: who (``user``, an account id), the request path (``url``), the Celery task (``task``),
the reason given (``reason``) and any other detail. Old → new values come from comparing an event
with the object's previous one. Event tables are append-only (a trigger refuses UPDATE/DELETE).

How an app uses it:

- ``@audit.track(status="status")`` on a model: ``created``, ``updated`` and ``deleted`` events,
  one label per status reached (``approved``, ``closed`` …) so staff can filter by them, and the
  manual labels ``exported`` and ``baseline``.
- ``with audit_context(actor=reviewer, reason=reason):`` around a domain function's writes.
- ``record_access(obj, label=EXPORTED, actor=user, what=gettext_noop("…"), format="csv")`` when
  staff download personal data.
- ``history(obj)`` and ``entries(events)`` to read it (the admin pages in ``core/admin.py``).

Every request runs in a context naming the signed-in user and the path (``AuditMiddleware``),
every Celery task in one naming the task (the signal handlers below). This module imports none of
the apps.
"""

import functools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pghistory
import pghistory.models
import psycopg
from celery.signals import task_postrun, task_prerun
from django.apps import apps
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pghistory.middleware import HistoryMiddleware

from .plain_text import invisible_strip
from .row_loading import RowLoaded

CREATED = "created"
UPDATED = "updated"
DELETED = "deleted"
EXPORTED = "exported"
# Written by a data migration: the state of each row when its tracking began, so the first change
# afterwards still shows what it changed from.
BASELINE = "baseline"

LABELS = {
    CREATED: _("Created"),
    UPDATED: _("Changed"),
    DELETED: _("Deleted"),
    EXPORTED: _("Exported"),
    BASELINE: _("State when the audit trail began"),
}

# Browsing the whole trail in admin. No staff group has it by default; superusers do.
BROWSE_PERMISSION = "core.browse_audit_trail"

_tracked: list[type[models.Model]] = []
_status_fields: dict[type[models.Model], str] = {}


# --- declaring what is tracked -------------------------------------------------------------------

def _changed(name: str) -> pghistory.Q:
    return pghistory.Q(**{f"old__{name}__df": pghistory.F(f"new__{name}")})


def _trackers(model: type[models.Model], names: list[str], status: str | None) -> list[pghistory.Tracker]:
    updates: list[pghistory.Tracker]
    if status is None:
        updates = [pghistory.UpdateEvent(UPDATED)]
    else:
        # Exactly one event per update: labelled by the status it reached, or "updated" when the
        # status stayed and something else changed.
        others = [name for name in names if name != status]
        updates = [pghistory.UpdateEvent(UPDATED, condition=(
            pghistory.Q(**{f"old__{status}__ndf": pghistory.F(f"new__{status}")})
            & functools.reduce(operator.or_, map(_changed, others))
        ))] if others else []
        for value, _label in model._meta.get_field(status).flatchoices:
            if value in LABELS:
                raise ValueError(f"{model._meta.label}.{status} value {value!r} clashes with an audit label")
            updates.append(pghistory.UpdateEvent(
                value, condition=_changed(status) & pghistory.Q(**{f"new__{status}": value})))
    return [pghistory.InsertEvent(CREATED), *updates, pghistory.DeleteEvent(DELETED),
            pghistory.ManualEvent(EXPORTED), pghistory.ManualEvent(BASELINE)]


def track(*, fields: Sequence[str] | None = None, exclude: Sequence[str] = (),
          status: str | None = None) -> Callable[[type[models.Model]], type[models.Model]]:
    """Record every change to the decorated model in its ``<Model>Audit`` event table.

    ``fields`` limits what is recorded (and which changes count); by default every field except
    ``exclude`` and the ``auto_now`` timestamps. ``status`` names the field whose values label
    the updates that reach them.
    """

    def decorate(model: type[models.Model]) -> type[models.Model]:
        names = list(fields) if fields is not None else [
            f.name for f in model._meta.local_fields
            if f.name not in exclude and not getattr(f, "auto_now", False)
        ]
        pghistory.track(
            *_trackers(model, names, status),
            fields=names,
            model_name=f"{model.__name__}Audit",
            obj_field=pghistory.ObjForeignKey(related_name="audit_events"),
            # The context is copied into each event row as it was at that statement, so a reason
            # given for one change never attaches to the other changes of the same request.
            context_field=pghistory.ContextJSONField(),
            append_only=True,
            # The trail is read newest first across every event table (``listed``).
            meta={"default_permissions": (), "indexes": [
                models.Index(fields=["pgh_created_at"], name=f"{model._meta.model_name[:21]}_audit_at")]},
        )(model)
        _tracked.append(model)
        if status is not None:
            _status_fields[model] = status
        return model

    return decorate


def tracked_models() -> list[type[models.Model]]:
    return list(_tracked)


# --- context: who, why, from where ---------------------------------------------------------------

def _forget_context() -> None:
    """Clear the context settings of the open transaction, if any.

    pghistory sets them per statement, local to the transaction; inside a transaction that
    continues after the block they would otherwise label the later changes too.
    """
    if not connection.in_atomic_block or connection.needs_rollback or connection.connection is None:
        return
    if connection.connection.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pghistory.context_id', '', true), "
                       "set_config('pghistory.context_metadata', '', true)")


@contextmanager
def audit_context(*, actor: models.Model | None = None, reason: str = "", **details: Any) -> Iterator[None]:
    """Changes made inside the block are recorded as made by ``actor``, for ``reason``.

    Nested blocks add to (and override) the context around them until they end; the request's
    or task's context holds again afterwards. ``details`` must be JSON values.
    """
    # A reason is often staff's own words: kept without the characters that reorder text (plain_text.py).
    values = {"user": getattr(actor, "pk", None), "reason": invisible_strip(str(reason)) if reason else None,
              **details}
    values = {key: value for key, value in values.items() if value is not None}
    try:
        with pghistory.context() as current:
            saved = dict(current.metadata)
            current.metadata.update(values)
            try:
                yield
            finally:
                current.metadata.clear()
                current.metadata.update(saved)
    finally:
        _forget_context()


class AuditMiddleware(HistoryMiddleware):
    """pghistory's middleware: each change made while answering a request is recorded with the
    signed-in user and the path."""

    def __call__(self, request):
        try:
            return super().__call__(request)
        finally:
            _forget_context()


_task_contexts: dict[str, ExitStack] = {}


def _task_started(*, task_id: str, task, **_signal) -> None:
    stack = ExitStack()
    stack.enter_context(audit_context(task=task.name, task_id=task_id))
    _task_contexts[task_id] = stack


def _task_finished(*, task_id: str, **_signal) -> None:
    stack = _task_contexts.pop(task_id, None)
    if stack is not None:
        stack.close()


# Every Celery task, in the worker or run inline, records its changes under its own name.
task_prerun.connect(_task_started, weak=False, dispatch_uid="xiangcheng.core.audit.task_started")
task_postrun.connect(_task_finished, weak=False, dispatch_uid="xiangcheng.core.audit.task_finished")


def record_access(obj: models.Model, *, label: str = EXPORTED, actor: models.Model, **details: Any) -> None:
    """Record that ``actor`` read personal data through ``obj`` (an export, a download).

    ``details`` say what and how, e.g. ``what=gettext_noop("attendee list"), format="xlsx"``
    (``what`` is shown translated).
    """
    current = type(obj)._base_manager.get(pk=obj.pk)  # the row as stored, not a stale copy
    with audit_context(actor=actor, **details):
        pghistory.create_event(current, label=label)


# --- reading it ----------------------------------------------------------------------------------

class AuditEvent(RowLoaded, pghistory.models.Events):
    """Every event of every tracked model, as one read-only list (a view over the event tables)."""

    user = pghistory.ProxyField("pgh_context__user", models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, related_name="+",
        verbose_name=_("by")))
    reason = pghistory.ProxyField("pgh_context__reason", models.TextField(_("reason"), null=True))
    task = pghistory.ProxyField("pgh_context__task", models.TextField(_("background job"), null=True))
    url = pghistory.ProxyField("pgh_context__url", models.TextField(_("page"), null=True))

    class Meta:
        proxy = True
        app_label = "core"
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        default_permissions = ()
        permissions = [("browse_audit_trail", _("Can browse the whole audit trail"))]


@dataclass(frozen=True)
class Change:
    """One field's change in an event, raw and as staff read it."""

    name: str
    label: str
    old: Any
    new: Any
    old_text: str
    new_text: str


@dataclass(frozen=True)
class Entry:
    """One audit event, resolved: the object, who, the changed fields."""

    slug: str
    at: datetime
    label: str
    model: type[models.Model] | None
    object_id: Any
    obj: models.Model | None
    actor: models.Model | None
    context: dict
    data: dict
    changes: tuple[Change, ...]

    @property
    def actor_id(self) -> int | None:
        return self.context.get("user")

    @property
    def reason(self) -> str:
        return self.context.get("reason", "")

    @property
    def task(self) -> str:
        return self.context.get("task", "")

    @property
    def url(self) -> str:
        return self.context.get("url", "")

    @property
    def title(self) -> str:
        return label_text(self.label, self.model)

    @property
    def who(self) -> str:
        if self.actor is not None:
            return _named(self.actor)
        if self.actor_id is not None:
            return gettext("account #%(id)s") % {"id": self.actor_id}
        if self.task:
            return gettext("background job %(task)s") % {"task": self.task}
        return gettext("no one signed in")

    @property
    def detail(self) -> str:
        """What was read, for access events: e.g. "attendee list, xlsx"."""
        parts = [gettext(self.context["what"])] if self.context.get("what") else []
        if self.context.get("format"):
            parts.append(self.context["format"])
        return ", ".join(parts)


def label_text(label: str, model: type[models.Model] | None = None) -> str:
    if label in LABELS:
        return str(LABELS[label])
    status = _status_fields.get(model)
    if status is not None:
        choices = dict(model._meta.get_field(status).flatchoices)
        if label in choices:
            return gettext("Status: %(status)s") % {"status": choices[label]}
    return label


def label_choices() -> list[tuple[str, str]]:
    """Every label an event may carry, with its name (a status value shared by two models shows
    both names)."""
    names: dict[str, list[str]] = {label: [str(text)] for label, text in LABELS.items()}
    for model, status in _status_fields.items():
        for value, _text in model._meta.get_field(status).flatchoices:
            text = label_text(value, model)
            if text not in names.setdefault(value, []):
                names[value].append(text)
    return [(label, " / ".join(texts)) for label, texts in names.items()]


def _user_model() -> type[models.Model]:
    return apps.get_model(settings.AUTH_USER_MODEL)


def _tracked_model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _fields_by_column(model: type[models.Model] | None) -> dict[str, models.Field]:
    return {f.column: f for f in model._meta.concrete_fields} if model else {}


# How the trail names an account (who acted, or an account a change points at). The kernel knows
# only the account, whose str() is an email or a mobile number; the accounts' app registers how
# to name a person without showing how to reach her, and what to load with the accounts for it.
_account_naming: dict[str, Any] = {"name": str, "related": ()}


def account_naming(*, name: Callable[[models.Model], str], related: Sequence[str] = ()) -> None:
    _account_naming.update(name=name, related=tuple(related))


def _named(obj: models.Model) -> str:
    return _account_naming["name"](obj) if isinstance(obj, _user_model()) else str(obj)


def _as_text(field: models.Field | None, value: Any, found: dict) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if field is None:
        return str(value)
    if field.is_relation:
        obj = found.get(field.related_model, {}).get(value)
        return _named(obj) if obj is not None else f"#{value}"
    if isinstance(field, ArrayField):
        return ", ".join(_as_text(field.base_field, item, found) for item in value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    return str(value)


def entries(events: Iterable[pghistory.models.Events]) -> list[Entry]:
    """Resolve events: the objects, actors and related values they name, a few queries in all."""
    events = list(events)
    user_model = _user_model()
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for event in events:
        model = _tracked_model(event.pgh_obj_model)
        if (event.pgh_context or {}).get("user") is not None:
            wanted[user_model].add(event.pgh_context["user"])
        if model is not None and event.pgh_obj_id is not None:
            wanted[model].add(model._meta.pk.to_python(event.pgh_obj_id))
        columns = _fields_by_column(model)
        for column, pair in (event.pgh_diff or {}).items():
            field = columns.get(column)
            if field is not None and field.is_relation:
                wanted[field.related_model].update(v for v in pair if v is not None)
    # Each object is named by its str(), which may name what it points at (a registration its
    # event): those are loaded with it, not one query a row.
    found = {model: (model._base_manager.select_related(*_account_naming["related"]) if model is user_model
                     else model._base_manager.select_related()).in_bulk(list(pks))
             for model, pks in wanted.items()}

    resolved = []
    for event in events:
        model = _tracked_model(event.pgh_obj_model)
        context = event.pgh_context or {}
        object_id = model._meta.pk.to_python(event.pgh_obj_id) if model and event.pgh_obj_id else None
        columns = _fields_by_column(model)
        diff = event.pgh_diff or {}
        order = list(columns)
        changes = tuple(
            Change(name=columns[column].name if column in columns else column,
                   label=str(columns[column].verbose_name) if column in columns else column,
                   old=diff[column][0], new=diff[column][1],
                   old_text=_as_text(columns.get(column), diff[column][0], found),
                   new_text=_as_text(columns.get(column), diff[column][1], found))
            for column in sorted(diff, key=lambda c: order.index(c) if c in order else len(order))
        )
        resolved.append(Entry(
            slug=event.pgh_slug, at=event.pgh_created_at, label=event.pgh_label, model=model,
            object_id=object_id, obj=found.get(model, {}).get(object_id) if model else None,
            actor=found[user_model].get(context.get("user")) if context.get("user") is not None else None,
            context=context, data=event.pgh_data or {}, changes=changes,
        ))
    return resolved


class _ListedCompiler(pghistory.models.EventsQueryCompiler):
    """Each event table as a plain SELECT of its rows: the columns of django-pghistory's view, the
    data as stored, no changes (``pgh_diff`` is null). Its own view orders each table by id to
    compare every event with the one before it, so PostgreSQL had to read every event of every
    table to find the newest fifty; plain SELECTs let it walk each table's index on
    ``pgh_created_at`` and stop."""

    def _get_select(self, event_model):
        final_context, context, context_id, context_join, proxies = self._get_context_clauses(event_model)
        label = event_model._meta.label
        internal = ",".join(f.column for f in event_model._meta.concrete_fields if f.column.startswith("pgh_"))
        obj_id = "_event.pgh_obj_id::TEXT" if hasattr(event_model, "pgh_obj_id") else "NULL::TEXT"
        # Every name below comes from the model registry, none from a request.
        return f"""
            SELECT
              CONCAT('{label}', ':', _pgh_obj_event.pgh_id) AS pgh_slug,
              _pgh_obj_event.pgh_id,
              _pgh_obj_event.pgh_created_at,
              _pgh_obj_event.pgh_label,
              {final_context}
              _pgh_obj_event.pgh_obj_id,
              '{label}' AS pgh_model,
              '{event_model.pgh_tracked_model._meta.label}' AS pgh_obj_model,
              _pgh_obj_event._curr_data - '{{{internal}}}'::TEXT[] AS pgh_data,
              NULL::JSONB AS pgh_diff,
              _pgh_obj_event.pgh_context_id,
              _pgh_obj_event.pgh_context
            FROM (
              SELECT
                _event.pgh_id,
                _event.pgh_created_at,
                _event.pgh_label,
                TO_JSONB(_event) AS _curr_data,
                {proxies}
                {context_id},
                {context},
                {obj_id} AS pgh_obj_id
              FROM "{event_model._meta.db_table}" _event
              {context_join}
            ) _pgh_obj_event
        """  # noqa: S608


class _ListedQuery(pghistory.models.EventsQuery):
    def get_compiler(self, *args, **kwargs):
        compiler = super().get_compiler(*args, **kwargs)
        compiler.__class__ = _ListedCompiler
        return compiler


def listed(event_models: Sequence[type[models.Model]]) -> models.QuerySet:
    """Every event of those tables, to filter, search, order, count and page: each row has its
    data but not its changes (read a page's events whole with ``events_of_keys``). No tables, no
    events (django-pghistory reads no tables as every table)."""
    if not event_models:
        return AuditEvent.objects.none()
    events = AuditEvent.objects.across(*event_models)
    query = events.query.chain()
    query.__class__ = _ListedQuery
    events.query = query
    return events


def _labels(model: type[models.Model]) -> set[str]:
    status = _status_fields.get(model)
    reached = {value for value, _label in model._meta.get_field(status).flatchoices} if status else set()
    return {CREATED, UPDATED, DELETED, EXPORTED, BASELINE} | reached


def labelled(events: models.QuerySet, label: str) -> models.QuerySet:
    """The events with that label, read only from the event tables whose events may carry it (a
    status reached exists on few models; the others' events need not be read to find none)."""
    tables = events.query.across or [model.pgh_event_model for model in _tracked]
    carrying = [table for table in tables if label in _labels(table.pgh_tracked_model)]
    return events.across(*carrying).filter(pgh_label=label) if carrying else events.none()


def events_keyed(events: models.QuerySet) -> list[tuple[str, int]]:
    """The events' keys (event table, id) in the queryset's order: what a page of the trail holds."""
    return list(events.values_list("pgh_model", "pgh_id"))


def events_of_keys(keys: Sequence[tuple[str, int]]) -> list[pghistory.models.Events]:
    """The events of those keys, whole (their data and changes), in the keys' order: each event
    table is read by primary key."""
    if not keys:
        return []
    wanted: dict[str, list[int]] = defaultdict(list)
    for model, pk in keys:
        wanted[model].append(pk)
    tables = [apps.get_model(label) for label in wanted]
    found = AuditEvent.objects.across(*tables).filter(functools.reduce(
        operator.or_, (models.Q(pgh_model=label, pgh_id__in=pks) for label, pks in wanted.items())))
    by_key = {(event.pgh_model, event.pgh_id): event for event in found}
    return [by_key[key] for key in keys if key in by_key]


def history(obj: models.Model, *, references: bool = False) -> list[Entry]:
    """The object's events, oldest first; with ``references`` also those of rows pointing at it
    (a ticket's messages)."""
    events = AuditEvent.objects.references(obj) if references else AuditEvent.objects.tracks(obj)
    return entries(events.order_by("pgh_created_at", "pgh_model", "pgh_id"))


def visible_event_models(user) -> list[type[models.Model]]:
    """The event tables of the models this member of staff may see in admin."""
    allowed = []
    for model in _tracked:
        opts = model._meta
        if user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
                f"{opts.app_label}.change_{opts.model_name}"):
            allowed.append(model.pgh_event_model)
    return allowed


def record_baseline(apps_registry, app_label: str, model_name: str) -> None:
    """For a data migration: one ``baseline`` event per existing row of a newly tracked model."""
    model = apps_registry.get_model(app_label, model_name)
    event_model = apps_registry.get_model(app_label, f"{model_name}Audit")
    names = [f.attname for f in event_model._meta.concrete_fields
             if not f.name.startswith("pgh_") and f.attname in {g.attname for g in model._meta.concrete_fields}]
    batch = []
    for row in model._base_manager.order_by("pk").iterator(chunk_size=500):
        batch.append(event_model(pgh_label=BASELINE, pgh_obj_id=row.pk,
                                 **{name: getattr(row, name) for name in names}))
        if len(batch) == 500:
            event_model._base_manager.bulk_create(batch)
            batch = []
    event_model._base_manager.bulk_create(batch)
