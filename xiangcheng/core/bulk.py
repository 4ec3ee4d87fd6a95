"""Bulk data for `make bench`: the volumes the portal must stay fast at, loaded in minutes.

Each app registers its loader (by dotted path, imported only when bulk data is loaded) in its
AppConfig's ``ready``, the way demo data is registered (``demo.py``):

    bulk_loader(key="events", load="events.bulk.bulk_load", order=20)

`manage.py seed_bulk --scale 1.0 --seed 1` runs them in order. A loader takes a ``BulkRun`` (the
scale, the seed, the moment the data is placed around) and returns a ``BulkLoaded`` (rows written
per table). Scale 1.0 is the issue's volume (100k members, 1M registrations …); small scales are
for tests and a quick look. The same seed gives the same rows on the same day.

Rules every loader keeps:

- **Load if absent.** A loader first looks for its own rows and, if they are there, writes
  nothing (``BulkLoaded(skipped=True)``), so the command can run before every benchmark.
- **All or nothing.** A loader writes inside ``bulk_writing(...)``: one transaction, every
  constraint checked as each statement ends (not deferred to a commit holding a million queued
  checks), so its rows are either all there and valid or absent.
- **COPY, not the ORM.** ``rows_copy`` streams rows with PostgreSQL's COPY (psycopg 3), with ids
  taken beforehand from the table's own sequence (``ids_reserve``) so related rows can point at
  them.
- **The audit trail as it would have been written.** The audit triggers would stamp a million
  "created" events with the moment of the load; ``bulk_writing`` switches off the audit insert
  triggers of the models it is given for its own transaction only (nobody else can write to those
  tables meanwhile: the switch holds their lock until commit) and the loader writes the events
  itself with ``audit_copy``: created, then approved, cancelled or closed, each at the time it
  happened, with who and why. Audit tables stay append-only: rows are only ever added.

Bulk accounts share one known password, so the command refuses to run where
``settings.BULK_DATA_ALLOWED`` is off (production).
"""

import random
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pgtrigger
from django.db import connection, models, transaction
from django.utils.module_loading import import_string
from pghistory.trigger import Event as AuditTrigger
from psycopg import sql
from psycopg.types.json import Jsonb

from .models import Notice

BULK_PASSWORD = "xiangcheng-bulk-2026"  # noqa: S105 - every bulk account's password; never in production
# Rows per COPY statement: long enough to stream fast, short enough that the constraint checks
# PostgreSQL queues until a statement ends stay small.
COPY_BATCH = 20_000


@dataclass(frozen=True)
class BulkRun:
    scale: float
    seed: int
    now: datetime  # the data's "today": history before it, upcoming events after it

    def count(self, full: int) -> int:
        """``full`` (the volume at scale 1.0) at this scale."""
        return round(full * self.scale)

    def rng(self, name: str) -> random.Random:
        """A random generator of its own for each part, so one part's draws never shift another's."""
        return random.Random(f"{self.seed}:{name}")


@dataclass
class BulkLoaded:
    key: str
    rows: dict[type[models.Model], int] = field(default_factory=dict)  # rows written per model
    skipped: bool = False  # its rows were already there

    def add(self, model: type[models.Model], count: int) -> None:
        self.rows[model] = self.rows.get(model, 0) + count


@dataclass(frozen=True)
class BulkLoader:
    key: str
    load: str  # dotted path of a function BulkRun -> BulkLoaded
    order: int


_loaders: dict[str, BulkLoader] = {}


def bulk_loader(*, key: str, load: str, order: int) -> None:
    _loaders[key] = BulkLoader(key=key, load=load, order=order)


def bulk_loaders() -> list[BulkLoader]:
    return sorted(_loaders.values(), key=lambda loader: (loader.order, loader.key))


def bulk_load_all(*, run: BulkRun) -> Iterator[BulkLoaded]:
    """Run every app's loader, in order (each loads only what is absent)."""
    for loader in bulk_loaders():
        yield import_string(loader.load)(run)


# --- writing ---------------------------------------------------------------------------------------

def _audit_insert_triggers(model: type[models.Model]) -> list[str]:
    """The database names of the triggers that write the model's "created" audit events."""
    return [trigger.get_pgid(model) for tracked, trigger in pgtrigger.registered()
            if tracked is model and isinstance(trigger, AuditTrigger) and trigger.operation == pgtrigger.Insert]


