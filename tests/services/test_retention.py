"""Services' retention purges: declined job applications and call applications that ended without
success are deleted after their period with their private files; the rest stay, and so do the
audit rows of every other application."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.files.base import ContentFile

from services.models import (
    Application,
    ApplicationStatus,
    Call,
    CallApplication,
    CallApplicationStatus,
    CallAttachment,
)
from services.retention import closed_call_applications_purge, declined_job_applications_purge
from tests.factories import StaffFactory
from tests.helpers import zh
from xiangcheng.core import audit
from xiangcheng.core.retention import retention_run

from .job_helpers import applicant, organisation, published_job, representative

pytestmark = pytest.mark.django_db(transaction=True)  # files are deleted after the purge's commit

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MINUTE = timedelta(minutes=1)
PDF = b"%PDF-1.4\n%%EOF\n"


def files_under(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def audit_rows(model_name: str, *, excluding: list[int]) -> list[dict]:
    event_model = apps.get_model("services", f"{model_name}Audit")
    return list(event_model.objects.exclude(pgh_obj_id__in=excluding).order_by("pgh_id").values())


@pytest.fixture
def job():
    org = organisation()
    return published_job(org, representative(org), StaffFactory(username="qiye"))


def job_application(job, username: str, *, status: str, changed: datetime) -> Application:
    application = Application.objects.create(job=job, member=applicant(username, f"申请人{username}"),
                                             message="您好，我想应聘。", status=status)
    application.cv.save("cv.pdf", ContentFile(PDF), save=True)
    Application.objects.filter(pk=application.pk).update(updated_at=changed)
    return application


def test_declined_job_applications_older_than_the_period_go_with_their_cvs(settings, job, file_dirs):
    settings.RETENTION = {**settings.RETENTION, "declined_job_applications_days": 180}
    edge = NOW - timedelta(days=180)
    outside = job_application(job, "a1", status=ApplicationStatus.DECLINED, changed=edge - MINUTE)
    inside = job_application(job, "a2", status=ApplicationStatus.DECLINED, changed=edge + MINUTE)
    shortlisted = job_application(job, "a3", status=ApplicationStatus.SHORTLISTED, changed=edge - timedelta(days=400))
    others_before = audit_rows("Application", excluding=[outside.pk])
    outside_cv = outside.cv.name

    with time_machine.travel(NOW, tick=False):
        assert declined_job_applications_purge(before=edge) == 1

    assert sorted(Application.objects.values_list("pk", flat=True)) == sorted([inside.pk, shortlisted.pk])
    assert files_under(file_dirs["private"]) == sorted([inside.cv.name, shortlisted.cv.name])
    assert outside_cv not in files_under(file_dirs["private"])
    assert audit_rows("Application", excluding=[outside.pk]) == others_before


def a_call() -> Call:
    return Call.objects.create(kind="contest", title="相城区女性科技创新大赛", organiser="相城区妇联", level="city",
                               summary="大赛简介", eligibility="相城区女性科技工作者", requirements="项目书",
                               opens_on=date(2026, 1, 1), closes_on=date(2026, 1, 31), status="published")


def call_application(call, username: str, *, status: str, decided: datetime | None, changed: datetime,
                     reason: str = "") -> CallApplication:
    application = CallApplication.objects.create(
        call=call, member=applicant(username, f"申请人{username}"), statement="我的项目", status=status,
        reason=reason, decided_at=decided)
    attachment = CallAttachment(application=application, name="项目书.pdf", content_type="application/pdf",
                                size=len(PDF))
    attachment.file.save("x.pdf", ContentFile(PDF), save=True)
    CallApplication.objects.filter(pk=application.pk).update(updated_at=changed)
    return application


def test_call_applications_not_shortlisted_not_selected_or_withdrawn_go_after_the_period(settings, file_dirs):
    settings.RETENTION = {**settings.RETENTION, "closed_call_applications_days": 365}
    edge = NOW - timedelta(days=365)
    call = a_call()
    # Decided just outside the period, though changed since (the period counts from the decision).
    not_shortlisted = call_application(call, "c1", status=CallApplicationStatus.NOT_SHORTLISTED,
                                       decided=edge - MINUTE, changed=edge + timedelta(days=10), reason="材料不全")
    not_selected = call_application(call, "c2", status=CallApplicationStatus.NOT_SELECTED,
                                    decided=edge - MINUTE, changed=edge - MINUTE)
    withdrawn = call_application(call, "c3", status=CallApplicationStatus.WITHDRAWN, decided=None,
                                 changed=edge - MINUTE)
    # Kept: decided or withdrawn just inside the period, or a success however old.
    not_selected_inside = call_application(call, "c4", status=CallApplicationStatus.NOT_SELECTED,
                                           decided=edge + MINUTE, changed=edge + MINUTE)
    withdrawn_inside = call_application(call, "c5", status=CallApplicationStatus.WITHDRAWN, decided=None,
                                        changed=edge + MINUTE)
    awarded = call_application(call, "c6", status=CallApplicationStatus.AWARDED, decided=edge - timedelta(days=900),
                               changed=edge - timedelta(days=900))
    gone = [not_shortlisted.pk, not_selected.pk, withdrawn.pk]
    kept = [not_selected_inside.pk, withdrawn_inside.pk, awarded.pk]
    kept_files = sorted(CallAttachment.objects.filter(application__in=kept).values_list("file", flat=True))
    others_before = audit_rows("CallApplication", excluding=gone)

    with time_machine.travel(NOW, tick=False):
        assert closed_call_applications_purge(before=edge) == 3

    assert sorted(CallApplication.objects.values_list("pk", flat=True)) == sorted(kept)
    assert CallAttachment.objects.filter(application_id__in=gone).count() == 0
    assert files_under(file_dirs["private"]) == kept_files
    assert audit_rows("CallApplication", excluding=gone) == others_before


def test_the_nightly_run_deletes_them_under_the_retention_reason(settings, job, file_dirs):
    old = NOW - timedelta(days=800)
    declined = job_application(job, "d1", status=ApplicationStatus.DECLINED, changed=old)
    withdrawn = call_application(a_call(), "d2", status=CallApplicationStatus.WITHDRAWN, decided=None, changed=old)

    with time_machine.travel(NOW, tick=False):
        removed = retention_run()

    assert (removed["declined_job_applications"], removed["closed_call_applications"]) == (1, 1)
    assert files_under(file_dirs["private"]) == []
    assert [(e.label, e.reason) for e in audit.history(declined)][-1] == ("deleted", zh(
        "Retention: %(what)s older than %(days)d days", what=zh("declined job applications"), days=180))
    assert [(e.label, e.reason) for e in audit.history(withdrawn)][-1] == ("deleted", zh(
        "Retention: %(what)s older than %(days)d days",
        what=zh("call applications not shortlisted, not selected or withdrawn"), days=365))
