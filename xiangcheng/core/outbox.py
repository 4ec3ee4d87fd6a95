"""The one notification outbox: a message is a row before it is a send.

An app declares each kind of notice once (``notice_kind``): how it is composed (subject, email
body, SMS template and parameters, the page it points to), whether it still applies when its
turn comes and, optionally, how the rows it is about are loaded for a chunk at once. Domain code
calls ``notify`` (one notice) or ``notify_many`` (a fan-out: one INSERT ... ON CONFLICT DO NOTHING
per thousand rows) inside the transaction that decided something: each row is written once per
key (a retried step or a concurrent scan finds the row already there) and its delivery is
enqueued after commit, CHUNK rows to a task; a single notice (one request's) joins the fresh
list instead, which drain tasks take a chunk at a time (``fresh_add``, ``fresh_drain``).

Delivery (``deliver_many``; ``deliver`` is the same with one row) takes a chunk: one conditional
UPDATE ... RETURNING gives each row to exactly one worker, the rows and what they are about are
loaded together, those that no longer apply (or whose recipient's account is closed) are skipped
in one UPDATE, and the rest are composed and sent one by one through one set of channels (one
SMTP connection, one SMS backend). Each row's outcome is written as soon as it is sent, so a
worker that dies in the middle of a chunk resends nothing already sent; a row that fails does
not stop the others. The composed text stays on the row, which is what 我的消息 shows her.
A worker that died keeps its claim only for the lease (OUTBOX_LEASE_SECONDS); a chunk that runs
for half the lease gives its untouched rows back; ``retry_unsent`` — one beat job for every
kind — takes rows left behind after OUTBOX_GRACE_SECONDS. A row that fails MAX_ATTEMPTS times
is marked failed, logged at ERROR and shown to staff in admin, who may retry it.

Nothing here imports an app: apps import this module and register their kinds.
"""

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core import signing
from django.core.cache import cache
from django.db import connections, models, router, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .channels import channels_open
from .models import Notice
from .plain_text import invisible_strip, one_line
from .redis_cache import redis_client
from .sms import SmsTemplate

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
DELIVER_TASK = "xiangcheng.core.tasks.deliver_notices"
DRAIN_TASK = "xiangcheng.core.tasks.deliver_fresh_notices"
# Notices per delivery task: one claim, one load of what they are about, one SMTP connection.
CHUNK = 100
# Rows per INSERT when notify_many writes a fan-out.
INSERT_BATCH = 1000
# The conditional claim is what sends each row once; tests switch it off once to prove that the
# race test catches a double send.
CLAIM_ROWS = True


# What a ``Message.hidden`` becomes on the notice's row.
HIDDEN_MARK = "[…]"


@dataclass(frozen=True)
class Message:
    """What one notice says, composed when it is sent."""

    subject: str
    body: str
    sms: tuple[SmsTemplate, dict[str, str]] | None = None
    url: str = ""  # the page on the portal it is about, for 我的消息
    # A part of the body that is a key (an invitation's link): sent, but kept on the row masked,
    # since staff read the rows in admin.
    hidden: str = ""

    def __post_init__(self) -> None:
        # What members and staff typed reaches a notice through its data too (a reason, a quote):
        # the subject is one line, and nothing sent keeps the invisible characters that reorder
        # text (plain_text.py) — whichever kind composed it.
        object.__setattr__(self, "subject", one_line(invisible_strip(self.subject)))
        object.__setattr__(self, "body", invisible_strip(self.body))
        if self.sms is not None:
            template, params = self.sms
            object.__setattr__(self, "sms", (template, {k: one_line(invisible_strip(v)) for k, v in params.items()}))

    def body_kept(self) -> str:
        return self.body.replace(self.hidden, HIDDEN_MARK) if self.hidden else self.body


@dataclass(frozen=True)
class NoticeKind:
    name: str
    label: object
    compose: Callable[[Notice], Message]
    applies: Callable[[Notice], bool] | None = None
    # Staff-only notices (digests) are emailed, never listed in a member's 我的消息.
    staff_only: bool = False
    # Staff holding this permission ("app_label.codename") may read such notices in admin.
    permission: str = ""
    # How the rows these notices are about are loaded for a chunk at once (related rows joined),
    # so that compose and applies read ``notice.target`` without a query each.
    targets: Callable[[], QuerySet] | None = None
    # A notice to someone who may have no account yet (an invitation): where it goes, as
    # (email address, mobile number), either may be empty. The recipient is then the account it
    # is sent on behalf of, and the notice is not listed in her messages.
    address: Callable[[Notice], tuple[str, str]] | None = None
    # Sent even though the recipient's account is closed: the notice confirming the deletion of
    # her account, written as the account closes (members/erasure.py).
    closed_accounts: bool = False


