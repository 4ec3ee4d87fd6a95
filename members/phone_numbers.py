"""Whose mobile number is it? The account that proved it with a code.

Anyone can type any number at sign-up, so an unverified number is only a claim: it blocks
nobody. Many accounts may claim a number; at most one holds it verified (a partial unique
index). When an account verifies a number, the other accounts' unverified claims on it are
released, and a daily job cleans up accounts that only ever made such a claim.
"""

import logging
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.utils import NestedObjects
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from .models import Consent, User

logger = logging.getLogger(__name__)


def phone_holder(*, phone: str) -> User | None:
    """The account that verified this number, if any."""
    return User.objects.filter(phone=phone, phone_verified=True).first()


def phone_claimants(*, phone: str) -> list[User]:
    """Accounts that typed this number but never verified it, newest first."""
    return list(User.objects.filter(phone=phone, phone_verified=False).order_by("-date_joined", "-pk"))


@transaction.atomic
def phone_verify(*, user: User, phone: str) -> None:
    """She proved the number is hers: it is now her account's, and no one else's claim."""
    released = (User.objects.select_for_update().filter(phone=phone, phone_verified=False)
                .exclude(pk=user.pk).update(phone=None))
    if released:
        logger.info("Mobile number verified by account %s; released from %d unverified account(s)",
                    user.pk, released)
    user.phone = phone
    user.phone_verified = True
    user.save(update_fields=["phone", "phone_verified"])


# What a sign-up leaves behind on its own: deleting these with the account loses nothing.
_SIGNUP_ONLY = {User, Consent, EmailAddress}


def _holds_data(user: User) -> bool:
    """Whether the account has anything beyond its sign-up: a verified email, a profile,
    registrations, tickets or any other row of any app that points at it (found through the
    relations, so members needs to know none of the apps above it)."""
    if user.is_staff or user.is_superuser or user.last_login is not None:
        return True
    if EmailAddress.objects.filter(user=user, verified=True).exists():
        return True
    collector = NestedObjects(using=DEFAULT_DB_ALIAS)
    collector.collect([user])
    if collector.protected:
        return True
    return any(model not in _SIGNUP_ONLY and not model._meta.auto_created
               for model in collector.model_objs)


def stale_unverified_accounts_clean(*, now: datetime | None = None) -> tuple[int, int]:
    """Accounts whose claim on a number is older than UNVERIFIED_ACCOUNT_DAYS: deleted when they
    hold nothing else (never verified anything, no profile, no registrations, no tickets …),
    else only their claim on the number is released.
    Returns (deleted, released)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.UNVERIFIED_ACCOUNT_DAYS)
    stale = User.objects.filter(phone__isnull=False, phone_verified=False, date_joined__lt=cutoff)
    deleted = released = 0
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            # Re-read under a lock: she may have verified since the scan.
            user = User.objects.select_for_update().filter(pk=pk, phone_verified=False).first()
            if user is None or user.phone is None:
                continue
            if _holds_data(user):
                user.phone = None
                user.save(update_fields=["phone"])
                released += 1
            else:
                user.delete()
                deleted += 1
    if deleted or released:
        logger.info("Stale unverified accounts: %d deleted, %d released their mobile number", deleted, released)
    return deleted, released
