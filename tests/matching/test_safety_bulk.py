"""Bulk 遇见 safety data for `make bench`: blocks for the members the bench signs in and across
everyone, reports mostly handled, each with its audit events; no stored suggestion between a
blocked pair; a second run writes nothing."""

from collections import Counter

import pytest
from django.db.models import F, Q

from matching.models import Block, MatchProfile, Report, ReportStatus, Suggestion
from tests.core.test_bulk import seed
from xiangcheng.core import audit

pytestmark = pytest.mark.django_db


def test_bulk_blocks_and_reports_with_their_audit_trail_and_no_suggestion_across_a_block():
    seed()  # scale 0.005: 100 match profiles, all among the first 200

    # The members' profiles (those who joined 交友 alone are loaded after the blocks, with a real name).
    participants = set(MatchProfile.objects.filter(real_name="").values_list("user_id", flat=True))
    per_blocker = Counter(Block.objects.values_list("blocker_id", flat=True))
    assert set(per_blocker) == participants
    assert min(per_blocker.values()) >= 3 and max(per_blocker.values()) <= 12
    assert not Block.objects.filter(blocker=F("blocked")).exists()
    assert Block.pgh_event_model.objects.filter(pgh_label=audit.CREATED).count() == Block.objects.count()
    assert Report.pgh_event_model.objects.filter(pgh_label=audit.CREATED).count() == Report.objects.count()
    handled = Report.objects.exclude(status=ReportStatus.OPEN)
    assert not handled.filter(handled_at__isnull=True).exists()
    assert not Report.objects.filter(status=ReportStatus.SUSPENDED).exists()
    for blocker, blocked in Block.objects.values_list("blocker_id", "blocked_id"):
        assert not Suggestion.objects.filter(
            Q(profile__user_id=blocker, candidate__user_id=blocked)
            | Q(profile__user_id=blocked, candidate__user_id=blocker)).exists()

    counts = (Block.objects.count(), Report.objects.count())
    seed()
    assert (Block.objects.count(), Report.objects.count()) == counts

