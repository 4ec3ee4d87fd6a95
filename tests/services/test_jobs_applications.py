"""Applying for jobs: approved members once per job, a PDF CV kept privately, the organisation's
steps told to her, and what the organisation sees of her (never her contacts)."""

import re

import pytest
from django.urls import reverse

from members.models import Representative, Status
from services import applications
from services.application_rows import HEAD_TEMPLATE, ROW_TEMPLATE
from services.models import Application, ApplicationStatus
from tests.helpers import messages_of, renders_of, zh, zh_n
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import KINDS
from xiangcheng.core.roles import ENTERPRISE_SERVICE

from .helpers import minimal_pdf, png_bytes, upload
from .job_helpers import CODES, applicant, organisation, published_job, representative

pytestmark = pytest.mark.django_db
MESSAGE = "我有十年功能薄膜研发经验。"


@pytest.fixture
def org():
    return organisation()


@pytest.fixture
def hr(org):
    return representative(org)


@pytest.fixture
def moderator(staff_in_group):
    return staff_in_group("qiyefuwu", ENTERPRISE_SERVICE.name)


@pytest.fixture
def job(org, hr, moderator):
    return published_job(org, hr, moderator)


@pytest.fixture
def she():
    return applicant("linxiaowen", "林晓雯", phone="13912345678", job_title="高级工程师")


def _apply(client, job, **fields):
    return client.post(reverse("services:job_apply", args=[job.pk]), {"message": MESSAGE, **fields})


def test_she_applies_with_a_pdf_cv(client, job, she, hr):
    client.force_login(she)

    response = _apply(client, job, cv=upload("林晓雯简历.pdf", minimal_pdf(), "application/pdf"))

    assert response.status_code == 302
    assert response["Location"] == reverse("services:my_applications")
    application = Application.objects.get()
    assert (application.job, application.member, application.message, application.status, application.cv_name) == (
        job, she, MESSAGE, ApplicationStatus.SUBMITTED, "林晓雯简历.pdf")
    with application.cv.open("rb") as stored:
        assert stored.read() == minimal_pdf()
    assert application.cv.name.startswith("cv/")
    told = Notice.objects.get(kind="jobs.applied")
    assert told.recipient == hr
    # The organisation's notice leads to the job's applications page.
    assert KINDS["jobs.applied"].compose(told).url == reverse("services:job_applications",
                                                             args=[job.organisation_id, job.pk])


def test_a_png_cv_is_refused_and_her_message_kept(client, job, she, file_dirs):
    client.force_login(she)

    response = _apply(client, job, cv=upload("简历.png", png_bytes(), "image/png"))

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {"cv": [zh("The CV must be a PDF file.")]}
    assert form["message"].value() == MESSAGE
    assert MESSAGE in response.content.decode()
    assert Application.objects.count() == 0
    assert [p for p in file_dirs["private"].rglob("*") if p.is_file()] == []  # nothing stored


def test_a_file_named_pdf_that_is_not_one_is_refused(client, job, she):
    client.force_login(she)
    response = _apply(client, job, cv=upload("简历.pdf", b"not a pdf at all", "application/pdf"))
    assert response.status_code == 400
    assert response.context["form"].errors == {"cv": [zh("The CV must be a PDF file.")]}


def test_one_application_per_job(client, job, she):
    client.force_login(she)
    assert _apply(client, job).status_code == 302

    again = applications.application_submit
    with pytest.raises(applications.ApplicationError) as refused:
        again(job=job, member=she, message="再投一次")
    assert str(refused.value) == zh("You have already applied for this job.")
    assert Application.objects.count() == 1
    # Her page shows she applied instead of the form.
    page = client.get(reverse("services:job", args=[job.pk]))
    assert page.context["application"] == Application.objects.get()


def test_only_approved_members_apply(client, job):
    pending = applicant("pending", "待审会员", status=Status.PENDING)
    client.force_login(pending)

    response = _apply(client, job)

    assert response.status_code == 200
    assert response.templates[0].name == "members/awaiting_approval.html"
    assert Application.objects.count() == 0


def test_a_visitor_is_asked_to_log_in(client, job):
    response = _apply(client, job)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Application.objects.count() == 0