def _triggers(models_: Sequence[type[models.Model]], action: str) -> None:
    with connection.cursor() as cursor:
        for model in models_:
            for name in _audit_insert_triggers(model):
                cursor.execute(sql.SQL("ALTER TABLE {} {} TRIGGER {}").format(
                    sql.Identifier(model._meta.db_table), sql.SQL(action), sql.Identifier(name)))


@contextmanager
def bulk_writing(*audited: type[models.Model]) -> Iterator[None]:
    """One transaction for a loader: constraints checked per statement, and the audit insert
    triggers of ``audited`` off until just before it commits (the loader writes their events)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        _triggers(audited, "DISABLE")
        yield
        _triggers(audited, "ENABLE")


def ids_reserve(model: type[models.Model], count: int) -> int:
    """The first of ``count`` consecutive ids taken from the model's own sequence, for rows that
    are written with their ids (so other rows can point at them). Nothing else may insert into
    the table while bulk data loads."""
    if count <= 0:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
        return cursor.fetchone()[0] - count + 1


def _type(field: models.Field) -> str:
    """The column's type as psycopg names it: varchar(12) → varchar, smallint[5] → smallint[]."""
    name = re.sub(r"\(\d+(,\s*\d+)?\)", "", field.db_type(connection))
    return re.sub(r"\[\d*\]$", "[]", name)


def _copy(table: str, columns: Sequence[str], types: Sequence[str], rows: Iterable[Sequence]) -> int:
    # Binary COPY with the column types given: psycopg's C dumpers encode each value directly.
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
    written = 0
    batch: list[Sequence] = []

    def flush() -> None:
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in batch:
                copy.write_row(row)
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) == COPY_BATCH:
            flush()
        written += 1
    if batch:
        flush()
    return written


