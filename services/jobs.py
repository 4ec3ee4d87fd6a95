"""Jobs (新城招聘): a verified organisation posts, staff publish or reject, the job closes.

Lifecycle: draft → pending (submitted for review) → published or rejected (with a reason) →
closed, by the organisation or by the beat job once the last day has passed (``closing_passed``:
the one rule, read by the task, the public list and the job's page). A rejected job is edited and
submitted again. An edit to a published job waits in ``pending_changes`` for review while the
public copy stays; approving applies it, rejecting drops it with a reason.

Every decision is the job's audited status change under the deciding person's context; the
organisation's representatives are told through the outbox.
"""

import logging
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from members.models import Organisation, User
from members.organisations import may_post, represented_by
from xiangcheng.core.audit import audit_context
from xiangcheng.core.compiled_queries import CompiledQuery, Read
from xiangcheng.core.text_search import contains_text

from .models import Job, JobStatus
from .notices import JOB_DECISION, notify_job_decision

logger = logging.getLogger(__name__)

# What an organisation writes; staff see and decide on exactly these.
EDITABLE = ["title", "city", "location", "salary_min", "salary_max", "education", "headcount", "description",
            "closes_on"]
# Drafts and refused jobs are edited in place; a published job's edit waits for review.
EDITED_IN_PLACE = [JobStatus.DRAFT, JobStatus.PENDING, JobStatus.REJECTED]
NOT_EDITABLE = [field.name for field in Job._meta.fields if field.name not in EDITABLE]


class JobError(Exception):
    """A jobs rule was broken; the message is shown to the user."""


# --- the one "closed" rule -----------------------------------------------------------------------

def closing_passed(*, closes_on: date, today: date | None = None) -> bool:
    """The last day to apply is over: ``closes_on`` is before today in Xiangcheng."""
    return closes_on < (today or timezone.localdate())


def closing_passed_q(*, today: date | None = None) -> Q:
    """``closing_passed`` as a filter, for the beat job and the lists."""
    return Q(closes_on__lt=today or timezone.localdate())


def accepting(job: Job, *, today: date | None = None) -> bool:
    """Published and its last day not over: the public sees it listed and members may apply."""
    return job.status == JobStatus.PUBLISHED and not closing_passed(closes_on=job.closes_on, today=today)


def accepting_q(*, today: date | None = None) -> Q:
    return Q(status=JobStatus.PUBLISHED) & ~closing_passed_q(today=today)


# --- reading ---------------------------------------------------------------------------------------

def jobs_listed(*, q: str = "", city: str = "", education: str = "", industry: str = "") -> QuerySet[Job]:
    """The public list: jobs taking applications, newest first, with their organisation."""
    jobs = Job.objects.filter(accepting_q()).select_related("organisation").defer("description", "pending_changes")
    if q:
        jobs = jobs.filter(contains_text("title", q))  # the partial index over published titles
    if city:
        jobs = jobs.filter(city=city)
    if education:
        jobs = jobs.filter(education=education)
    if industry:
        jobs = jobs.filter(organisation__industry=industry)
    return jobs.order_by("-published_at", "-pk")


# The job page's read, its SQL built once per process.
_JOB_PUBLIC = CompiledQuery(lambda pk: Job.objects.select_related("organisation", "programme").filter(
    pk=pk, status__in=[JobStatus.PUBLISHED, JobStatus.CLOSED], published_at__isnull=False), pk=int)


def job_public(*, pk: int) -> Job | None:
    """A job's public page: published (open or past its last day) or closed; else none."""
    return _JOB_PUBLIC.first(pk=pk)


_ORGANISATION_JOB = CompiledQuery(lambda organisation_id, pk: Job.objects.filter(organisation_id=organisation_id, pk=pk),
                                  organisation_id=int, pk=int)


def organisation_job(*, organisation: Organisation, pk: int) -> Job | None:
    """The organisation's job ``pk`` (its SQL built once per process), or None."""
    job = _ORGANISATION_JOB.first(organisation_id=organisation.pk, pk=pk)
    if job is not None:
        job.organisation = organisation  # already read: its pages name it without a query of their own
    return job


# The pages of one job of hers (its applications) read it with its organisation and who
# represents it in one query, its SQL built once per process.
_REPRESENTED_JOB = CompiledQuery(lambda user_id, organisation_id, pk: Job.objects.select_related("organisation").filter(
    pk=pk, organisation_id=organisation_id, organisation__in=represented_by(user_id)),
    user_id=int, organisation_id=int, pk=int)


