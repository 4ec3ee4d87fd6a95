"""The weekly digest of new service requests: each approved member hears of the requests published
in her field since the last digest, unless she opted out (from the email's link or her page).

One run per week (the Monday, local time) records which publications it covered; the next run
starts where it ended, so nothing is announced twice or skipped. A run claims its week with
``get_or_create`` on the unique week: a second run at the same time finds it taken and sends nothing. Notices go out with one
``notify_many`` per field, keyed by week and member, so a repeated run writes nothing new.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from members.models import MemberProfile, Status
from xiangcheng.core.audit import audit_context

from .models import RequestDigestOptOut, RequestDigestRun, ServiceRequest
from .request_notices import notify_digest, opt_out_user_id

FIRST_WINDOW = timedelta(days=7)

# The claim is what lets two runs meet; tests switch it off once to show the race test sees the
# second run fail on the unique week without it.
CLAIM_WEEK = True


def digest_send(*, now=None) -> int:
    """This week's digest, once. Returns how many notices it wrote."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    week = today - timedelta(days=today.weekday())
    with transaction.atomic():
        previous = RequestDigestRun.objects.filter(week__lt=week).order_by("-week").first()
        since = previous.until if previous else now - FIRST_WINDOW
        # Claim the week: a run already there (or one committing now) wins and this one stops,
        # instead of failing on the unique week.
        if CLAIM_WEEK:
            _run, claimed = RequestDigestRun.objects.get_or_create(week=week,
                                                                   defaults={"since": since, "until": now})
        else:
            claimed = not RequestDigestRun.objects.filter(week=week).exists()
            if claimed:
                RequestDigestRun.objects.create(week=week, since=since, until=now)
        if not claimed:
            return 0
        fields = set(ServiceRequest.objects.open(now).filter(published_at__gte=since, published_at__lt=now)
                     .values_list("field", flat=True).distinct())
        recipients = list(
            MemberProfile.objects.filter(status=Status.APPROVED, user__is_active=True, field__in=fields)
            .exclude(user__request_digest_opt_out__isnull=False)
            .order_by("user_id").values_list("user_id", "field"))
        return notify_digest(recipients=recipients, week=week.isoformat(), since=since, until=now)


def digest_opted_out(user) -> bool:
    return RequestDigestOptOut.objects.filter(user=user).exists()


def digest_opt_out(*, user_id: int) -> None:
    """She wants no more digests (recorded once, with the time)."""
    with transaction.atomic(), audit_context(reason=gettext_noop("Opted out of the weekly request digest")):
        RequestDigestOptOut.objects.get_or_create(user_id=user_id, defaults={"opted_out_at": timezone.now()})


def digest_opt_in(*, user) -> None:
    with transaction.atomic(), audit_context(actor=user, reason=gettext_noop("Opted in to the weekly request digest")):
        RequestDigestOptOut.objects.filter(user=user).delete()


def digest_token_account(*, token: str) -> int | None:
    """The member account the email's link names, or None for a changed or forged token."""
    user_id = opt_out_user_id(token)
    if user_id is None or not MemberProfile.objects.filter(user_id=user_id).exists():
        return None
    return user_id


def digest_opt_out_by_token(*, token: str) -> int | None:
    """The email's link, once she presses its button: opts its account out and returns it, or
    None for a forged token (nothing changes)."""
    user_id = digest_token_account(token=token)
    if user_id is not None:
        digest_opt_out(user_id=user_id)
    return user_id
