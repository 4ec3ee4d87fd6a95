"""Bulk 交友-alone data for `make bench`: non-members with a verified mobile, their 交友 profiles in
each state of the real-name check with its audit trail and consents, one bulk moderator; a second
run writes nothing."""

import pytest

from matching.models import MatchProfile, MatchStatus
from members.models import Consent, User
from tests.core.test_bulk import seed
from xiangcheng.core.roles import MATCH_MODERATOR

pytestmark = pytest.mark.django_db


def test_bulk_singles_wait_are_verified_or_refused_with_their_consents_and_audit_trail():
    seed()  # scale 0.005: 10 single talents

    alone = MatchProfile.objects.filter(user__profile__isnull=True)
    assert alone.count() == 10
    assert not alone.exclude(purposes=["friendship"]).exists()
    assert not alone.filter(real_name="").exists()
    assert not alone.exclude(user__phone_verified=True).exists()
    assert {s for s in alone.values_list("status", flat=True)} <= {
        MatchStatus.ACTIVE, MatchStatus.AWAITING_CHECK, MatchStatus.REJECTED}
    assert not alone.filter(status=MatchStatus.REJECTED, check_reason="").exists()
    assert Consent.objects.filter(user__match_profile__in=alone).count() == 20
    events = MatchProfile.pgh_event_model.objects.filter(pgh_obj__in=alone)
    assert events.filter(pgh_label="created").count() == 10
    assert events.exclude(pgh_label="created").count() == alone.exclude(status=MatchStatus.AWAITING_CHECK).count()
    assert User.objects.filter(username="bulk-yujian", groups__name=MATCH_MODERATOR.name).exists()

    seed()
    assert alone.count() == 10
