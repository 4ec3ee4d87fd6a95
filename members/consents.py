"""Separate, versioned, timestamped consents (PIPL)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.utils import timezone

from xiangcheng.core.compiled_queries import CompiledQuery, Read

from .models import Consent, User

# Inside ``consents_read_together``: her consents in force by kind, read with one query on first use.
_read_together: ContextVar[dict | None] = ContextVar("consents_read_together", default=None)


def consent_grant(*, user: User, kind: str, version: str | None = None) -> Consent:
    return Consent.objects.create(
        user=user, kind=kind, version=version or settings.PRIVACY_POLICY_VERSION
    )


def _in_force(user_id: int):
    """Her consents not withdrawn."""
    return Consent.objects.filter(user_id=user_id, withdrawn_at__isnull=True)


def consent_withdraw(*, user: User, kind: str) -> int:
    return _in_force(user.pk).filter(kind=kind).update(withdrawn_at=timezone.now())


# 我的授权's read of all her consents in force, oldest first, and her consents in force of one
# kind, newest first (a handful): their SQL built once per process.
_ALL_IN_FORCE = CompiledQuery(lambda user_id: _in_force(user_id).order_by("granted_at", "pk"), user_id=int)
_IN_FORCE_OF_KIND = CompiledQuery(lambda user_id, kind: _in_force(user_id).filter(kind=kind).order_by(
    "-granted_at", "-pk"), user_id=int, kind=str)
_IN_FORCE_OF_KIND_IDS = CompiledQuery(lambda user_id, kind: _in_force(user_id).filter(kind=kind).values_list(
    "pk", flat=True), user_id=int, kind=str)


def _latest_by_kind(consents: list[Consent]) -> dict[str, Consent]:
    latest: dict[str, Consent] = {}
    for consent in consents:  # oldest first: the later one of a kind wins
        latest[consent.kind] = consent
    return latest


def consent_in_force(*, user: User, kind: str) -> Consent | None:
    """Her latest consent of this kind that she has not withdrawn; None if there is none."""
    together = _read_together.get()
    if together is None or together["user_id"] != user.pk:
        return _IN_FORCE_OF_KIND.first(user_id=user.pk, kind=kind)
    if together["by_kind"] is None:
        together["by_kind"] = _latest_by_kind(_ALL_IN_FORCE.rows(user_id=user.pk))
    return together["by_kind"].get(kind)


def consents_in_force_read(*, user: User) -> Read:
    """Inside ``consents_read_together``: all her consents in force, read with other queries
    (``together``); the reads after it in the same call find them there."""
    together = _read_together.get()
    if together is None or together["user_id"] != user.pk:
        raise RuntimeError("consents_in_force_read is read inside consents_read_together, for the same account")

    def kept(consents: list[Consent]) -> None:
        together["by_kind"] = _latest_by_kind(consents)

    return _ALL_IN_FORCE.read(user_id=user.pk).then(kept)


@contextmanager
def consents_read_together(*, user: User) -> Iterator[None]:
    """Within it, ``consent_in_force`` reads all her consents in force with one query and answers
    every kind from it (我的授权 asks for one kind after another)."""
    token = _read_together.set({"user_id": user.pk, "by_kind": None})
    try:
        yield
    finally:
        _read_together.reset(token)


def has_consent(*, user: User, kind: str) -> bool:
    return bool(_IN_FORCE_OF_KIND_IDS.rows(user_id=user.pk, kind=kind))


def has_consent_read(*, user: User, kind: str) -> Read:
    """``has_consent``, to be read with a page's other queries in one round trip (``together``)."""
    return _IN_FORCE_OF_KIND_IDS.read(user_id=user.pk, kind=kind).then(bool)


# Consents that reveal something only some staff may know (taking part in 遇见's 交友 circle): the
# app that owns the kind registers the permission it takes to see them (``consent_kind_guard``),
# and the consents' admin leaves them out for anyone without it.
_guarded_kinds: dict[str, str] = {}


def consent_kind_guard(*, kind: str, permission: str) -> None:
    _guarded_kinds[kind] = permission


def consent_kinds_hidden_from(user: User) -> list[str]:
    """The consent kinds this member of staff may not see."""
    return sorted(kind for kind, permission in _guarded_kinds.items() if not user.has_perm(permission))


# --- The privacy policy's version (我的授权): asked again when it changes ------------------------
# THE rule (asked by the login stage, members.login_stages.PrivacyPolicyStage, and by 我的授权):
# she has accepted the privacy policy before, and not the version in force. Accounts that never
# accepted it (staff made in admin) are not members' accounts and are not asked.

def privacy_policy_outdated(*, user: User) -> bool:
    versions = list(_in_force(user.pk).filter(kind=Consent.Kind.PRIVACY_POLICY).values_list("version", flat=True))
    return bool(versions) and settings.PRIVACY_POLICY_VERSION not in versions


def privacy_policy_accept(*, user: User) -> Consent:
    """She accepts the version in force (recorded with that version and the time, in the trail)."""
    from django.db import transaction
    from django.utils.translation import gettext_noop

    from xiangcheng.core.audit import audit_context

    with transaction.atomic(), audit_context(actor=user, reason=gettext_noop("Accepted the new privacy policy")):
        User.objects.select_for_update().filter(pk=user.pk).first()
        existing = _in_force(user.pk).filter(kind=Consent.Kind.PRIVACY_POLICY, version=settings.PRIVACY_POLICY_VERSION).first()
        return existing or consent_grant(user=user, kind=Consent.Kind.PRIVACY_POLICY,
                                         version=settings.PRIVACY_POLICY_VERSION)