def test_a_closed_job_takes_no_application(client, job, she, hr):
    from services import jobs

    jobs.job_close(job=job, author=hr)
    client.force_login(she)
    response = _apply(client, job)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [zh("This job no longer takes applications.")]


# --- the organisation's side ----------------------------------------------------------------------------

def test_the_organisation_sees_her_name_title_field_and_message_but_not_her_contacts(client, job, she, hr, org):
    applications.application_submit(job=job, member=she, message=MESSAGE)
    client.force_login(hr)

    page = client.get(reverse("services:job_applications", args=[org.pk, job.pk])).content.decode()

    for shown in ("林晓雯", "高级工程师", zh("Advanced materials"), MESSAGE):
        assert shown in page
    for hidden in (she.email, she.phone):
        assert hidden not in page


def test_the_jobs_page_counts_each_jobs_applications_and_links_to_them(client, job, she, hr, org, moderator):
    other = published_job(org, hr, moderator, title="算法工程师")
    applications.application_submit(job=job, member=she, message=MESSAGE)
    viewed = applications.application_submit(
        job=job, member=applicant("chenjing", "陈静"), message=MESSAGE)
    applications.application_mark(application=viewed, status=ApplicationStatus.VIEWED, actor=hr)
    client.force_login(hr)

    response = client.get(reverse("services:organisation_jobs", args=[org.pk]))

    counted = {j.pk: (j.applied, j.not_viewed) for j in response.context["page"]}
    assert counted == {job.pk: (2, 1), other.pk: (0, 0)}
    page = response.content.decode()
    assert reverse("services:job_applications", args=[org.pk, job.pk]) in page
    assert reverse("services:job_applications", args=[org.pk, other.pk]) not in page
    assert zh_n("%(n)s not viewed yet", "%(n)s not viewed yet", 1) in page
    # Who applied is read on the job's own page, never here.
    for hidden in ("林晓雯", "陈静", MESSAGE):
        assert hidden not in page


def _applicants(job, count: int) -> list[Application]:
    return [applications.application_submit(job=job, member=applicant(f"m{n}", f"会员{n}"), message=f"留言{n}")
            for n in range(count)]


def test_a_jobs_applications_come_a_page_at_a_time_newest_first(client, job, hr, org):
    sent = _applicants(job, 23)
    client.force_login(hr)
    url = reverse("services:job_applications", args=[org.pk, job.pk])

    first, second = client.get(url), client.get(url, {"page": 2})

    assert [a.pk for a in first.context["page"]] == [a.pk for a in reversed(sent)][:20]
    assert [a.pk for a in second.context["page"]] == [a.pk for a in reversed(sent)][20:]
    assert first.context["page"].paginator.count == 23
    assert '?page=2"' in first.content.decode()
    # Each row's buttons come back to the page they are on (the rows are kept rendered per page).
    step = reverse("services:application_status", args=[sent[0].pk])
    assert f'formaction="{step}?page=2"' in second.content.decode()
    filtered = client.get(url, {"status": "submitted", "page": 2}).content.decode()
    assert f'formaction="{step}?status=submitted&amp;page=2"' in filtered
    assert re.search(r'<form id="application-steps" method="post" hidden><input type="hidden" '
                     r'name="csrfmiddlewaretoken" value="[^"]+"></form>', filtered)


def test_a_jobs_applications_filtered_by_status_and_marked_from_there(client, job, hr, org):
    sent = _applicants(job, 3)
    applications.application_mark(application=sent[0], status=ApplicationStatus.SHORTLISTED, actor=hr)
    client.force_login(hr)
    url = reverse("services:job_applications", args=[org.pk, job.pk])

    shortlisted = client.get(url, {"status": "shortlisted"})
    assert [a.pk for a in shortlisted.context["page"]] == [sent[0].pk]
    # An unknown status is no filter at all: every application.
    assert [a.pk for a in client.get(url, {"status": "hired"}).context["page"]] == [a.pk for a in reversed(sent)]
    assert zh("No application with this status.") in client.get(url, {"status": "declined"}).content.decode()

    # A step pressed on the filtered page returns her to that page and filter.
    marked = client.post(reverse("services:application_status", args=[sent[1].pk]) + "?status=submitted&page=1",
                         {"status": "declined"})
    assert marked["Location"] == f"{url}?status=submitted&page=1"
    assert Application.objects.get(pk=sent[1].pk).status == ApplicationStatus.DECLINED
    # Anything else in the address is not carried back.
    marked = client.post(reverse("services:application_status", args=[sent[2].pk]) + "?status=evil&page=x&next=//a",
                         {"status": "viewed"})
    assert marked["Location"] == url


