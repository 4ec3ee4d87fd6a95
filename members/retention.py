"""Members' part of the retention job (xiangcheng/core/retention.py): stale unverified sign-ups.

An account that signed up and never verified anything — no confirmed email address, no mobile
number proved with a code, never logged in, never staff — and holds nothing beyond its sign-up
(no profile, registrations, tickets or any other app's rows: the same test as the nightly clean-up
of number claims, ``phone_numbers._holds_data``) is deleted once it is older than
``RETENTION["unverified_accounts_days"]``, with its consents and unconfirmed addresses.
"""

import logging
from datetime import datetime

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Exists, OuterRef

from .models import User
from .phone_numbers import _holds_data

logger = logging.getLogger(__name__)


def unverified_accounts_purge(*, before: datetime) -> int:
    """Delete the accounts that joined before ``before`` and never verified anything; returns
    how many were deleted."""
    verified_email = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    stale = (User.objects.filter(date_joined__lt=before, phone_verified=False, is_staff=False, is_superuser=False,
                                 last_login__isnull=True)
             .exclude(Exists(verified_email)))
    deleted = 0
    for pk in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            # Re-read under a lock: she may have verified or logged in since the scan.
            user = stale.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk).first()
            if user is None or _holds_data(user):
                continue
            user.delete()
            deleted += 1
    return deleted
