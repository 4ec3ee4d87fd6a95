"""The calls' pages: the list (tabs, filters, constant queries), a call's page, applying with
files (bad ones refused with the input kept), her application, withdrawing, 我的申报, downloads
that answer 404 to anyone but the applicant and staff, the home and programme sections, and the
staff's publish and cancel actions."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from members.models import Status
from services import calls
from services.attachments import attachment_check
from services.models import Call, CallApplication, CallApplicationStatus, CallAttachment, CallKind, CallStatus
from tests.factories import MemberProfileFactory, StaffFactory
from tests.helpers import messages_of, queries_for, zh

from .call_helpers import a_call, approved, calls_bulk
from .helpers import minimal_pdf, png_bytes, upload

pytestmark = pytest.mark.django_db
S = CallApplicationStatus


@pytest.fixture
def applicant(db):
    return approved("linxiaowen", "林晓雯")


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client


def pdf_upload(name="成果.pdf"):
    return upload(name, minimal_pdf(), "application/pdf")


def _titles(response) -> list[str]:
    return [call.title for call in response.context["page"]]


# --- the list ---------------------------------------------------------------------------------------

def test_open_calls_first_then_those_opening_later_and_a_closed_tab(client):
    today = timezone.localdate()
    a_call(title="稍后开放", opens_on=today + timedelta(days=2), closes_on=today + timedelta(days=5))
    a_call(title="晚截止", closes_on=today + timedelta(days=20))
    a_call(title="早截止", closes_on=today)
    a_call(title="已截止", opens_on=today - timedelta(days=9), closes_on=today - timedelta(days=1))
    a_call(title="草稿", status=CallStatus.DRAFT)
    a_call(title="已取消", status=CallStatus.CANCELLED)

    assert _titles(client.get(reverse("services:calls"))) == ["早截止", "晚截止", "稍后开放"]
    assert _titles(client.get(reverse("services:calls"), {"tab": "closed"})) == ["已截止"]


def test_filters_by_kind_level_and_field(client):
    a_call(title="省级人才", kind=CallKind.TALENT, level="provincial", field="")
    a_call(title="区级大赛AI", kind=CallKind.CONTEST, level="district", field="ai")
    a_call(title="区级大赛材料", kind=CallKind.CONTEST, level="district", field="advanced_materials")

    assert _titles(client.get(reverse("services:calls"), {"kind": "contest"})) == ["区级大赛AI", "区级大赛材料"]
    assert _titles(client.get(reverse("services:calls"), {"level": "provincial"})) == ["省级人才"]
    # A call open to every field is listed under each field.
    assert sorted(_titles(client.get(reverse("services:calls"), {"field": "ai"}))) == ["区级大赛AI", "省级人才"]
    # A value not offered is ignored, never a 500.
    assert client.get(reverse("services:calls"), {"kind": "<script>"}).status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_makes_the_same_queries_at_5_and_50_rows(client, rows, django_assert_num_queries):
    calls_bulk(rows)
    # The page with the list's count (counted_page), and the audit context the middleware resets.
    with django_assert_num_queries(2):
        response = client.get(reverse("services:calls"), {"kind": "contest"})
    assert len(response.context["page"]) == min(rows, 20)


@pytest.mark.parametrize("rows", [5, 50])
def test_my_applications_make_the_same_queries_at_5_and_50_rows(applicant_client, applicant, rows):
    made = calls_bulk(rows)
    CallApplication.objects.bulk_create([CallApplication(call=call, member=applicant, statement="陈述",
                                                         status=S.SUBMITTED) for call in made])
    at_rows = queries_for(applicant_client, reverse("services:my_calls"))
    CallApplication.objects.filter(member=applicant).delete()
    calls_bulk(1)
    CallApplication.objects.create(call=made[0], member=applicant, statement="一", status=S.SUBMITTED)
    assert queries_for(applicant_client, reverse("services:my_calls")) == at_rows


def test_my_applications_show_each_status(applicant_client, applicant):
    call = a_call()
    application = calls.application_start(call=call, member=applicant, statement="陈述", submit=True)
    response = applicant_client.get(reverse("services:my_calls"))
    assert [(a.pk, a.status) for a in response.context["page"]] == [(application.pk, S.SUBMITTED)]
    assert zh("Submitted") in response.content.decode()


def test_my_application_rows_are_rendered_once_and_each_change_shows_at_once(applicant_client, applicant):
    from services.call_rows import ROW_TEMPLATE
    from tests.helpers import renders_of

    call = a_call()
    application = calls.application_start(call=call, member=applicant, statement="陈述", submit=True)
    url = reverse("services:my_calls")

    assert renders_of(applicant_client, url, ROW_TEMPLATE)[0] == 1
    count, page = renders_of(applicant_client, url, ROW_TEMPLATE)
    assert (count, zh("Submitted") in page, call.title in page) == (0, True, True)

    CallApplication.objects.filter(pk=application.pk).update(status=S.SHORTLISTED)
    count, page = renders_of(applicant_client, url, ROW_TEMPLATE)
    assert (count, zh("Passed first review") in page) == (1, True)
    Call.objects.filter(pk=call.pk).update(organiser="江苏省科协", closes_on=call.closes_on + timedelta(days=3))
    count, page = renders_of(applicant_client, url, ROW_TEMPLATE)
    assert (count, "江苏省科协" in page, (call.closes_on + timedelta(days=3)).isoformat() in page) == (1, True, True)


# --- a call's page -----------------------------------------------------------------------------------

def test_visitors_read_a_call_and_are_asked_to_log_in(client):
    call = a_call(places=2)
    response = client.get(reverse("services:call", args=[call.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("联盟正式会员。", "个人陈述与成果证明。", call.closes_on.isoformat(), zh("Log in to apply")):
        assert text in page


def test_a_draft_call_answers_404(client):
    assert client.get(reverse("services:call", args=[a_call(status=CallStatus.DRAFT).pk])).status_code == 404


def test_her_status_and_the_edit_button_follow_the_one_rule(applicant_client, applicant):
    call = a_call()
    application = calls.application_start(call=call, member=applicant, statement="陈述", submit=True)
    response = applicant_client.get(reverse("services:call", args=[call.pk]))
    assert (response.context["application"].pk, response.context["editable"]) == (application.pk, True)
    assert reverse("services:call_apply", args=[call.pk]) in response.content.decode()

    Call.objects.filter(pk=call.pk).update(review_started_at=timezone.now())
    response = applicant_client.get(reverse("services:call", args=[call.pk]))
    assert response.context["editable"] is False
    assert reverse("services:call_apply", args=[call.pk]) not in response.content.decode()


# --- applying -------------------------------------------------------------------------------------------

def test_visitors_are_sent_to_log_in_and_pending_members_see_their_status(client):
    call = a_call()
    url = reverse("services:call_apply", args=[call.pk])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))

    pending = MemberProfileFactory(status=Status.PENDING).user
    client.force_login(pending)
    response = client.post(url, {"statement": "陈述", "submit": "1"})
    assert [t.name for t in response.templates][0] == "members/awaiting_approval.html"
    assert CallApplication.objects.count() == 0


def test_she_saves_a_draft_then_submits_with_a_pdf(applicant_client, applicant):
    call = a_call()
    url = reverse("services:call_apply", args=[call.pk])
    response = applicant_client.post(url, {"statement": "草稿", "draft": "1"})
    application = CallApplication.objects.get()
    assert response.status_code == 302 and response.url == reverse("services:call_application", args=[application.pk])
    assert (application.status, application.statement) == (S.STARTED, "草稿")

    response = applicant_client.post(url, {"statement": "正式陈述", "submit": "1", "files": [pdf_upload()]})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.statement) == (S.SUBMITTED, "正式陈述")
    assert [(a.name, a.content_type) for a in application.attachments.all()] == [("成果.pdf", "application/pdf")]
    assert CallApplication.objects.count() == 1


def test_a_file_that_is_not_a_pdf_or_image_is_refused_and_her_statement_kept(applicant_client, file_dirs):
    call = a_call()
    response = applicant_client.post(reverse("services:call_apply", args=[call.pk]), {
        "statement": "我的陈述写了很久", "submit": "1",
        "files": [upload("简历.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")]})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["files"] == [zh("%(name)s is not an image (JPEG, PNG, WebP, GIF) or a PDF.", name="简历.pdf")]
    assert "我的陈述写了很久" in response.content.decode()
    assert CallApplication.objects.count() == 0
    assert not (file_dirs["private"].exists() and any(p.is_file() for p in file_dirs["private"].rglob("*")))


def test_six_files_are_refused(applicant_client):
    call = a_call()
    response = applicant_client.post(reverse("services:call_apply", args=[call.pk]), {
        "statement": "陈述", "draft": "1", "files": [pdf_upload(f"{n}.pdf") for n in range(6)]})
    assert response.status_code == 400
    assert response.context["form"].errors["files"] == [zh("Attach at most %(n)d files.", n=5)]
    assert CallApplication.objects.count() == 0


def test_submitting_without_a_statement_names_the_field(applicant_client):
    call = a_call()
    response = applicant_client.post(reverse("services:call_apply", args=[call.pk]), {"statement": " ", "submit": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors["statement"] == [zh("Write your statement before submitting.")]
    assert CallApplication.objects.count() == 0


def test_a_closed_call_sends_her_back_with_the_reason(applicant_client):
    today = timezone.localdate()
    call = a_call(opens_on=today - timedelta(days=9), closes_on=today - timedelta(days=1))
    response = applicant_client.post(reverse("services:call_apply", args=[call.pk]), {"statement": "陈述"})
    assert response.status_code == 302 and response.url == reverse("services:call", args=[call.pk])
    assert CallApplication.objects.count() == 0


# --- withdrawing and removing a file ask first ------------------------------------------------------------

def test_withdrawing_asks_first(applicant_client, applicant):
    application = calls.application_start(call=a_call(), member=applicant, statement="陈述", submit=True)
    url = reverse("services:call_withdraw", args=[application.pk])
    response = applicant_client.get(url)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == S.SUBMITTED

    response = applicant_client.post(url)
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    assert messages_of(applicant_client.get(response.url)) == [zh("Your application is withdrawn.")]


def test_removing_a_file_asks_first_and_deletes_it_from_storage(applicant_client, applicant, committed):
    application = calls.application_start(call=a_call(), member=applicant, statement="陈述",
                                          files=[attachment_check(pdf_upload())])
    attachment = application.attachments.get()
    path = attachment.file.path
    url = reverse("services:call_attachment_delete", args=[attachment.pk])
    assert applicant_client.get(url).status_code == 200
    assert CallAttachment.objects.count() == 1

    with committed():
        response = applicant_client.post(url)
    assert response.status_code == 302
    assert CallAttachment.objects.count() == 0
    assert not Path(path).exists()


# --- 404 for anyone else --------------------------------------------------------------------------------

def test_another_members_application_and_files_answer_404(client, applicant):
    application = calls.application_start(call=a_call(), member=applicant, statement="陈述",
                                          files=[attachment_check(pdf_upload())])
    attachment = application.attachments.get()
    client.force_login(approved("zhouyiran"))
    for url in (reverse("services:call_application", args=[application.pk]),
                reverse("services:call_withdraw", args=[application.pk]),
                reverse("services:call_attachment", args=[attachment.pk]),
                reverse("services:call_attachment_delete", args=[attachment.pk])):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    application.refresh_from_db()
    assert (application.status, application.attachments.count()) == (S.STARTED, 1)


def test_files_open_for_their_applicant_and_staff_who_open_application_files(client, applicant):
    application = calls.application_start(call=a_call(), member=applicant, statement="陈述",
                                          files=[attachment_check(upload("照片.png", png_bytes(), "image/png"))])
    url = reverse("services:call_attachment", args=[application.attachments.get().pk])

    client.force_login(applicant)
    response = client.get(url)
    assert (response.status_code, response["Content-Type"], response["Cache-Control"]) == (
        200, "image/jpeg", "private, no-store")

    staff = StaffFactory(username="fulian")
    client.force_login(staff)
    assert client.get(url).status_code == 404
    # Reading the applications (管理员) does not open their files; the files' own permission (申报评审) does.
    staff.user_permissions.add(Permission.objects.get(codename="view_callapplication"))
    client.force_login(StaffFactory._meta.model.objects.get(pk=staff.pk))
    assert client.get(url).status_code == 404
    staff.user_permissions.add(Permission.objects.get(codename="view_callattachment"))
    client.force_login(StaffFactory._meta.model.objects.get(pk=staff.pk))
    assert client.get(url).status_code == 200
    # Staff read; they do not remove her files.
    assert client.post(reverse("services:call_attachment_delete", args=[application.attachments.get().pk])).status_code == 404


# --- home and programme sections ------------------------------------------------------------------------

def test_open_calls_on_home_and_on_their_programme_page_with_constant_queries(client):
    calls_bulk(2)
    urls = [reverse("home"), reverse("programmes:detail", args=["create"])]
    at_two = [queries_for(client, url) for url in urls]
    assert "大赛0" in client.get(urls[0]).content.decode()
    assert "大赛0" in client.get(urls[1]).content.decode()
    assert "大赛0" not in client.get(reverse("programmes:detail", args=["link"])).content.decode()
    calls_bulk(30)
    assert [queries_for(client, url) for url in urls] == at_two


# --- staff publish and cancel in admin ------------------------------------------------------------------

def test_staff_publish_and_cancel_calls_in_admin(client):
    staff = StaffFactory(username="fulian", is_superuser=True)
    client.force_login(staff)
    draft = a_call(title="待发布", status=CallStatus.DRAFT)
    url = reverse("admin:services_call_changelist")
    assert client.get(url, {"q": "待发布"}).status_code == 200

    client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == CallStatus.PUBLISHED

    asked = client.post(url, {"action": "cancel", "_selected_action": [draft.pk]})
    assert asked.status_code == 200
    draft.refresh_from_db()
    assert draft.status == CallStatus.PUBLISHED  # nothing until she confirms with a reason
    client.post(url, {"action": "cancel", "_selected_action": [draft.pk], "reason": "主办方延期"})
    draft.refresh_from_db()
    assert draft.status == CallStatus.CANCELLED


def test_the_staff_list_makes_the_same_queries_at_5_and_50_rows(client):
    client.force_login(StaffFactory(username="fulian", is_superuser=True))
    calls_bulk(5)
    at_five = queries_for(client, reverse("admin:services_call_changelist"))
    calls_bulk(45)
    assert queries_for(client, reverse("admin:services_call_changelist")) == at_five
