"""The kernel's registry of closed event audiences: what an app registers and how membership is read."""

import pytest
from django.contrib.auth.models import AnonymousUser

from members.models import User
from tests.factories import MemberProfileFactory
from xiangcheng.core import audiences

pytestmark = pytest.mark.django_db


def test_a_key_longer_than_the_event_column_is_refused_at_start_up():
    with pytest.raises(ValueError, match="longer than 10"):
        audiences.restricted_audience(key="x" * 11, label="x", members=User.objects.none)
    assert "x" * 11 not in audiences.restricted_keys()


def test_membership_is_read_from_the_registered_queryset_each_time():
    first, second = MemberProfileFactory().user, MemberProfileFactory().user
    audiences.restricted_audience(key="t-first", label="t", members=lambda: User.objects.filter(pk=first.pk))
    try:
        assert audiences.restricted("t-first").key == "t-first"
        assert audiences.restricted("members") is None  # an open audience
        assert audiences.is_member(key="t-first", user=first) is True
        assert audiences.is_member(key="t-first", user=second) is False
        assert audiences.is_member(key="t-first", user=AnonymousUser()) is False
        assert list(User.objects.filter(audiences.includes(key="t-first", user=first))
                    .order_by("pk").values_list("pk", flat=True)) == sorted([first.pk, second.pk])
        assert list(User.objects.filter(audiences.includes(key="t-first", user=second))) == []
    finally:
        audiences._audiences.pop("t-first")