def test_what_the_applications_page_says_of_the_job_is_kept_and_follows_each_change(client, job, hr, org):
    _applicants(job, 2)
    client.force_login(hr)
    url = reverse("services:job_applications", args=[org.pk, job.pk])

    first, page = renders_of(client, url, HEAD_TEMPLATE)
    again, _ = renders_of(client, url, HEAD_TEMPLATE)
    assert (first, again) == (1, 0)
    assert zh_n("%(n)s application", "%(n)s applications", 2) in page
    assert f'<a href="?status=shortlisted">{zh("Shortlisted")}</a>' in page

    # Another application, a filter, a renamed job: each is shown at once.
    applications.application_submit(job=job, member=applicant("m9", "会员9"), message="留言9")
    assert zh_n("%(n)s application", "%(n)s applications", 3) in client.get(url).content.decode()
    filtered = client.get(url, {"status": "shortlisted"}).content.decode()
    assert f'<a href="?status=shortlisted" aria-current="page">{zh("Shortlisted")}</a>' in filtered
    assert zh_n("%(n)s application", "%(n)s applications", 0) in filtered
    type(job).objects.filter(pk=job.pk).update(title="功能薄膜工程师")
    assert zh("Applications for “%(title)s”") % {"title": "功能薄膜工程师"} in client.get(url).content.decode()


def test_another_organisations_job_applications_answer_404(client, job, she, hr, org, moderator):
    applications.application_submit(job=job, member=she, message=MESSAGE)
    rival = organisation(code=CODES[1], name="另一家公司")
    rival_hr = representative(rival, username="rival")
    client.force_login(rival_hr)

    # Her own organisation's number with another's job, and the other's number: both 404.
    assert client.get(reverse("services:job_applications", args=[rival.pk, job.pk])).status_code == 404
    assert client.get(reverse("services:job_applications", args=[org.pk, job.pk])).status_code == 404
    client.force_login(she)
    assert client.get(reverse("services:job_applications", args=[org.pk, job.pk])).status_code == 404


def test_she_is_told_when_shortlisted_or_declined_and_sees_it(client, job, she, hr):
    application = applications.application_submit(job=job, member=she, message=MESSAGE)
    client.force_login(hr)

    for status in ("viewed", "shortlisted"):
        response = client.post(reverse("services:application_status", args=[application.pk]), {"status": status})
        assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SHORTLISTED
    told = Notice.objects.filter(kind="jobs.application")
    assert [(n.recipient, n.data) for n in told] == [(she, {"status": "shortlisted"})]

    client.force_login(she)
    mine = client.get(reverse("services:my_applications"))
    assert [a.pk for a in mine.context["page"]] == [application.pk]
    assert zh("Shortlisted") in mine.content.decode()


def test_an_unknown_step_is_refused(client, job, she, hr):
    application = applications.application_submit(job=job, member=she, message=MESSAGE)
    client.force_login(hr)
    response = client.post(reverse("services:application_status", args=[application.pk]), {"status": "hired"})
    assert messages_of(client.get(response["Location"])) == [zh("Choose viewed, shortlisted or declined.")]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_another_organisation_cannot_touch_the_application(client, job, she):
    application = applications.application_submit(job=job, member=she, message=MESSAGE)
    other_hr = representative(organisation(code=CODES[1], name="别家公司"), "other-hr")
    client.force_login(other_hr)

    response = client.post(reverse("services:application_status", args=[application.pk]), {"status": "declined"})

    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


# --- who reads the CV ------------------------------------------------------------------------------------

