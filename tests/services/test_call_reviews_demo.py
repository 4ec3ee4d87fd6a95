"""The demo has a 申报评审 login, and 林晓雯 follows two kinds of call; loading twice adds nothing."""

import pytest
from django.core.management import call_command

from members.models import User
from services.models import CallFollow
from xiangcheng.core.roles import CALL_REVIEWER

pytestmark = pytest.mark.django_db


def test_the_demo_reviewer_and_follows(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    call_command("seed_demo")
    staff = User.objects.get(username="shenbao")
    assert staff.is_staff and list(staff.groups.values_list("name", flat=True)) == [CALL_REVIEWER.name]
    assert staff.has_perm("services.review_callapplication")
    assert sorted(CallFollow.objects.filter(member__username="linxiaowen").values_list("kind", flat=True)) == [
        "contest", "talent"]