KINDS: dict[str, NoticeKind] = {}


def notice_kind(name: str, *, label, compose: Callable[[Notice], Message], permission: str,
                applies: Callable[[Notice], bool] | None = None, staff_only: bool = False,
                targets: Callable[[], QuerySet] | None = None,
                address: Callable[[Notice], tuple[str, str]] | None = None,
                closed_accounts: bool = False) -> NoticeKind:
    """Declare a kind of notice (once, when the app's notices module is imported)."""
    kind = NoticeKind(name=name, label=label, compose=compose, applies=applies, staff_only=staff_only,
                      permission=permission, targets=targets, address=address, closed_accounts=closed_accounts)
    if KINDS.setdefault(name, kind) is not kind:
        raise ValueError(f"notice kind {name!r} is declared twice")
    return kind


def kinds_visible_to(user) -> list[str]:
    """The kinds a member of staff may read in admin: those of the work her permissions cover."""
    return [name for name, kind in KINDS.items() if user.is_superuser or user.has_perm(kind.permission)]


def notice_key(kind: NoticeKind, key: str) -> str:
    return f"{kind.name}:{key}"


@dataclass(frozen=True)
class Addressed:
    """One notice of a fan-out: to whom, its key within the kind, the row it is about."""

    recipient_id: int
    key: str
    target_id: int | None = None
    data: dict = field(default_factory=dict)


def notify(*, kind: NoticeKind, recipient, key: str, target: models.Model | None = None,
           data: dict | None = None) -> tuple[int, bool]:
    """Write the notice once per (kind, key) in the current transaction; deliver it after commit.

    Returns the row's pk and whether this call created it. Concurrent callers meet at the unique
    key: one inserts, the others find its row.
    """
    item = Addressed(recipient_id=recipient.pk, key=key, target_id=target.pk if target is not None else None,
                     data=data or {})
    created = notify_many(kind=kind, items=[item], target_model=type(target) if target is not None else None)
    if created:
        return created[0], True
    return Notice.objects.values_list("pk", flat=True).get(key=notice_key(kind, key)), False


_INSERT = """
    INSERT INTO {table} (recipient_id, kind, key, staff_only, target_type_id, target_id, data, state,
                         created_at, attempts, last_error, channels_sent, subject, body, url)
    SELECT r, %s, k, %s, %s, t, d::jsonb, %s, %s, 0, '', '{{}}', '', '', ''
    FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::text[]) WITH ORDINALITY AS u (r, k, t, d, n)
    ORDER BY n
    ON CONFLICT (key) DO NOTHING
    RETURNING id
"""


def notify_many(*, kind: NoticeKind, items: Iterable[Addressed],
                target_model: type[models.Model] | None = None) -> list[int]:
    """Write many notices of one kind (each about a ``target_model`` row, if given) in the current
    transaction, each once per key; deliver them after commit, CHUNK to a task.

    Returns the pks of the rows this call created: a key already written (by an earlier call or
    a concurrent one, which this call waits for) is left as it is. Rows go in in key order, so
    two writers of the same keys queue behind each other instead of deadlocking.
    """
    unique = {notice_key(kind, item.key): item for item in items}
    if not unique:
        return []
    target_type = ContentType.objects.get_for_model(target_model).pk if target_model is not None else None
    using = router.db_for_write(Notice)
    now = timezone.now()
    keys = sorted(unique)
    created: list[int] = []
    with connections[using].cursor() as cursor:
        for start in range(0, len(keys), INSERT_BATCH):
            batch = keys[start:start + INSERT_BATCH]
            cursor.execute(_INSERT.format(table=Notice._meta.db_table), [
                # An addressed notice is not the recipient's to read: kept out of her messages.
                kind.name, kind.staff_only or kind.address is not None, target_type, Notice.State.PENDING, now,
                [unique[key].recipient_id for key in batch], batch, [unique[key].target_id for key in batch],
                [json.dumps(unique[key].data) for key in batch],
            ])
            created += [row[0] for row in cursor.fetchall()]
    if created:
        transaction.on_commit(lambda: enqueue(created), using=using, robust=True)
    return created


