"""Members' retention purge: sign-ups that never verified anything and hold nothing else are
deleted after RETENTION["unverified_accounts_days"]; everyone else stays, and so do the audit
rows of everyone else."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.apps import apps
from django.utils import timezone

from members.models import Consent, User
from members.retention import unverified_accounts_purge
from tests.events.factories import RegistrationFactory
from tests.factories import MemberProfileFactory, StaffFactory, UserFactory
from tests.helpers import zh
from xiangcheng.core import audit
from xiangcheng.core.retention import retention_run

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
EDGE = NOW - timedelta(days=30)
MINUTE = timedelta(minutes=1)


def signed_up(username: str, *, joined: datetime, email_verified: bool = False, **fields) -> User:
    """An account as sign-up leaves it: an unconfirmed email address (unless verified) and her
    consent to the privacy policy."""
    user = UserFactory(username=username, email=f"{username}@example.cn", **fields)
    EmailAddress.objects.filter(user=user).update(verified=email_verified)
    Consent.objects.create(user=user, kind="privacy_policy", version="2026-11")
    User.objects.filter(pk=user.pk).update(date_joined=joined)
    return user


def user_audit_rows(*, excluding: list[int]) -> list[dict]:
    event_model = apps.get_model("members", "UserAudit")
    return list(event_model.objects.exclude(pgh_obj_id__in=excluding).order_by("pgh_id").values())


def test_never_verified_sign_ups_older_than_the_period_are_deleted_with_their_consents_and_addresses(settings):
    settings.RETENTION = {**settings.RETENTION, "unverified_accounts_days": 30}
    outside = signed_up("outside", joined=EDGE - MINUTE)
    by_phone = signed_up("byphone", joined=EDGE - timedelta(days=90), phone="13800000001")
    signed_up("inside", joined=EDGE + MINUTE)
    signed_up("emailok", joined=EDGE - MINUTE, email_verified=True)
    signed_up("phoneok", joined=EDGE - MINUTE, phone="13800000002", phone_verified=True)
    signed_up("loggedin", joined=EDGE - MINUTE, last_login=EDGE)
    staff = StaffFactory(username="staff")
    User.objects.filter(pk=staff.pk).update(date_joined=EDGE - MINUTE)
    EmailAddress.objects.filter(user=staff).update(verified=False)
    with_profile = signed_up("profile", joined=EDGE - MINUTE)
    MemberProfileFactory(user=with_profile)
    with_registration = signed_up("registered", joined=EDGE - MINUTE)
    RegistrationFactory(user=with_registration)
    gone = [outside.pk, by_phone.pk]
    others_before = user_audit_rows(excluding=gone)

    with time_machine.travel(NOW, tick=False):
        assert unverified_accounts_purge(before=EDGE) == 2

    assert sorted(User.objects.values_list("username", flat=True)) == sorted(
        ["inside", "emailok", "phoneok", "loggedin", "staff", "profile", "registered"])
    assert Consent.objects.filter(user_id__in=gone).count() == 0
    assert EmailAddress.objects.filter(user_id__in=gone).count() == 0
    assert user_audit_rows(excluding=gone) == others_before
    with time_machine.travel(NOW, tick=False):
        retention_run()  # nothing left to delete; a second run changes nothing
    assert sorted(User.objects.values_list("username", flat=True)) == sorted(
        ["inside", "emailok", "phoneok", "loggedin", "staff", "profile", "registered"])


def test_the_run_records_each_deletion_in_the_audit_trail_with_the_retention_reason(settings):
    settings.RETENTION = {**settings.RETENTION, "unverified_accounts_days": 30}
    stale = signed_up("stale", joined=timezone.now() - timedelta(days=31))

    assert retention_run()["unverified_accounts"] == 1

    assert [(e.label, e.reason) for e in audit.history(stale)][-1] == (
        "deleted", zh("Retention: %(what)s older than %(days)d days", what=zh("unverified sign-ups"), days=30))
