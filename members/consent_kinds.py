"""我的授权: every consent she gave, from every app, and withdrawing one (PIPL).

``members`` cannot import the apps above it, so each app that keeps a consent registers a source
here in its ``ready()`` (``consent_source``): what it lists for her — ``rows(user)``, from her
consents in force alone, or ``read(user)``, one query of its own whose result is the list, sent
to PostgreSQL with every other source's in one round trip — and how one of them is withdrawn (``withdraw(user, item)``,
which stops that processing at once: she leaves the directory, 遇见 or 交友, an organisation no
longer sees her contacts, her children's data are erased). The page lists what every source
returns; ``consent_item_withdraw`` is the one way any of them is withdrawn: in one transaction,
recorded in the audit trail as done by her, with a notice confirming it through the outbox.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xiangcheng.core.audit import audit_context
from xiangcheng.core.compiled_queries import Read, together

from .models import User

logger = logging.getLogger(__name__)

WITHDRAW_REASON = gettext_noop("Withdrew a consent (我的授权)")


class ConsentNotFound(Exception):
    """Not one of her consents that can be withdrawn now (another member's, already withdrawn):
    the page answers 404, as if it did not exist."""

    def __init__(self):
        super().__init__(_("This consent is not among yours, or it is already withdrawn."))


@dataclass(frozen=True)
class ConsentItem:
    """One consent she gave, as the page shows it."""

    key: str  # unique within its source, safe in a URL ("directory", "response-12")
    title: str
    version: str  # the version of the text she agreed to; empty for a choice made on a form (contacts)
    given_at: datetime
    detail: str = ""  # what exactly it covers (the contacts shared, the registrations)
    withdrawable: bool = True
    note: str = ""  # why it cannot be withdrawn, or what withdrawing does


@dataclass(frozen=True)
class ConsentSource:
    key: str
    label: object
    rows: Callable[[User], list[ConsentItem]] | None  # from her consents in force (consent_in_force)
    read: Callable[[User], Read] | None  # one query of its own, its result the list
    withdraw: Callable[[User, ConsentItem], None] | None
    effect: object  # what withdrawing stops, shown on the confirmation page
    order: int

    def items(self, user: User) -> list[ConsentItem]:
        return together(self.read(user))[0] if self.read is not None else self.rows(user)


SOURCES: dict[str, ConsentSource] = {}


def consent_source(*, key: str, label, rows: Callable[[User], list[ConsentItem]] | None = None,
                   read: Callable[[User], Read] | None = None,
                   withdraw: Callable[[User, ConsentItem], None] | None = None, effect="",
                   order: int = 100) -> ConsentSource:
    """Register a kind of consent (once, from the owning app's ``ready()``), with either ``rows``
    or ``read``."""
    if (rows is None) == (read is None):
        raise ValueError(f"consent source {key!r} gives either rows or read")
    source = ConsentSource(key=key, label=label, rows=rows, read=read, withdraw=withdraw, effect=effect,
                           order=order)
    if SOURCES.setdefault(key, source) is not source:
        raise ValueError(f"consent source {key!r} is registered twice")
    return source


def consents_of(*, user: User) -> list[tuple[ConsentSource, list[ConsentItem]]]:
    """Her consents, source by source in the registered order (sources with none left out)."""
    from .consents import consents_in_force_read, consents_read_together

    listed = []
    ordered = sorted(SOURCES.values(), key=lambda s: (s.order, s.key))
    with consents_read_together(user=user):
        # Her consents in force first: the reads' results after it ask them.
        read = iter(together(consents_in_force_read(user=user),
                             *(source.read(user) for source in ordered if source.read is not None))[1:])
        for source in ordered:
            if items := (next(read) if source.read is not None else source.rows(user)):
                listed.append((source, items))
    return listed


def consent_item_of(*, user: User, source_key: str, item_key: str) -> tuple[ConsentSource, ConsentItem]:
    """One of her consents that she may withdraw; ConsentNotFound otherwise."""
    source = SOURCES.get(source_key)
    if source is None or source.withdraw is None:
        raise ConsentNotFound
    item = next((item for item in source.items(user) if item.key == item_key), None)
    if item is None or not item.withdrawable:
        raise ConsentNotFound
    return source, item


def consent_item_withdraw(*, user: User, source_key: str, item_key: str) -> ConsentItem:
    """She withdraws one consent: its processing stops in this transaction, and she is told.

    Her account's row is locked first, so a double click withdraws once (the second finds
    nothing left to withdraw and raises ConsentNotFound).
    """
    from .consent_notices import notify_withdrawn

    with transaction.atomic(), audit_context(actor=user, reason=WITHDRAW_REASON):
        User.objects.select_for_update().filter(pk=user.pk).first()
        with translation.override(settings.LANGUAGE_CODE):  # the notice's words, in the site's language
            source, item = consent_item_of(user=user, source_key=source_key, item_key=item_key)
            what = f"{source.label} · {item.title}" if str(source.label) != item.title else item.title
        source.withdraw(user, item)
        notify_withdrawn(user=user, key=f"{source_key}:{item_key}:{timezone.now().timestamp()}", what=what)
    logger.info("account %s withdrew consent %s:%s", user.pk, source_key, item_key)
    return item
