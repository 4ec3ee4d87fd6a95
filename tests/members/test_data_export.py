"""我的数据: her personal data as a ZIP of JSON plus her files — built from every app's source,
hers alone (no internal notes, nothing of another member), one at a time, downloadable by her
alone until the link expires, each download in the audit trail."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from members.data_exports import (
    DataExportError,
    data_exports_purge,
    export_build,
    export_request,
    link_lifetime,
)
from members.data_sources import data_sources
from members.models import Consent, DataExport, DataExportStatus
from tests.events.factories import EventFactory
from tests.helpers import messages_of, zh
from tests.services import call_review_support as calls
from xiangcheng.core.models import Notice

from .data_export_support import (
    ATTACHMENT,
    INTERNAL_NOTE,
    PDF_CV,
    PHOTO,
    STAFF_NOTES,
    everything,
    json_in,
    member_with_data,
    private_storage_at,
    zip_of,
)

PAGE = "/members/data/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
Status = DataExportStatus


@pytest.fixture
def private(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return private_storage_at(settings, tmp_path / "private")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def two_members(db, private):
    """She and another member, sharing an event and a call, each with her own data and markers."""
    event = EventFactory(title="产业资源对接沙龙 第9期")
    the_call = calls.call()
    her = member_with_data(username="lin", real_name="林晓雯", marker="HER-4411", event=event, the_call=the_call)
    job = her.user.job_applications.get().job
    other = member_with_data(username="zhao", real_name="赵雨桐", marker="OTHER-9902", phone="13900005678", event=event,
                             the_call=calls.call(title="另一项推荐"), job=job)
    return her, other


def _built(user, committed) -> DataExport:
    with committed():
        export = export_request(user=user)
    export.refresh_from_db()
    return export


def _download(client, export):
    return client.get(reverse("members:data_export_file", args=[export.pk]))


@pytest.mark.django_db
def test_the_zip_holds_each_source_with_her_values_and_her_files(client, two_members, committed):
    her, _other = two_members
    export = _built(her.user, committed)
    client.force_login(her.user)

    response = _download(client, export)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    archive = zip_of(b"".join(response.streaming_content))
    sources = [source.key for source in data_sources()]
    assert sorted(archive.namelist()) == sorted(
        ["export.json"] + [f"{key}.json" for key in sources]
        + ["files/profile/photo.jpg", f"files/tickets/{her.ticket.reference}-发票.pdf",
           f"files/job_applications/{her.cv_name}",
           f"files/call_applications/{her.user.call_applications.get().pk}-代表作.pdf"])
    # Her files, byte for byte.
    assert archive.read(f"files/job_applications/{her.cv_name}") == PDF_CV
    assert archive.read("files/profile/photo.jpg") == PHOTO
    assert archive.read(f"files/tickets/{her.ticket.reference}-发票.pdf") == ATTACHMENT

    profile = json_in(archive, "profile.json")
    assert (profile["real_name"], profile["bio"], profile["photo"], profile["city"]) == (
        "林晓雯", "研究功能薄膜 HER-4411", "files/profile/photo.jpg", zh("Suzhou"))
    account = json_in(archive, "account.json")
    assert (account["username"], account["email"], account["mobile"]) == ("lin", "lin@example.cn", "13800001234")
    consent = Consent.objects.get(user=her.user)
    assert json_in(archive, "consents.json") == [{
        "consent": zh("Privacy policy"), "version": "2026-11",
        "given_at": timezone.localtime(consent.granted_at, SHANGHAI).isoformat(), "withdrawn_at": None}]
    assert json_in(archive, "consents.json")[0]["given_at"].endswith("+08:00")
    registration = json_in(archive, "registrations.json")
    assert [(r["event"], r["status"], r["children_in_childcare"], r["childrens_ages"]) for r in registration] == [
        ("产业资源对接沙龙 第9期", zh("Confirmed"), 1, [5])]
    tickets = json_in(archive, "tickets.json")
    assert [(t["reference"], t["subject"], t["description"]) for t in tickets] == [
        (her.ticket.reference, "贴息申请 HER-4411", "请问贴息政策 HER-4411")]
    assert [(m["from"], m["text"]) for m in tickets[0]["messages"]] == [("staff", "已收到，正在办理 HER-4411")]
    assert tickets[0]["attachments"][0]["file"] == f"files/tickets/{her.ticket.reference}-发票.pdf"
    jobs = json_in(archive, "job_applications.json")
    assert [(j["message"], j["cv"]) for j in jobs] == [("我想应聘 HER-4411", f"files/job_applications/{her.cv_name}")]
    call_applications = json_in(archive, "call_applications.json")
    assert [(c["call"], c["statement"]) for c in call_applications] == [("2027年度青年女科学家推荐", "个人陈述 HER-4411")]
    assert json_in(archive, "meet_profile.json") is None
    assert json_in(archive, "meet_introductions.json") == []
    manifest = json_in(archive, "export.json")
    assert [item["file"] for item in manifest["contents"]] == [f"{key}.json" for key in sources]
    # Chinese as written, not escaped.
    assert "林晓雯".encode() in archive.read("profile.json")


@pytest.mark.django_db
def test_staff_internal_notes_and_another_members_data_are_absent(client, two_members, committed):
    her, other = two_members
    export = _built(her.user, committed)
    client.force_login(her.user)

    text = everything(zip_of(b"".join(_download(client, export).streaming_content)))

    assert "HER-4411" in text
    assert INTERNAL_NOTE not in text and "INTERNAL-7731" not in text
    assert STAFF_NOTES not in text and "STAFFNOTE-5520" not in text
    assert "OTHER-9902" not in text
    assert "赵雨桐" not in text and "zhao" not in text and "13900005678" not in text


@pytest.mark.django_db
def test_another_member_and_a_visitor_cannot_download_her_export(client, two_members, committed):
    her, other = two_members
    export = _built(her.user, committed)

    assert _download(client, export)["Location"].startswith(reverse("account_login"))
    client.force_login(other.user)
    assert _download(client, export).status_code == 404
    assert export.audit_events.filter(pgh_label="exported").count() == 0


@pytest.mark.django_db
def test_each_download_is_recorded_in_the_audit_trail(client, two_members, committed):
    her, _other = two_members
    export = _built(her.user, committed)
    client.force_login(her.user)

    _download(client, export)
    _download(client, export)

    downloads = [(e.pgh_context["user"], e.pgh_context["what"], e.pgh_context["format"])
                 for e in export.audit_events.filter(pgh_label="exported")]
    assert downloads == [(her.user.pk, "personal data export", "zip")] * 2


@pytest.mark.django_db
def test_one_export_at_a_time(client, two_members):
    her, other = two_members
    client.force_login(her.user)

    first = client.post(reverse("members:data_export_new"))
    second = client.post(reverse("members:data_export_new"), follow=True)

    assert (first["Location"], second.redirect_chain) == (PAGE, [(PAGE, 302)])
    assert list(DataExport.objects.values_list("user_id", "status")) == [(her.user.pk, Status.QUEUED)]
    assert messages_of(second) == [zh("Your data are already being prepared. Wait until they are ready.")]
    with pytest.raises(DataExportError):
        export_request(user=her.user)
    # Another member is not held up by hers.
    assert export_request(user=other.user).status == Status.QUEUED


@pytest.mark.django_db
def test_an_export_lost_for_an_hour_no_longer_blocks_a_new_one(two_members):
    her, _other = two_members
    lost = export_request(user=her.user)
    DataExport.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1, minutes=1))

    again = export_request(user=her.user)

    lost.refresh_from_db()
    assert (lost.status, again.status) == (Status.FAILED, Status.QUEUED)


@pytest.mark.django_db
def test_a_waiting_export_shows_its_progress_and_the_page_refreshes_itself(client, two_members):
    her, _other = two_members
    client.force_login(her.user)
    export = export_request(user=her.user)
    DataExport.objects.filter(pk=export.pk).update(status=Status.BUILDING, progress=42)

    page = client.get(PAGE).content.decode()

    assert '<meta http-equiv="refresh" content="3">' in page
    assert '<progress max="100" value="42">' in page
    assert reverse("members:data_export_new") not in page  # no second request while one is built
    for source in data_sources():
        assert f"({source.key}.json)" in page
    # A second run of the task finds nothing to do once another claimed it.
    assert export_build(export_id=export.pk) == "nothing to build"


@pytest.mark.django_db
def test_the_link_expires_after_its_days_and_the_retention_job_deletes_the_file(
        client, two_members, committed, private):
    her, _other = two_members
    export = _built(her.user, committed)
    client.force_login(her.user)
    stored = private / export.file.name
    assert stored.exists() and export.expires_at == export.finished_at + link_lifetime()
    assert link_lifetime() == timedelta(days=7)

    with time_machine.travel(export.expires_at - timedelta(minutes=1), tick=False):
        assert _download(client, export).status_code == 200
        page = client.get(PAGE).content.decode()
        assert reverse("members:data_export_file", args=[export.pk]) in page
    with time_machine.travel(export.expires_at, tick=False):
        refused = client.get(reverse("members:data_export_file", args=[export.pk]), follow=True)
        page = refused.content.decode()
        assert data_exports_purge(before=timezone.now() - link_lifetime()) == 0
    with time_machine.travel(export.expires_at + timedelta(seconds=1), tick=False):
        assert data_exports_purge(before=timezone.now() - link_lifetime()) == 1

    assert refused.redirect_chain == [(PAGE, 302)]
    assert messages_of(refused) == [zh("This download link has expired. Ask for your data again.")]
    assert zh("This download link has expired. Ask for your data again.") in page
    assert reverse("members:data_export_file", args=[export.pk]) not in page
    assert export.audit_events.filter(pgh_label="exported").count() == 1  # the refused one is not a download
    assert not DataExport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_retention_job_deletes_the_expired_exports_file_after_commit(client, two_members, committed, private):
    her, _other = two_members
    export = _built(her.user, committed)
    stored = private / export.file.name

    with time_machine.travel(export.expires_at + timedelta(seconds=1), tick=False):
        assert data_exports_purge(before=timezone.now() - link_lifetime()) == 1

    assert not stored.exists()


@pytest.mark.django_db
def test_the_ready_notice_names_the_page_and_the_time_the_link_ends(two_members, committed, mailoutbox):
    her, _other = two_members
    with committed():
        export = _built(her.user, committed)

    notice = Notice.objects.get(kind="members.data_export_ready", recipient=her.user)
    until = timezone.localtime(export.expires_at, SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert (notice.state, notice.url, notice.subject) == (
        Notice.State.SENT, PAGE, zh("Your personal data are ready to download"))
    assert re.search(rf"{until}.*http://[^ ]+{PAGE}$", notice.body)
    assert [m.to for m in mailoutbox] == [["lin@example.cn"]]


def test_two_files_of_one_name_in_a_source_both_reach_the_zip():
    from members.data_sources import exported_file

    files = []
    first = exported_file(source="tickets", name="发票.pdf", file=_Stored("a"), files=files)
    second = exported_file(source="tickets", name="发票.pdf", file=_Stored("b"), files=files)
    none = exported_file(source="tickets", name="x.pdf", file=_Stored(""), files=files)

    assert (first, second, none) == ("files/tickets/发票.pdf", "files/tickets/2-发票.pdf", None)
    assert [item.name for item in files] == ["发票.pdf", "2-发票.pdf"]


class _Stored:
    """A stored file's name, as a FieldFile is (empty: no file)."""

    def __init__(self, name: str):
        self.name = name

    def __bool__(self) -> bool:
        return bool(self.name)


@pytest.mark.django_db
def test_what_the_copy_holds_is_rendered_once_per_language_and_names_every_source(client, two_members):
    from django.conf import settings
    from django.utils import translation

    from members.data_sources import SOURCES_TEMPLATE
    from tests.helpers import renders_of

    her, _other = two_members
    client.force_login(her.user)
    for language in ("zh-hans", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        first, page = renders_of(client, PAGE, SOURCES_TEMPLATE)
        again, page_again = renders_of(client, PAGE, SOURCES_TEMPLATE)
        listed = page.split('<ul class="data-sources">')[1].split("</ul>")[0]
        assert (first, again) == (1, 0)
        assert page_again.split('<ul class="data-sources">')[1].split("</ul>")[0] == listed
        with translation.override(language):
            for source in data_sources():
                assert f"<li>{source.label} <span class=\"muted\">({source.key}.json)</span></li>" in listed