def enqueue(pks: list[int]) -> None:
    """Ask workers to deliver the rows, CHUNK to a task. A single notice — what one request
    decides, a sign-up's confirmation — joins the fresh ones instead (``fresh_add``), which a
    worker drains a chunk at a time. Tasks are looked up by name so that no module imports
    them; if the broker is down the rows stay pending and the retry job delivers them later."""
    if len(pks) == 1:
        fresh_add(pks[0])
        return
    task = current_app.tasks[DELIVER_TASK]
    for start in range(0, len(pks), CHUNK):
        task.delay(notice_ids=pks[start:start + CHUNK])


def lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def _takeable(now) -> Q:
    return Q(state=Notice.State.PENDING, attempts__lt=MAX_ATTEMPTS) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease()))


def claim(pks: list[int]) -> list[int]:
    """Take the rows for sending: each pending row goes to exactly one caller, however many ask
    at once. One UPDATE ... RETURNING over the takeable rows, locked first (those another caller
    is taking right now are skipped: they are its rows). Returns the rows taken, in pk order."""
    now = timezone.now()
    takeable = Notice.objects.filter(_takeable(now), pk__in=pks).order_by("pk")
    if not CLAIM_ROWS:  # check, then act: the race the one conditional UPDATE closes
        taken = list(takeable.values_list("pk", flat=True))
        Notice.objects.filter(pk__in=taken).update(claimed_at=now, attempts=F("attempts") + 1)
        return taken
    using = router.db_for_write(Notice)
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        locked, params = takeable.select_for_update(skip_locked=True).values("pk").query.sql_with_params()
        # The table's name and SQL the ORM compiled; every value is a parameter.
        cursor.execute(f"UPDATE {Notice._meta.db_table} SET claimed_at = %s, attempts = attempts + 1 "  # noqa: S608
                       f"WHERE id IN ({locked}) RETURNING id", [now, *params])
        return sorted(row[0] for row in cursor.fetchall())


@dataclass
class Delivery:
    """What one ``deliver_many`` did with the rows it was given."""

    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: dict[int, Exception] = field(default_factory=dict)
    given_back: list[int] = field(default_factory=list)  # not reached within half the lease

    def __str__(self) -> str:
        return (f"{len(self.sent)} sent, {len(self.skipped)} skipped, {len(self.failed)} failed, "
                f"{len(self.given_back)} given back")


def _loaded(pks: list[int]) -> list[Notice]:
    """The claimed rows with their recipients and what they are about, in a few queries."""
    custom = {}
    for kind in KINDS.values():
        if kind.targets is not None:
            queryset = kind.targets()
            custom.setdefault(queryset.model, queryset)
    return list(Notice.objects.filter(pk__in=pks).select_related("recipient").order_by("pk")
                .prefetch_related(GenericPrefetch("target", list(custom.values()))))


def _applies(notice: Notice) -> bool:
    kind = KINDS.get(notice.kind)
    return (kind is not None and (notice.recipient.is_active or kind.closed_accounts)
            and (kind.applies is None or kind.applies(notice)))


def deliver_many(*, notice_ids: list[int]) -> Delivery:
    """Claim the rows, re-check them, compose and send each, record each outcome.

    A row that fails is given back for a retry (its error recorded and logged) without stopping
    the others; channels already delivered are remembered per row and not sent again.
    """
    outcome = Delivery()
    started = time.monotonic()
    taken = claim(list(notice_ids)) if notice_ids else []
    if not taken:
        return outcome
    notices = _loaded(taken)
    live = []
    for notice in notices:
        try:
            applies = _applies(notice)
        except Exception as exc:  # one row's check failing must not fail the others
            outcome.failed[notice.pk] = exc
            _record_failure(notice, exc, channels_sent=list(notice.channels_sent))
            continue
        if applies:
            live.append(notice)
        else:
            outcome.skipped.append(notice.pk)
    if outcome.skipped:
        Notice.objects.filter(pk__in=outcome.skipped).update(state=Notice.State.SKIPPED, sent_at=timezone.now())
    budget = settings.OUTBOX_LEASE_SECONDS / 2
    with channels_open(notice.recipient for notice in live) as channels:
        for position, notice in enumerate(live):
            if position and time.monotonic() - started > budget:
                outcome.given_back = [n.pk for n in live[position:]]
                _give_back(outcome.given_back)
                break
            done = list(notice.channels_sent)

            def sent(channel: str, pk: int = notice.pk, done: list[str] = done) -> None:
                # On the row at once: a worker that dies before the next channel (an SMS call
                # may take seconds) must not send this one again.
                done.append(channel)
                _record(pk, channels_sent=done)

            try:
                kind = KINDS[notice.kind]
                message = kind.compose(notice)
                if kind.address is not None:
                    email, phone = kind.address(notice)
                    channels.notify_address(email=email, phone=phone, subject=message.subject, body=message.body,
                                            sms=message.sms, already=list(done), sent=sent)
                else:
                    channels.notify_user(user=notice.recipient, subject=message.subject, body=message.body,
                                         sms=message.sms, already=list(done), sent=sent)
            except Exception as exc:
                outcome.failed[notice.pk] = exc
                _record_failure(notice, exc, channels_sent=done)
                continue
            _record(notice.pk, state=Notice.State.SENT, sent_at=timezone.now(), channels_sent=done, last_error="",
                    subject=message.subject[:200], body=message.body_kept(), url=message.url[:300])
            outcome.sent.append(notice.pk)
    # Each row's outcome is committed as it is recorded.
    return outcome


