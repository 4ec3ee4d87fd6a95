"""Jobs (新城招聘): posting, moderation, edits of published jobs, closing, and who sees what."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from services import jobs
from services.models import JOB_SALARY_LIMIT, Job, JobStatus
from services.tasks import close_past_jobs
from tests.helpers import messages_of, zh
from xiangcheng.core.models import Notice
from xiangcheng.core.roles import ENTERPRISE_SERVICE

from .job_helpers import CODES, form_data, job_data, organisation, published_job, representative

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def org():
    return organisation()


@pytest.fixture
def hr(org):
    return representative(org)


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


@pytest.fixture
def moderator(staff_in_group):
    return staff_in_group("qiyefuwu", ENTERPRISE_SERVICE.name)


# --- posting ---------------------------------------------------------------------------------------

def test_a_representative_posts_a_draft_and_submits_it(hr_client, org, hr):
    response = hr_client.post(reverse("services:job_new", args=[org.pk]), {**form_data(), "submit": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("services:organisation_jobs", args=[org.pk])
    job = Job.objects.get()
    assert (job.organisation, job.title, job.status, job.created_by, job.programme.slug) == (
        org, "新材料研发工程师", JobStatus.PENDING, hr, "link")
    assert job.submitted_at is not None


def test_a_drafts_card_submits_through_the_pages_form_and_follows_the_jobs_state(hr_client, org, hr):
    draft = jobs.job_create(organisation=org, author=hr, data=job_data())
    url = reverse("services:organisation_jobs", args=[org.pk])
    submit = reverse("services:job_submit", args=[org.pk, draft.pk])

    def card(html: str) -> str:
        return re.search(r'<li class="card org-job">.*?</li>', html, re.S).group(0)

    page = hr_client.get(url).content.decode()
    # The card holds no token: its button submits the page's one form to the job's address.
    assert f'form="job-submit" formaction="{submit}"' in card(page)
    assert "csrfmiddlewaretoken" not in card(page)
    assert re.search(r'<form id="job-submit" method="post" hidden><input type="hidden" '
                     r'name="csrfmiddlewaretoken" value="[^"]+"></form>', page)

    assert hr_client.post(submit)["Location"] == url
    page = hr_client.get(url).content.decode()
    pending = card(page)
    assert zh("Awaiting review") in pending
    assert submit not in pending
    # With no card to submit, the page carries no form and no token.
    assert 'id="job-submit"' not in page and "csrfmiddlewaretoken" not in page

    # Once the organisation may no longer post (its verification withdrawn), no card offers a step.
    org.status = "pending"
    org.save()
    assert reverse("services:job_edit", args=[org.pk, draft.pk]) not in card(hr_client.get(url).content.decode())


def test_a_negotiable_salary_leaves_both_ends_empty(hr_client, org):
    response = hr_client.post(reverse("services:job_new", args=[org.pk]), form_data(salary_min=None, salary_max=None))

    assert response.status_code == 302
    job = Job.objects.get()
    assert (job.salary_min, job.salary_max, job.salary_negotiable, job.status) == (None, None, True, JobStatus.DRAFT)


def test_half_a_salary_range_is_refused_and_the_form_kept(hr_client, org):
    response = hr_client.post(reverse("services:job_new", args=[org.pk]), form_data(salary_max=None))

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "salary_max": [zh("Give both ends of the salary range, or neither for a negotiable salary.")]}
    assert response.context["form"]["title"].value() == "新材料研发工程师"
    assert Job.objects.count() == 0


def test_a_salary_range_upside_down_is_refused_once(hr_client, org):
    response = hr_client.post(reverse("services:job_new", args=[org.pk]),
                              form_data(salary_min=30000, salary_max=20000))

    assert response.status_code == 400
    assert response.context["form"].errors == {"salary_max": [zh("The lowest salary cannot be above the highest.")]}
    assert Job.objects.count() == 0


def test_a_last_day_in_the_past_is_refused(hr_client, org):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = hr_client.post(reverse("services:job_new", args=[org.pk]), form_data(closes_on=yesterday))

    assert response.status_code == 400
    assert response.context["form"].errors == {"closes_on": [zh("The last day to apply cannot be in the past.")]}
    assert Job.objects.count() == 0


@pytest.mark.parametrize(("field", "changes", "limit"), [
    ("salary_max", {"salary_max": 99999999999}, JOB_SALARY_LIMIT),
    ("salary_min", {"salary_min": 2_000_000, "salary_max": 3_000_000}, JOB_SALARY_LIMIT),
    ("headcount", {"headcount": 5000}, 999),
    ("headcount", {"headcount": 1000}, 999),
])
def test_a_salary_or_openings_beyond_the_bounds_are_refused_and_the_form_kept(hr_client, org, field, changes,
                                                                              limit):
    response = hr_client.post(reverse("services:job_new", args=[org.pk]), form_data(**changes))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors[field] == [zh("Ensure this value is less than or equal to %(limit_value)s.", limit_value=limit)]
    assert response.context["form"]["title"].value() == "新材料研发工程师"
    assert Job.objects.count() == 0


def test_the_domain_refuses_out_of_bounds_figures_with_a_reason(org, hr):
    with pytest.raises(jobs.JobError) as refused:
        jobs.job_create(organisation=org, author=hr, data=job_data(headcount=32767))

    assert str(refused.value) == zh("%(field)s: %(error)s", field=capfirst(zh("openings")),
                                    error=zh("Ensure this value is less than or equal to %(limit_value)s.",
                                             limit_value=999))
    assert Job.objects.count() == 0


def test_an_unverified_organisation_cannot_post(client):
    pending = organisation(verified=False)
    user = representative(pending)
    client.force_login(user)

    assert client.get(reverse("services:job_new", args=[pending.pk])).status_code == 404
    assert client.post(reverse("services:job_new", args=[pending.pk]), form_data()).status_code == 404
    page = client.get(reverse("services:organisation_jobs", args=[pending.pk]))
    assert page.status_code == 200
    assert zh("Your organisation can post jobs once federation staff have verified it.") in page.content.decode()
    assert Job.objects.count() == 0


def test_the_domain_refuses_an_unverified_organisation_too():
    pending = organisation(verified=False)
    with pytest.raises(jobs.JobError) as refused:
        jobs.job_create(organisation=pending, author=representative(pending), data=job_data())
    assert str(refused.value) == zh("Only a verified organisation can post jobs.")


def test_another_organisations_jobs_answer_404(client, org, hr, moderator):
    other = organisation(code=CODES[1], name="别家公司")
    other_hr = representative(other, "other-hr")
    job = published_job(org, hr, moderator)
    client.force_login(other_hr)

    assert client.get(reverse("services:organisation_jobs", args=[org.pk])).status_code == 404
    assert client.get(reverse("services:job_new", args=[org.pk])).status_code == 404
    assert client.get(reverse("services:job_edit", args=[org.pk, job.pk])).status_code == 404
    # Her own organisation's pk with another organisation's job: 404 as well.
    assert client.get(reverse("services:job_edit", args=[other.pk, job.pk])).status_code == 404
    assert client.post(reverse("services:job_close", args=[other.pk, job.pk])).status_code == 404
    assert client.post(reverse("services:job_submit", args=[other.pk, job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.PUBLISHED


# --- moderation --------------------------------------------------------------------------------------

def test_staff_publish_and_the_representatives_are_told(org, hr, moderator):
    colleague = representative(org, "hr2")
    job = jobs.job_create(organisation=org, author=hr, data=job_data())
    jobs.job_submit(job=job, author=hr)

    assert jobs.jobs_publish(job_ids=[job.pk], reviewer=moderator) == 1

    job.refresh_from_db()
    assert (job.status, job.reviewed_by, job.published_at is not None) == (JobStatus.PUBLISHED, moderator, True)
    notices = Notice.objects.filter(kind="jobs.decided").order_by("recipient_id")
    assert [(n.recipient, n.data["outcome"]) for n in notices] == [(hr, "published"), (colleague, "published")]


def test_a_rejection_needs_a_reason_and_the_job_can_be_sent_again(org, hr, moderator):
    job = jobs.job_create(organisation=org, author=hr, data=job_data())
    jobs.job_submit(job=job, author=hr)
    with pytest.raises(jobs.JobError):
        jobs.jobs_reject(job_ids=[job.pk], reviewer=moderator, reason="  ")

    assert jobs.jobs_reject(job_ids=[job.pk], reviewer=moderator, reason="薪资范围请写清楚") == 1

    job.refresh_from_db()
    assert (job.status, job.rejection_reason) == (JobStatus.REJECTED, "薪资范围请写清楚")
    assert Notice.objects.get(kind="jobs.decided").data == {"outcome": "rejected", "reason": "薪资范围请写清楚"}
    jobs.job_edit(job=job, author=hr, data=job_data(salary_min=16000))
    jobs.job_submit(job=job, author=hr)
    job.refresh_from_db()
    assert (job.status, job.salary_min) == (JobStatus.PENDING, 16000)


def test_only_jobs_awaiting_review_are_decided(org, hr, moderator):
    draft = jobs.job_create(organisation=org, author=hr, data=job_data())
    assert jobs.jobs_publish(job_ids=[draft.pk], reviewer=moderator) == 0
    draft.refresh_from_db()
    assert draft.status == JobStatus.DRAFT


def test_admin_bulk_reject_asks_for_the_reason_first(client, org, hr, moderator):
    first = jobs.job_create(organisation=org, author=hr, data=job_data())
    second = jobs.job_create(organisation=org, author=hr, data=job_data(title="知识产权专员"))
    for job in (first, second):
        jobs.job_submit(job=job, author=hr)
    client.force_login(moderator)
    url = reverse("admin:services_job_changelist")
    selection = {"action": "reject", "_selected_action": [first.pk, second.pk]}

    asked = client.post(url, selection)
    assert asked.status_code == 200
    assert asked.templates[0].name == "admin/services/job/reject.html"
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.PENDING}

    done = client.post(url, {**selection, "reason": "请补充岗位职责"})
    assert done.status_code == 302
    assert sorted(Job.objects.values_list("status", "rejection_reason")) == [
        (JobStatus.REJECTED, "请补充岗位职责"), (JobStatus.REJECTED, "请补充岗位职责")]


def test_admin_bulk_publish_and_the_review_filter(client, org, hr, moderator):
    job = jobs.job_create(organisation=org, author=hr, data=job_data())
    jobs.job_submit(job=job, author=hr)
    client.force_login(moderator)
    url = reverse("admin:services_job_changelist")

    listed = client.get(url, {"review": "awaiting"})
    assert [j.pk for j in listed.context["cl"].result_list] == [job.pk]
    response = client.post(url, {"action": "publish", "_selected_action": [job.pk]})

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.PUBLISHED
    assert list(client.get(url, {"review": "awaiting"}).context["cl"].result_list) == []


def test_staff_without_the_role_cannot_moderate(client, org, hr, clerk):
    job = jobs.job_create(organisation=org, author=hr, data=job_data())
    jobs.job_submit(job=job, author=hr)
    client.force_login(clerk)
    assert client.get(reverse("admin:services_job_changelist")).status_code == 403


# --- an edit to a published job ------------------------------------------------------------------------

def test_an_edit_of_a_published_job_waits_for_review_while_the_public_copy_stays(client, org, hr, moderator):
    job = published_job(org, hr, moderator)
    client.force_login(hr)

    response = client.post(reverse("services:job_edit", args=[org.pk, job.pk]),
                           form_data(title="高级新材料研发工程师", salary_max=30000))

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.title, job.salary_max) == (JobStatus.PUBLISHED, "新材料研发工程师", 25000)
    assert job.pending_changes == {"title": "高级新材料研发工程师", "salary_max": 30000}
    public = client.get(reverse("services:job", args=[job.pk])).content.decode()
    assert "新材料研发工程师" in public and "高级新材料研发工程师" not in public
    # Her next edit starts from the edit awaiting review.
    assert client.get(reverse("services:job_edit", args=[org.pk, job.pk])).context["form"]["title"].value() == (
        "高级新材料研发工程师")

    assert jobs.jobs_publish(job_ids=[job.pk], reviewer=moderator) == 1
    job.refresh_from_db()
    assert (job.status, job.title, job.salary_max, job.pending_changes, job.changes_submitted_at) == (
        JobStatus.PUBLISHED, "高级新材料研发工程师", 30000, {}, None)
    assert list(Notice.objects.filter(kind="jobs.decided").values_list("data__outcome", flat=True)
                .order_by("pk")) == ["published", "edit_published"]


def test_a_refused_edit_leaves_the_published_job_as_it_was(org, hr, moderator):
    job = published_job(org, hr, moderator)
    jobs.job_edit(job=job, author=hr, data=job_data(title="改过的标题"))

    assert jobs.jobs_reject(job_ids=[job.pk], reviewer=moderator, reason="标题不规范") == 1

    job.refresh_from_db()
    assert (job.status, job.title, job.pending_changes, job.rejection_reason) == (
        JobStatus.PUBLISHED, "新材料研发工程师", {}, "标题不规范")


def test_an_edit_out_of_bounds_is_not_applied_when_staff_approve_it(client, org, hr, moderator):
    job = published_job(org, hr, moderator)
    # An edit stored before the bounds were checked (or written around the form).
    Job.objects.filter(pk=job.pk).update(pending_changes={"headcount": 5000}, changes_submitted_at=timezone.now())
    client.force_login(moderator)

    response = client.post(reverse("admin:services_job_changelist"),
                           {"action": "publish", "_selected_action": [job.pk]}, follow=True)

    assert response.status_code == 200
    refusal = zh("%(field)s: %(error)s", field=capfirst(zh("openings")),
                 error=zh("Ensure this value is less than or equal to %(limit_value)s.", limit_value=999))
    assert messages_of(response) == [zh("The edit of “%(title)s” cannot be published: %(error)s",
                                        title=job.title, error=refusal)]
    job.refresh_from_db()
    assert (job.status, job.headcount, job.pending_changes) == (JobStatus.PUBLISHED, 2, {"headcount": 5000})
    assert job.changes_submitted_at is not None


# --- closing -------------------------------------------------------------------------------------------

def test_the_organisation_closes_a_job_after_confirming(client, org, hr, moderator):
    job = published_job(org, hr, moderator)
    client.force_login(hr)
    url = reverse("services:job_close", args=[org.pk, job.pk])

    asked = client.get(url)
    assert asked.status_code == 200
    job.refresh_from_db()
    assert job.status == JobStatus.PUBLISHED

    response = client.post(url)
    assert messages_of(client.get(response["Location"])) == [zh("The job is closed.")]
    job.refresh_from_db()
    assert job.status == JobStatus.CLOSED
    assert list(client.get(reverse("services:jobs")).context["page"]) == []


def test_the_beat_job_closes_jobs_after_their_last_day_in_xiangcheng(org, hr, moderator):
    with time_machine.travel(datetime(2027, 3, 10, 12, 0, tzinfo=SHANGHAI), tick=False):
        last_day_today = published_job(org, hr, moderator, closes_on=timezone.localdate() + timedelta(days=5))
        later = published_job(org, hr, moderator, title="算法工程师",
                              closes_on=timezone.localdate() + timedelta(days=6))
    # 00:20 on 16 March in Xiangcheng: still 15 March in UTC; the 15th was the first job's last day.
    with time_machine.travel(datetime(2027, 3, 16, 0, 20, tzinfo=SHANGHAI), tick=False):
        assert close_past_jobs() == 1
        assert close_past_jobs() == 0
    last_day_today.refresh_from_db()
    later.refresh_from_db()
    assert (last_day_today.status, later.status) == (JobStatus.CLOSED, JobStatus.PUBLISHED)


def test_a_job_stays_listed_through_its_last_day(client, org, hr, moderator):
    with time_machine.travel(datetime(2027, 3, 10, 12, 0, tzinfo=SHANGHAI), tick=False):
        job = published_job(org, hr, moderator, closes_on=timezone.localdate() + timedelta(days=5))
    with time_machine.travel(datetime(2027, 3, 15, 23, 50, tzinfo=SHANGHAI), tick=False):
        assert [j.pk for j in client.get(reverse("services:jobs")).context["page"]] == [job.pk]
    with time_machine.travel(datetime(2027, 3, 16, 0, 10, tzinfo=SHANGHAI), tick=False):
        # Not yet closed by the beat job: the list and the page still apply the rule.
        assert list(client.get(reverse("services:jobs")).context["page"]) == []
        page = client.get(reverse("services:job", args=[job.pk]))
        assert page.context["reason"] == zh("This job no longer takes applications.")


# --- the public pages -------------------------------------------------------------------------------------

def test_visitors_see_published_jobs_only(client, org, hr, moderator):
    shown = published_job(org, hr, moderator)
    draft = jobs.job_create(organisation=org, author=hr, data=job_data(title="草稿岗位"))
    pending = jobs.job_create(organisation=org, author=hr, data=job_data(title="待审岗位"))
    jobs.job_submit(job=pending, author=hr)

    listed = client.get(reverse("services:jobs"))
    assert listed.status_code == 200
    assert [j.pk for j in listed.context["page"]] == [shown.pk]
    assert client.get(reverse("services:job", args=[shown.pk])).status_code == 200
    assert client.get(reverse("services:job", args=[draft.pk])).status_code == 404
    assert client.get(reverse("services:job", args=[pending.pk])).status_code == 404


def test_filters_and_chinese_substring_search(client, moderator):
    materials = organisation()
    chips = organisation(code=CODES[1], name="苏州芯片公司", industry="integrated_circuits")
    hr, chips_hr = representative(materials), representative(chips, "chips-hr")
    films = published_job(materials, hr, moderator, title="先进新材料研发工程师")
    shanghai = published_job(materials, hr, moderator, title="数字金融产品经理", city="shanghai",
                             education="bachelor")
    layout = published_job(chips, chips_hr, moderator, title="集成电路版图设计工程师")

    def listed(**params):
        return [j.pk for j in client.get(reverse("services:jobs"), params).context["page"]]

    assert listed(q="新材料") == [films.pk]
    assert listed(q="工程师") == [layout.pk, films.pk]
    assert listed(city="shanghai") == [shanghai.pk]
    assert listed(education="bachelor") == [shanghai.pk]
    assert listed(industry="integrated_circuits") == [layout.pk]
    assert listed(industry="nonsense") == [layout.pk, shanghai.pk, films.pk]  # a refused filter filters nothing


def test_the_link_programme_page_lists_the_latest_jobs(client, org, hr, moderator):
    job = published_job(org, hr, moderator)
    page = client.get(reverse("programmes:detail", args=["link"]))
    assert page.status_code == 200
    assert job.title in page.content.decode()
    assert reverse("services:job", args=[job.pk]) in page.content.decode()


def test_a_representative_finds_her_organisations_jobs_from_the_jobs_page(hr_client, org):
    page = hr_client.get(reverse("services:jobs"))
    assert [o.pk for o in page.context["organisations"]] == [org.pk]
    assert reverse("services:organisation_jobs", args=[org.pk]) in page.content.decode()
