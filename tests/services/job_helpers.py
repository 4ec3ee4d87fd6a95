"""Organisations, their representatives and jobs for the jobs tests (新城招聘)."""

from datetime import date, timedelta

from django.utils import timezone

from members.models import Organisation, OrganisationStatus, Representative
from services import jobs
from services.models import Education, Job, JobStatus
from tests.factories import MemberProfileFactory, UserFactory

CODES = ["91320507MA1MXAB7XN", "91350100M000100Y43"]


def organisation(*, verified: bool = True, code: str = CODES[0], name: str = "苏州相城新材料有限公司",
                 industry: str = "advanced_materials") -> Organisation:
    org = Organisation.objects.create(
        name=name, credit_code=code, kind="enterprise", industry=industry, size="small", city="suzhou",
        address="相城区元和街道", description="新材料研发", public_contact="0512-00000000")
    if verified:
        Organisation.objects.filter(pk=org.pk).update(status=OrganisationStatus.VERIFIED)
        org.refresh_from_db()
    return org


def representative(org: Organisation, username: str = "hr"):
    user = UserFactory(username=username)
    Representative.objects.create(organisation=org, user=user)
    return user


def applicant(username: str, real_name: str, **fields):
    phone = fields.pop("phone", None)
    user = UserFactory(username=username, phone=phone, phone_verified=bool(phone))
    MemberProfileFactory(user=user, real_name=real_name, **fields)
    return user


def job_data(**changes) -> dict:
    data = {"title": "新材料研发工程师", "city": "suzhou", "location": "相城区高铁新城", "salary_min": 15000,
            "salary_max": 25000, "education": Education.MASTER, "headcount": 2,
            "description": "负责功能薄膜材料的研发。", "closes_on": timezone.localdate() + timedelta(days=30)}
    data.update(changes)
    return data


def form_data(**changes) -> dict:
    """The job form as posted (empty salary fields for a negotiable salary)."""
    data = job_data(**changes)
    return {name: "" if value is None else value.isoformat() if isinstance(value, date) else value
            for name, value in data.items()}


def published_job(org: Organisation, author, reviewer, **changes) -> Job:
    job = jobs.job_create(organisation=org, author=author, data=job_data(**changes))
    jobs.job_submit(job=job, author=author)
    jobs.jobs_publish(job_ids=[job.pk], reviewer=reviewer)
    job.refresh_from_db()
    assert job.status == JobStatus.PUBLISHED
    return job
