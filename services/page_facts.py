"""What the public page of a job, a call, a service request or a federation offering says of
it, kept rendered (``xiangcheng.core.fragments``).

The facts at the top of such a page — its title, its organisation, organiser or provider, its
dates, its description, and whether it still takes applications or responses — are the same for
every reader: who may open the page is decided before (``jobs.job_public``, ``calls.call_public``,
``request_queries.request_seen_by``, ``offerings.offering_visible``), and what is hers (her
application, her response, the form, the times she booked) is rendered below them for her. Each
version names every field its fragment shows, and the line that says the job, call or request is
closed, which changes with the day rather than with the row.
"""

from django.utils.safestring import SafeString

from xiangcheng.core.fragments import rendered_kept

from .call_models import Call
from .models import Job, Offering, ServiceRequest

JOB_TEMPLATE = "services/jobs/_job_facts.html"
CALL_TEMPLATE = "services/calls/_call_facts.html"
REQUEST_TEMPLATE = "services/requests/_detail_facts.html"
OFFERING_TEMPLATE = "services/offerings/_offering_facts.html"


def _programme(thing) -> tuple:
    return (thing.programme.slug, thing.programme.name)


def job_facts(job: Job, reason: str | None) -> SafeString:
    """Needs the job with its organisation and programme (``jobs.job_public`` reads them)."""
    organisation = job.organisation
    version = (job.pk, job.title, job.salary_negotiable, job.salary_min, job.salary_max, job.city, job.location,
               job.education, job.headcount, job.closes_on.isoformat(), job.description, _programme(job),
               organisation.name, organisation.badge, organisation.kind, organisation.industry, reason)
    return rendered_kept(template=JOB_TEMPLATE, context={"job": job, "reason": reason}, version=version)


def call_facts(call: Call, refusal: str | None) -> SafeString:
    """Needs the call with its programme (``calls.call_public`` reads it)."""
    version = (call.pk, call.title, call.kind, call.organiser, call.level, call.field, call.opens_on.isoformat(),
               call.closes_on.isoformat(), call.places, call.summary, call.eligibility, call.requirements,
               _programme(call), refusal)
    return rendered_kept(template=CALL_TEMPLATE, context={"call": call, "refusal": refusal}, version=version)


def request_facts(service_request: ServiceRequest) -> SafeString:
    """Needs the request with its organisation and ``open_now`` (``request_queries.request_seen_by``)."""
    organisation = service_request.organisation
    version = (service_request.pk, service_request.title, service_request.category, service_request.field,
               service_request.budget, service_request.deadline.isoformat(), service_request.description,
               service_request.open_now, organisation.name, organisation.badge, organisation.city)
    return rendered_kept(template=REQUEST_TEMPLATE, context={"service_request": service_request}, version=version)


def offering_facts(offering: Offering) -> SafeString:
    """Needs the offering with its programme (``offerings.offering_visible`` reads it)."""
    version = (offering.pk, offering.title, offering.provider, offering.mode, offering.description,
               _programme(offering))
    return rendered_kept(template=OFFERING_TEMPLATE, context={"offering": offering}, version=version)
