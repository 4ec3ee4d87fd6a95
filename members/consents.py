"""Separate, versioned, timestamped consents (PIPL)."""

from django.conf import settings
from django.utils import timezone

from .models import Consent, User


def consent_grant(*, user: User, kind: str, version: str | None = None) -> Consent:
    return Consent.objects.create(
        user=user, kind=kind, version=version or settings.PRIVACY_POLICY_VERSION
    )


def consent_withdraw(*, user: User, kind: str) -> int:
    return Consent.objects.filter(user=user, kind=kind, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )


def has_consent(*, user: User, kind: str) -> bool:
    return Consent.objects.filter(user=user, kind=kind, withdrawn_at__isnull=True).exists()