def test_the_cv_is_served_only_to_its_organisation_and_staff_with_the_permission(
        client, job, she, hr, moderator, staff_in_group):
    application = applications.application_submit(
        job=job, member=she, message=MESSAGE, cv=upload("cv.pdf", minimal_pdf(), "application/pdf"))
    url = application.cv.url
    assert url == reverse("services:job_cv", args=[application.cv.name])

    def status_for(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client.get(url).status_code

    other_hr = representative(organisation(code=CODES[1], name="别家公司"), "other-hr")
    agent = staff_in_group("kefu", "管家客服")
    assert status_for(hr) == 200
    assert status_for(moderator) == 200
    assert status_for(other_hr) == 404
    assert status_for(agent) == 404  # staff, but not allowed to read CVs
    assert status_for(applicant("zhou", "周雨桐")) == 404
    assert status_for(None) == 302  # a visitor logs in first, then gets the same answer

    client.force_login(hr)
    response = client.get(url)
    assert (response["Content-Type"], b"".join(response.streaming_content)) == ("application/pdf", minimal_pdf())
    assert client.get(reverse("services:job_cv", args=["cv/nothing.pdf"])).status_code == 404


def test_may_read_cv_is_false_without_a_cv(job, she, hr):
    application = applications.application_submit(job=job, member=she, message=MESSAGE)
    assert applications.may_read_cv(user=hr, application=application) is False


def test_a_cv_whose_file_is_gone_answers_404_and_a_cv_is_never_cached(client, job, she, hr, file_dirs):
    application = applications.application_submit(
        job=job, member=she, message=MESSAGE, cv=upload("cv.pdf", minimal_pdf(), "application/pdf"))
    client.force_login(hr)

    served = client.get(application.cv.url)
    assert (served.status_code, served["Cache-Control"]) == (200, "private, no-store")
    assert b"".join(served.streaming_content) == minimal_pdf()

    application.cv.storage.delete(application.cv.name)
    assert client.get(application.cv.url).status_code == 404


def test_a_representative_removed_from_the_organisation_no_longer_opens_its_cvs(client, job, she, hr, org):
    application = applications.application_submit(
        job=job, member=she, message=MESSAGE, cv=upload("cv.pdf", minimal_pdf(), "application/pdf"))
    client.force_login(hr)
    opened = client.get(application.cv.url)
    assert (opened.status_code, b"".join(opened.streaming_content)) == (200, minimal_pdf())

    Representative.objects.filter(organisation=org, user=hr).delete()

    assert client.get(application.cv.url).status_code == 404
    assert client.get(reverse("services:organisation_jobs", args=[org.pk])).status_code == 404


def test_a_cv_stored_for_an_application_that_failed_is_deleted(job, she, file_dirs, monkeypatch):
    def outbox_down(**_kwargs):
        raise ConnectionError("outbox unavailable")

    # Any failure after the file is written (here: telling the organisation) leaves nothing behind.
    monkeypatch.setattr(applications, "notify_applied", outbox_down)

    with pytest.raises(ConnectionError):
        applications.application_submit(job=job, member=she, message=MESSAGE,
                                        cv=upload("cv.pdf", minimal_pdf(), "application/pdf"))

    assert Application.objects.count() == 0
    assert [path for path in file_dirs["private"].rglob("*") if path.is_file()] == []


def test_her_row_is_rendered_once_and_a_new_status_or_a_closed_job_shows_at_once(client, job, she, hr):
    application = applications.application_submit(job=job, member=she, message=MESSAGE)
    client.force_login(she)
    url = reverse("services:my_applications")

    first, page = renders_of(client, url, ROW_TEMPLATE)
    again, _ = renders_of(client, url, ROW_TEMPLATE)
    assert (first, again) == (1, 0)
    assert job.title in page and zh("Applied") in page

    applications.application_mark(application=application, status=ApplicationStatus.SHORTLISTED, actor=hr)
    rendered, page = renders_of(client, url, ROW_TEMPLATE)
    assert rendered == 1 and zh("Shortlisted") in page

    job.status = "closed"
    job.save()
    rendered, page = renders_of(client, url, ROW_TEMPLATE)
    assert rendered == 1 and zh("job closed") in page
