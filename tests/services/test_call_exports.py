"""The applicants' export: one row per application, her name (never her contacts), the status, an
excerpt of her statement and her files' names; the export recorded on each call in the trail."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from services.call_exports import EXCERPT
from tests.helpers import label, zh
from xiangcheng.core import audit

from .call_review_support import S, applicant, application, attachment, call, reviewer

pytestmark = pytest.mark.django_db
LIST = reverse("admin:services_callapplication_changelist")


def test_the_export_rows_and_its_record(client):
    staff = reviewer()
    first_call = call(title="2027年度青年女科学家推荐")
    other_call = call(title="互联网营销师大赛", closes_on=first_call.closes_on + timezone.timedelta(days=5))
    long_statement = "研" * (EXCERPT + 30)
    her = application(first_call, member=applicant("林晓雯"), statement=long_statement)
    attachment(her, "代表作.pdf")
    attachment(her, "获奖证书.pdf")
    refused = application(first_call, member=applicant("周雨桐"), status=S.NOT_SHORTLISTED, reason="材料不全",
                          statement="=HYPERLINK(\"http://example.cn\")")
    third = application(other_call, member=applicant("陈思琪"), statement="数字营销十年。")
    client.force_login(staff)

    response = client.post(LIST, {"action": "export_applicants", "_selected_action": [her.pk, refused.pk, third.pk]})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="call-applicants-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    stamp = {a.pk: timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M") for a in (her, refused, third)}
    assert rows == [
        [zh("Call"), zh("Applicant"), zh("Status"), zh("Submitted at"), zh("Reason"), zh("Statement (excerpt)"),
         zh("Attachments")],
        ["2027年度青年女科学家推荐", "周雨桐", label(S.NOT_SHORTLISTED), stamp[refused.pk], "材料不全",
         "'=HYPERLINK(\"http://example.cn\")", None],
        ["2027年度青年女科学家推荐", "林晓雯", label(S.SUBMITTED), stamp[her.pk], None, "研" * EXCERPT + "…",
         "代表作.pdf、获奖证书.pdf"],
        ["互联网营销师大赛", "陈思琪", label(S.SUBMITTED), stamp[third.pk], None, "数字营销十年。", None],
    ]
    # A member's words that look like a formula stay text, after a quote (xiangcheng.core.spreadsheets).
    assert sheet.cell(row=2, column=6).data_type == "s"
    # No contact anywhere in the file.
    flat = " ".join(str(v) for row in rows for v in row)
    assert her.member.email not in flat
    # Recorded on each call it covers, as staff's export of the applicants.
    for each in (first_call, other_call):
        last = audit.history(each)[-1]
        assert (last.label, last.actor_id, last.context["what"], last.context["format"]) == (
            audit.EXPORTED, staff.pk, "applicants", "xlsx")
