"""`manage.py seed_demo` loads every app's demo data through the kernel's registry, once."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from events.models import Event, Registration
from members.models import User
from services.models import Ticket
from xiangcheng.core.demo import DEMO_PASSWORD
from xiangcheng.core.models import Notice

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_prints_every_login(capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    first = capsys.readouterr().out
    events, tickets = Event.objects.count(), Ticket.objects.count()

    call_command("seed_demo")
    second = capsys.readouterr().out

    assert first.splitlines()[0] == f"Demo events created: {events}"
    assert second.splitlines()[0] == "Demo events created: 0"
    assert (Event.objects.count(), Ticket.objects.count()) == (events, tickets)
    assert f"Demo logins (password: {DEMO_PASSWORD}):" in second
    assert [line.split()[-1] for line in second.splitlines()[2:]] == [
        "reviewer@demo.xcwomenstech.cn", "admin@demo.xcwomenstech.cn", "linxiaowen@demo.xcwomenstech.cn",
        "zhouyiran@demo.xcwomenstech.cn", "13800000003", "xuanchuan@demo.xcwomenstech.cn",
        "qiye@demo.xcwomenstech.cn",
        "hr@xincai.demo.xcwomenstech.cn", "hr@chelian.demo.xcwomenstech.cn", "office@yjy.demo.xcwomenstech.cn",
        "hr@shuzi.demo.xcwomenstech.cn", "agent@demo.xcwomenstech.cn",
        "supervisor@demo.xcwomenstech.cn", "organiser@demo.xcwomenstech.cn", "shenbao@demo.xcwomenstech.cn",
        "sunyue@demo.xcwomenstech.cn", "yujian@demo.xcwomenstech.cn",
        "jiangyifan@demo.xcwomenstech.cn", "13800000022"]
    assert list(Group.objects.get(name="管理员").user_set.values_list("username", flat=True)) == ["admin"]


def test_the_demo_member_has_messages_to_read(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")

    lin = User.objects.get(username="linxiaowen")
    assert Registration.objects.filter(user=lin).count() == 1
    assert sorted(Notice.objects.filter(recipient=lin).values_list("kind", "state")) == [
        ("events.confirmed", "sent"), ("inbox.acknowledged", "sent"),
        # 遇见: connected with 宋薇 (whose request, accepted at once in the demo, was no longer to
        # be told when its turn came), and 何晴's request to answer.
        ("matching.request_accepted", "sent"), ("matching.request_received", "sent"), ("matching.request_received", "skipped"),
        # Stories: asked to be named in the first demo story, and consented at once in the demo.
        ("members.story_feature_asked", "skipped"),
        ("requests.response_accepted", "sent")]


def test_the_demo_administrator_browses_the_audit_trail(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    client.force_login(User.objects.get(username="admin"))

    response = client.get("/admin/core/auditevent/")

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) > 0
    # Over every page of the list: the demo writes more events than one page shows.
    kinds = {label.split(".")[1].lower() for label in response.context["cl"].queryset.values_list(
        "pgh_obj_model", flat=True)}
    assert {"memberprofile", "event", "registration", "ticket", "organisation", "job", "offering"} <= kinds
    assert client.get("/admin/core/notice/").status_code == 200
