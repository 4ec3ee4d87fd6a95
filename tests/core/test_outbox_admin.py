"""The outbox in admin at volume: newest first, the kinds she may read listed from the registry,
a kind's filter showing that kind alone."""

import pytest

from tests.factories import UserFactory
from xiangcheng.core.admin import NoticeKindFilter
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import KINDS, kinds_visible_to
from xiangcheng.core.roles import REVIEWER

pytestmark = pytest.mark.django_db

URL = "/admin/core/notice/"


def _notices(kinds: list[str]) -> list[Notice]:
    member = UserFactory()
    return [Notice.objects.create(recipient=member, kind=kind, key=f"{kind}:{i}") for i, kind in enumerate(kinds)]


def test_a_reviewer_sees_her_kinds_newest_first_and_filters_by_one(client, staff_in_group):
    reviewer = staff_in_group("shenhe", REVIEWER.name)
    decision, deleted = "members.decision", "members.account_deleted"
    mine = kinds_visible_to(reviewer)
    assert decision in mine and "events.confirmed" not in mine
    first, other, second = _notices([decision, "events.confirmed", decision])
    client.force_login(reviewer)

    listed = client.get(URL)
    only = client.get(URL, {"kind": decision})

    assert [n.pk for n in listed.context["cl"].result_list] == [second.pk, first.pk]
    kind_filter = next(f for f in listed.context["cl"].filter_specs if isinstance(f, NoticeKindFilter))
    assert [value for value, _label in kind_filter.lookup_choices] == sorted(mine)
    assert dict(kind_filter.lookup_choices)[decision] == f"{KINDS[decision].label} ({decision})"
    assert [n.pk for n in only.context["cl"].result_list] == [second.pk, first.pk]
    assert [n.pk for n in client.get(URL, {"kind": deleted}).context["cl"].result_list] == []
    assert other.pk not in [n.pk for n in listed.context["cl"].result_list]