def rows_copy(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY ``rows`` (tuples in the order of ``fields``, model field names) into the model's table.

    Values are what the database stores: ids for foreign keys, lists for arrays, dicts for JSON.
    """
    opts = model._meta
    model_fields = [opts.get_field(name) for name in fields]
    json_at = [i for i, f in enumerate(model_fields) if isinstance(f, models.JSONField)]
    if json_at:
        rows = (tuple(Jsonb(v) if i in json_at and v is not None else v for i, v in enumerate(row)) for row in rows)
    return _copy(opts.db_table, [f.column for f in model_fields], [_type(f) for f in model_fields], rows)


@dataclass(frozen=True)
class AuditEntry:
    """One audit event for a bulk row: its label, when, the context (who, which page, why) and the
    row as it was after the change, in the order of the fields given to ``audit_copy``."""

    label: str
    at: datetime
    context: dict | None
    row: Sequence


def audit_copy(model: type[models.Model], fields: Sequence[str], entries: Iterable[AuditEntry],
               *, rng: random.Random) -> int:
    """COPY audit events of ``model`` (rows written with ``rows_copy(model, fields, …)``).

    ``fields`` must hold every field the trail records for the model, and its primary key.
    ``rng`` makes each context's id (one per request or job in real life).
    """
    opts = model._meta
    event_model = model.pgh_event_model
    recorded = [f for f in event_model._meta.concrete_fields if not f.name.startswith("pgh_")]
    position = {name: i for i, name in enumerate(fields)}
    missing = [f.name for f in recorded if f.name not in position]
    if missing:
        raise ValueError(f"{opts.label} audit rows need the fields {missing}")
    picks = [position[f.name] for f in recorded]
    pk_at = position[opts.pk.name]

    def rows() -> Iterator[tuple]:
        for entry in entries:
            row = entry.row
            context_id = uuid.UUID(int=rng.getrandbits(128), version=4) if entry.context else None
            yield (entry.at, entry.label, row[pk_at], Jsonb(entry.context) if entry.context else None, context_id,
                   *(row[i] for i in picks))

    written = [event_model._meta.get_field(name) for name in (
        "pgh_created_at", "pgh_label", "pgh_obj", "pgh_context", "pgh_context_id")] + recorded
    return _copy(event_model._meta.db_table, [f.column for f in written], [_type(f) for f in written], rows())


def tables_settled(*models_: type[models.Model]) -> None:
    """Loaded tables left as autovacuum would leave them later: fresh planner statistics and,
    outside a transaction (the command on its own), vacuumed too: their rows marked as committed
    and their pages as all-visible once, here. A copy made straight after a load (`make bench`'s
    run) would otherwise pay for that while it is measured, each first read of a row writing its
    page. A transaction (a test's) cannot vacuum.
    """
    statement = "ANALYZE {}" if connection.in_atomic_block else "VACUUM (ANALYZE) {}"
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(sql.SQL(statement).format(sql.Identifier(model._meta.db_table)))


# --- choosing ----------------------------------------------------------------------------------------

def shares(total: int, weights: Sequence[float], caps: Sequence[int] | None = None) -> list[int]:
    """``total`` split in proportion to ``weights``, none above its cap: whole numbers adding up
    to ``total`` exactly (or to the sum of the caps, if that is less)."""
    caps = list(caps) if caps is not None else [total] * len(weights)
    result = [0] * len(weights)
    open_ = [i for i, w in enumerate(weights) if w > 0 and caps[i] > 0]
    left = min(total, sum(caps[i] for i in open_))
    while left > 0 and open_:
        weight = sum(weights[i] for i in open_)
        exact = {i: left * weights[i] / weight for i in open_}
        given = {i: min(int(exact[i]), caps[i] - result[i]) for i in open_}
        # The remainder goes to the largest fractions, one each, while room is left.
        spare = left - sum(given.values())
        for i in sorted(open_, key=lambda i: exact[i] - int(exact[i]), reverse=True):
            if spare == 0:
                break
            if given[i] < caps[i] - result[i]:
                given[i] += 1
                spare -= 1
        for i, n in given.items():
            result[i] += n
        left -= sum(given.values())
        open_ = [i for i in open_ if result[i] < caps[i]]
    return result


class Pick:
    """Takes exactly ``wanted`` of ``total`` items offered one by one, each equally likely
    (selection sampling), without holding the items."""

    def __init__(self, rng: random.Random, *, wanted: int, total: int):
        self.rng = rng
        self.wanted = min(wanted, total)
        self.left = total

    def take(self) -> bool:
        chosen = self.rng.random() * self.left < self.wanted
        self.left -= 1
        if chosen:
            self.wanted -= 1
        return chosen


# --- the outbox --------------------------------------------------------------------------------------

# A notice row as ``notice_row`` makes it, for ``rows_copy(Notice, NOTICE_FIELDS, …)``.
NOTICE_FIELDS = ["recipient", "kind", "key", "staff_only", "target_type", "target_id", "data", "state",
                 "created_at", "claimed_at", "sent_at", "attempts", "last_error", "channels_sent",
                 "subject", "body", "url", "read_at"]


def notice_row(rng: random.Random, *, now: datetime, recipient_id: int, kind: str, key: str,
               target_type_id: int | None, target_id: int | None, created_at: datetime, channels: list[str],
               subject: str, body: str, url: str = "", data: dict | None = None, staff_only: bool = False) -> tuple:
    """One outbox row in the state a real one of that age is in: mostly sent (and most of those
    read), a few skipped because they no longer applied, a few failed after every attempt, and a
    few waiting for the retry job after a worker died holding them."""
    draw = rng.random()
    taken = created_at + timedelta(seconds=rng.uniform(0.2, 20))
    if draw < 0.95:
        sent_at = taken + timedelta(seconds=rng.uniform(0.5, 5))
        read = not staff_only and rng.random() < 0.65
        read_at = min(now, sent_at + timedelta(hours=rng.expovariate(1 / 30))) if read else None
        return (recipient_id, kind, key, staff_only, target_type_id, target_id, data or {}, Notice.State.SENT,
                created_at, taken, sent_at, 1, "", channels, subject, body, url, read_at)
    if draw < 0.98:
        return (recipient_id, kind, key, staff_only, target_type_id, target_id, data or {}, Notice.State.SKIPPED,
                created_at, taken, taken, 1, "", [], "", "", "", None)
    if draw < 0.995:
        error = "SmsProviderError: isp.RAM_PERMISSION_DENY: the gateway refused the request"
        return (recipient_id, kind, key, staff_only, target_type_id, target_id, data or {}, Notice.State.FAILED,
                created_at, None, None, 5, error, channels[:1] if len(channels) > 1 else [], "", "", "", None)
    return (recipient_id, kind, key, staff_only, target_type_id, target_id, data or {}, Notice.State.PENDING,
            created_at, taken, None, 1, "SmsTimeout: timeout: read timed out", [], "", "", "", None)
