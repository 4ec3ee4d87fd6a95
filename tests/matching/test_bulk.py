"""Bulk 遇见 data for `make bench`: the scaled volume of approved members opted in, each with her
consent and a "created" audit event; a second run writes nothing."""

from collections import Counter

import pytest

from matching.models import MatchProfile, Suggestion
from members.models import Consent, Status
from tests.core.test_bulk import seed
from xiangcheng.core import audit

pytestmark = pytest.mark.django_db


def test_bulk_match_profiles_are_approved_members_with_their_consents_and_audit_trail():
    seed()  # scale 0.005: 100 match profiles

    # The members' profiles (those who joined 交友 alone: tests/matching/test_alone_bulk.py).
    profiles = MatchProfile.objects.filter(user__profile__isnull=False)
    members = Consent.objects.filter(user__profile__isnull=False)
    assert profiles.count() == 100
    assert not profiles.exclude(user__profile__status=Status.APPROVED).exists()
    assert members.filter(kind=Consent.Kind.MATCHING).count() == 100
    friends = profiles.filter(purposes__contains=["friendship"])
    assert members.filter(kind=Consent.Kind.MATCHING_FRIENDSHIP).count() == friends.count() > 0
    assert not friends.filter(age_min__isnull=True).exists()
    assert MatchProfile.pgh_event_model.objects.filter(pgh_label=audit.CREATED,
                                                       pgh_obj__in=profiles).count() == 100

    seed()
    assert profiles.count() == 100


def test_bulk_members_have_suggestions_computed_once():
    seed()

    stored = Suggestion.objects.count()
    per_profile = Counter(Suggestion.objects.values_list("profile_id", flat=True))
    assert len(per_profile) == 100  # every profile of the small scale is among the first 200
    assert max(per_profile.values()) == 20
    circle = set(MatchProfile.objects.filter(purposes__contains=["friendship"]).values_list("pk", flat=True))
    assert all((p in circle) == (c in circle) for p, c in Suggestion.objects.values_list("profile_id", "candidate_id"))
    seed()
    assert Suggestion.objects.count() == stored
