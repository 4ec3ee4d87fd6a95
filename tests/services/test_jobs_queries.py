"""The jobs' list pages make as many queries for 5 rows as for 50."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from services.models import Application, ApplicationStatus, Job, JobStatus
from tests.helpers import queries_for

from .job_helpers import applicant, job_data, organisation, representative

pytestmark = pytest.mark.django_db


def _jobs(org, count: int) -> list[Job]:
    now = timezone.now()
    return Job.objects.bulk_create([
        Job(organisation=org, status=JobStatus.PUBLISHED, published_at=now - timedelta(minutes=n),
            **{**job_data(), "title": f"岗位{n}", "salary_min": None if n % 2 else 8000,
               "salary_max": None if n % 2 else 12000})
        for n in range(count)])


def _applications(jobs: list[Job], members: list, count: int) -> None:
    Application.objects.bulk_create([
        Application(job=jobs[n % len(jobs)], member=members[n // len(jobs)], message=f"留言{n}",
                    status=list(ApplicationStatus.values)[n % 4])
        for n in range(count)])


@pytest.mark.parametrize("rows", [5, 50])
def test_public_list_for_visitors(client, rows, django_assert_num_queries):
    _jobs(organisation(), rows)
    # The page with its organisations and the list's count (counted_page), and the audit context
    # the middleware resets.
    with django_assert_num_queries(2):
        response = client.get(reverse("services:jobs"), {"q": "岗位", "city": "suzhou"})
    assert len(response.context["page"]) == min(rows, 20)


def test_job_detail_and_the_programme_section_stay_constant(client):
    org = organisation()
    jobs = _jobs(org, 5)
    urls = [reverse("services:job", args=[jobs[0].pk]), reverse("programmes:detail", args=["link"])]
    at_five = [queries_for(client, url) for url in urls]
    _jobs(org, 45)
    assert [queries_for(client, url) for url in urls] == at_five


def test_organisation_jobs_with_applications(client):
    org = organisation()
    hr = representative(org)
    client.force_login(hr)
    members = [applicant(f"m{n}", f"会员{n}") for n in range(10)]
    few = _jobs(org, 5)
    _applications(few, members, 5)
    url = reverse("services:organisation_jobs", args=[org.pk])
    at_five = queries_for(client, url)
    more = _jobs(org, 45)
    _applications(few + more, members[5:], 50)
    assert Application.objects.count() == 55
    assert queries_for(client, url) == at_five


def test_a_jobs_applications(client):
    org = organisation()
    hr = representative(org)
    client.force_login(hr)
    job = _jobs(org, 1)[0]
    members = [applicant(f"m{n}", f"会员{n}") for n in range(50)]
    _applications([job], members[:5], 5)
    urls = [reverse("services:job_applications", args=[org.pk, job.pk]),
            reverse("services:job_applications", args=[org.pk, job.pk]) + "?status=viewed&page=2"]
    at_five = [queries_for(client, url) for url in urls]
    Application.objects.all().delete()
    _applications([job], members, 50)
    assert [queries_for(client, url) for url in urls] == at_five


def test_my_applications(client):
    org = organisation()
    she = applicant("linxiaowen", "林晓雯")
    client.force_login(she)
    jobs = _jobs(org, 50)
    _applications(jobs[:5], [she], 5)
    url = reverse("services:my_applications")
    at_five = queries_for(client, url)
    _applications(jobs[5:], [she], 45)
    assert queries_for(client, url) == at_five
