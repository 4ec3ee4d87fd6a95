"""`make run` shows the 遇见 moderation queue with one open report; a second load files none."""

import pytest
from django.core.management import call_command

from matching.models import Block, Report, ReportStatus
from members.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_files_one_open_report_once(client):
    call_command("seed_demo")
    call_command("seed_demo")

    report = Report.objects.select_related("reporter", "reported").get()
    assert (report.reporter.username, report.reported.username, report.status) == (
        "zhouyiran", "linxiaowen", ReportStatus.OPEN)
    assert Block.objects.count() == 0
    client.force_login(User.objects.get(username="yujian"))
    assert list(client.get("/admin/matching/report/").context["cl"].result_list) == [report]