def represented_job_read(*, user, organisation_pk: int, pk: int) -> Read:
    """``represented_job``'s read, to travel with the job's rows (``counted_page_with``)."""
    return _REPRESENTED_JOB.first_read(user_id=user.pk, organisation_id=organisation_pk, pk=pk)


def represented_job(*, user, organisation_pk: int, pk: int) -> Job | None:
    """Job ``pk`` of organisation ``organisation_pk`` if she represents it (verified or not), else
    None: the job of another organisation, or of one she does not represent, does not exist for her."""
    if not user.is_authenticated:
        return None
    return _REPRESENTED_JOB.first(user_id=user.pk, organisation_id=organisation_pk, pk=pk)


# --- writing ---------------------------------------------------------------------------------------

def _values_checked(values: dict) -> None:
    """The model's own field checks (lengths, choices, salary and openings within bounds) and the
    salary range, so a figure the database cannot hold is refused with a reason, never stored."""
    try:
        Job(programme_id=None, **values).clean_fields(exclude=NOT_EDITABLE)
    except ValidationError as exc:
        field, errors = next(iter(exc.message_dict.items()))
        raise JobError(_("%(field)s: %(error)s") % {"field": capfirst(Job._meta.get_field(field).verbose_name),
                                                     "error": errors[0]}) from None
    if (values["salary_min"] is None) != (values["salary_max"] is None):
        raise JobError(_("Give both ends of the salary range, or neither for a negotiable salary."))
    if values["salary_min"] is not None and values["salary_min"] > values["salary_max"]:
        raise JobError(_("The lowest salary cannot be above the highest."))


def _cleaned(data: dict) -> dict:
    missing = [name for name in EDITABLE if name not in data]
    if missing:
        raise ValueError(f"job fields missing: {missing}")
    values = {name: data[name] for name in EDITABLE}
    _values_checked(values)
    if closing_passed(closes_on=values["closes_on"]):
        raise JobError(_("The last day to apply cannot be in the past."))
    return values


def _as_stored(values: dict) -> dict:
    return {name: value.isoformat() if isinstance(value, date) else value for name, value in values.items()}


def _from_stored(values: dict) -> dict:
    return {name: date.fromisoformat(value) if name == "closes_on" else value for name, value in values.items()}


def job_values(job: Job) -> dict:
    """What the edit form shows: the edit awaiting review if there is one, else the job."""
    values = {name: getattr(job, name) for name in EDITABLE}
    values.update(_from_stored(job.pending_changes))
    return values


def job_create(*, organisation: Organisation, author: User, data: dict) -> Job:
    """A new draft of a verified organisation's job."""
    if not may_post(organisation):
        raise JobError(_("Only a verified organisation can post jobs."))
    values = _cleaned(data)
    with transaction.atomic(), audit_context(actor=author):
        return Job.objects.create(organisation=organisation, created_by=author, **values)


def job_edit(*, job: Job, author: User, data: dict) -> Job:
    """Save her edit: in place for a draft, a pending or a refused job; as an edit awaiting
    review for a published one (its public copy stays until staff approve the edit)."""
    values = _cleaned(data)
    with transaction.atomic(), audit_context(actor=author):
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.status == JobStatus.PUBLISHED:
            changed = {name: value for name, value in _as_stored(values).items()
                       if _as_stored({name: getattr(job, name)})[name] != value}
            job.pending_changes = changed
            job.changes_submitted_at = timezone.now() if changed else None
            job.save(update_fields=["pending_changes", "changes_submitted_at", "updated_at"])
            return job
        if job.status not in EDITED_IN_PLACE:
            raise JobError(_("A closed job cannot be edited."))
        for name, value in values.items():
            setattr(job, name, value)
        job.save(update_fields=[*EDITABLE, "updated_at"])
        return job


# What may be sent to staff for review: a draft, or a job refused and since edited.
SUBMITTABLE = (JobStatus.DRAFT, JobStatus.REJECTED)


def submittable(job: Job) -> bool:
    return job.status in SUBMITTABLE


