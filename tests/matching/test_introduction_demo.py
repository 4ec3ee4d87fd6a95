"""`make run` shows 我的相遇 for the demo logins: linxiaowen has a connection (contacts shared both
ways), a request to answer and one waiting; sunyue has a request within the 交友 circle. A
second load creates nothing."""

import pytest
from django.core.management import call_command

from matching import introductions as rules
from matching.models import Introduction, IntroductionStatus
from members.models import User

pytestmark = pytest.mark.django_db

S = IntroductionStatus


def test_the_demo_logins_see_every_tab_of_their_introductions():
    call_command("seed_demo")
    call_command("seed_demo")

    rows = sorted(Introduction.objects.values_list("sender__username", "recipient__username", "status"))
    assert rows == [("heqing", "linxiaowen", S.PENDING), ("linxiaowen", "gaoli", S.PENDING),
                    ("songwei", "linxiaowen", S.ACCEPTED), ("tangjing", "sunyue", S.PENDING)]
    lin = User.objects.get(username="linxiaowen")
    connected = list(rules.introductions_listed(user=lin, tab=rules.CONNECTED))
    songwei = User.objects.get(username="songwei")
    assert [[c.value for c in contacts] for contacts in
            rules.contacts_shown(introductions=connected, viewer=lin).values()] == [[songwei.email]]
    assert [len(rules.introductions_listed(user=lin, tab=tab)) for tab in rules.TABS] == [1, 1, 1]