def deliver(*, notice_id: int) -> bool:
    """``deliver_many`` for one row: True if this call sent it. A failure is recorded on the row
    and raised."""
    outcome = deliver_many(notice_ids=[notice_id])
    if notice_id in outcome.failed:
        raise outcome.failed[notice_id]
    return notice_id in outcome.sent


# --- fresh notices: one task for the single notices of many requests --------------------------------
#
# Publishing a task for each sign-up's notice cost about as much CPU as the rest of its delivery,
# in the web process and again in the worker; in a rush of sign-ups most of a machine's time
# went to it. A single notice's id is pushed onto a Redis list instead, and a drain task is
# published only if none is waiting (the "kick", a key set if absent). The drain deletes the
# kick before it takes ids, so an id pushed after that publishes the next drain; an id pushed
# before it is either taken or left for the drain this one kicks when ids are left over. The
# kick expires, so a drain lost with a worker holds nothing back for long; its rows are pending
# in the table in any case, and the retry job sends what no drain took.
#
# The first drain since the last one waits FRESH_GATHER_SECONDS before it runs: the notices of
# requests arriving together (a rush of sign-ups) go out in one chunk a moment later, and the
# web processes keep the machine while they answer. A drain that leaves notices behind kicks the
# next one at once.
FRESH_LIST, FRESH_KICK = "outbox:fresh", "outbox:fresh-kick"
FRESH_KICK_SECONDS = 10
FRESH_GATHER_SECONDS = 2
# Like every cache entry, the list expires by itself (Redis evicts nothing, docs/operations.md):
# with no worker draining it for that long, the retry job sends its rows.
FRESH_LIST_SECONDS = 3600


def _fresh_keys() -> tuple[str, str]:
    return cache.make_key(FRESH_LIST), cache.make_key(FRESH_KICK)


def fresh_add(pk: int) -> None:
    """Push a notice onto the fresh list and kick a drain unless one is already waiting."""
    listed, kick = _fresh_keys()
    client = redis_client()
    with client.pipeline(transaction=False) as pipe:
        pipe.rpush(listed, pk)
        pipe.expire(listed, FRESH_LIST_SECONDS)
        pipe.set(kick, 1, nx=True, ex=FRESH_KICK_SECONDS)
        kicked = pipe.execute()[2]
    if kicked:
        _drain_publish(client, kick, gather=True)


def _drain_publish(client, kick: str, *, gather: bool = False) -> None:
    try:
        current_app.tasks[DRAIN_TASK].apply_async(countdown=FRESH_GATHER_SECONDS if gather else None)
    except Exception:
        client.delete(kick)  # the next notice tries again instead of waiting for the kick to expire
        raise


def fresh_drain() -> Delivery:
    """The drain task: take up to CHUNK fresh notices and deliver them, kicking the next drain
    first if more are waiting (another worker process takes them meanwhile)."""
    listed, kick = _fresh_keys()
    client = redis_client()
    client.delete(kick)
    with client.pipeline(transaction=True) as pipe:
        pipe.lrange(listed, 0, CHUNK - 1)
        pipe.ltrim(listed, CHUNK, -1)
        pipe.llen(listed)
        taken, _, left = pipe.execute()
    if left and client.set(kick, 1, nx=True, ex=FRESH_KICK_SECONDS):
        try:
            _drain_publish(client, kick)
        except Exception:  # the ids taken are still delivered; the next notice kicks again
            logger.exception("could not publish the next drain of fresh notices; %d wait", left)
    return deliver_many(notice_ids=[int(pk) for pk in taken])