def job_submit(*, job: Job, author: User) -> Job:
    """Send a draft (or a refused job, once edited) to staff for review."""
    with transaction.atomic(), audit_context(actor=author):
        job = Job.objects.select_for_update().get(pk=job.pk)
        if not submittable(job):
            raise JobError(_("Only a draft or a job that was not published can be submitted for review."))
        if closing_passed(closes_on=job.closes_on):
            raise JobError(_("The last day to apply has passed: change it before submitting."))
        job.status = JobStatus.PENDING
        job.submitted_at = timezone.now()
        job.save(update_fields=["status", "submitted_at", "updated_at"])
        return job


def job_close(*, job: Job, author: User) -> Job:
    """The organisation stops taking applications (or withdraws a draft or a pending job)."""
    with transaction.atomic(), audit_context(actor=author, reason=gettext_noop("closed by the organisation")):
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.status == JobStatus.CLOSED:
            raise JobError(_("This job is already closed."))
        job.status = JobStatus.CLOSED
        job.pending_changes = {}
        job.changes_submitted_at = None
        job.save(update_fields=["status", "pending_changes", "changes_submitted_at", "updated_at"])
        return job


def awaiting_review_q() -> Q:
    """New jobs submitted for review, and published jobs with an edit waiting."""
    return Q(status=JobStatus.PENDING) | Q(status=JobStatus.PUBLISHED, changes_submitted_at__isnull=False)


def _decide(*, job_ids: Iterable[int], reviewer: User, publish: bool, reason: str) -> int:
    now = timezone.now()
    count = 0
    with transaction.atomic(), audit_context(actor=reviewer, reason=reason):
        # Locked in key order: two reviewers on overlapping selections wait instead of deadlocking;
        # a job the other decided first is no longer awaiting review and is skipped.
        for job in Job.objects.select_for_update().filter(awaiting_review_q(), pk__in=list(job_ids)).order_by("pk"):
            outcome = _decide_one(job=job, reviewer=reviewer, publish=publish, reason=reason, now=now)
            notify_job_decision(job=job, outcome=outcome, at=now)
            count += 1
    return count


def _decide_one(*, job: Job, reviewer: User, publish: bool, reason: str, now) -> str:
    job.reviewed_at = now
    job.reviewed_by = reviewer
    fields = ["reviewed_at", "reviewed_by", "rejection_reason", "updated_at"]
    if job.status == JobStatus.PUBLISHED:  # an edit of a published job
        if publish:
            edited = _from_stored(job.pending_changes)
            try:
                _values_checked({**{name: getattr(job, name) for name in EDITABLE}, **edited})
            except JobError as exc:
                raise JobError(_("The edit of “%(title)s” cannot be published: %(error)s")
                               % {"title": job.title, "error": exc}) from None
            for name, value in edited.items():
                setattr(job, name, value)
                fields.append(name)
        job.pending_changes = {}
        job.changes_submitted_at = None
        job.rejection_reason = "" if publish else reason
        job.save(update_fields=[*fields, "pending_changes", "changes_submitted_at"])
        return JOB_DECISION.EDIT_PUBLISHED if publish else JOB_DECISION.EDIT_REJECTED
    job.status = JobStatus.PUBLISHED if publish else JobStatus.REJECTED
    job.rejection_reason = "" if publish else reason
    if publish:
        job.published_at = now
        fields.append("published_at")
    job.save(update_fields=[*fields, "status"])
    return JOB_DECISION.PUBLISHED if publish else JOB_DECISION.REJECTED


def jobs_publish(*, job_ids: Iterable[int], reviewer: User) -> int:
    """Publish jobs awaiting review (or apply their edit); others are left alone."""
    return _decide(job_ids=job_ids, reviewer=reviewer, publish=True, reason="")


def jobs_reject(*, job_ids: Iterable[int], reviewer: User, reason: str) -> int:
    """Refuse jobs awaiting review (or their edit) with a reason the organisation reads."""
    reason = reason.strip()
    if not reason:
        raise JobError(_("Give the organisation a reason."))
    return _decide(job_ids=job_ids, reviewer=reviewer, publish=False, reason=reason)


def jobs_close_past(*, today: date | None = None) -> int:
    """Close every published job whose last day has passed (the beat job); returns how many."""
    with transaction.atomic(), audit_context(reason=gettext_noop("the last day to apply has passed")):
        closed = (Job.objects.filter(closing_passed_q(today=today), status=JobStatus.PUBLISHED)
                  .update(status=JobStatus.CLOSED, pending_changes={}, changes_submitted_at=None,
                          updated_at=timezone.now()))
    if closed:
        logger.info("closed %d jobs past their last day", closed)
    return closed