def _give_back(pks: list[int]) -> None:
    """Rows a chunk did not reach in time: unclaimed, their attempt not counted, enqueued again."""
    Notice.objects.filter(pk__in=pks).update(claimed_at=None, attempts=F("attempts") - 1)
    logger.warning("a delivery ran out of time; %d notices enqueued again", len(pks))
    enqueue(pks)


def _record(pk: int, **fields) -> None:
    """One row's outcome, written as soon as it is known, so that a worker dying later in its
    chunk resends nothing already sent. The commit does not wait for the disk: only a crash of
    the database server itself could lose the last moment's records (those rows would be sent
    again), and a chunk's rows cost a round trip each instead of a flush each."""
    using = router.db_for_write(Notice)
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        Notice.objects.filter(pk=pk).update(**fields)


def _record_failure(notice: Notice, exc: Exception, *, channels_sent: list[str]) -> None:
    error = f"{type(exc).__name__}: {exc}"[:500]
    if notice.attempts >= MAX_ATTEMPTS:
        _record(notice.pk, state=Notice.State.FAILED, claimed_at=None, last_error=error, channels_sent=channels_sent)
        logger.error("notice %s (%s) to user %s failed %d times and gave up: %s",
                     notice.pk, notice.kind, notice.recipient_id, notice.attempts, error)
    else:
        _record(notice.pk, claimed_at=None, last_error=error, channels_sent=channels_sent)
        logger.warning("notice %s (%s) to user %s failed (attempt %d of %d), will retry: %s",
                       notice.pk, notice.kind, notice.recipient_id, notice.attempts, MAX_ATTEMPTS, error)


def unsent(*, limit: int = 500) -> list[int]:
    """Rows nobody delivered: the broker was down, or a worker died holding the claim."""
    now = timezone.now()
    return list(
        Notice.objects.filter(_takeable(now), created_at__lt=now - timedelta(seconds=settings.OUTBOX_GRACE_SECONDS))
        .order_by("pk").values_list("pk", flat=True)[:limit]
    )


def abandoned_fail() -> int:
    """Rows whose last attempt ended without an outcome (the worker died, or the chunk around
    them failed) and that have no attempt left: marked failed, so staff see and may retry them,
    instead of staying pending for good. Returns how many."""
    now = timezone.now()
    stuck = Notice.objects.filter(state=Notice.State.PENDING, attempts__gte=MAX_ATTEMPTS).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease()))
    count = stuck.update(state=Notice.State.FAILED, claimed_at=None,
                         last_error=f"no outcome after {MAX_ATTEMPTS} attempts")
    if count:
        logger.error("%d notices had no outcome after %d attempts and are marked failed", count, MAX_ATTEMPTS)
    return count


def retry_unsent() -> int:
    """The periodic job: mark the abandoned rows failed, then deliver every row left behind, a
    chunk at a time. Returns how many were sent (failures are recorded on their rows and logged)."""
    abandoned_fail()
    pks = unsent()
    return sum(len(deliver_many(notice_ids=pks[start:start + CHUNK]).sent) for start in range(0, len(pks), CHUNK))


def notices_retry(*, notice_ids: list[int]) -> int:
    """Staff retry failed notices: they go back to pending with fresh attempts, and are enqueued."""
    with transaction.atomic():
        pks = list(Notice.objects.filter(pk__in=notice_ids, state=Notice.State.FAILED)
                   .select_for_update().values_list("pk", flat=True))
        Notice.objects.filter(pk__in=pks).update(state=Notice.State.PENDING, attempts=0, claimed_at=None)
        transaction.on_commit(lambda: enqueue(pks), robust=True)
    return len(pks)


# --- stop links: a notice's link that stops that kind of email without a login ---------------------

def stop_token(user_id: int, *, salt: str) -> str:
    """What an email's stop link carries: the account, signed for one purpose (``salt``); no expiry."""
    return signing.dumps({"u": user_id}, salt=salt)


def stop_token_account(token: str, *, salt: str) -> int | None:
    """The account a stop link was made for, or None if it was changed or made for another purpose."""
    try:
        return int(signing.loads(token, salt=salt)["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
