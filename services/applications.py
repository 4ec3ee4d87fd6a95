"""Applications to jobs: an approved member applies once per job, with a message and, if she
wishes, her CV (a PDF through the file gate's ``CV`` use, kept in the private storage).

The organisation reads her name, job title, field, message and CV — never her email address or
mobile number — and marks the application viewed, shortlisted or declined; she is told of a
shortlisting or a decline through the outbox and sees every step on 我的求职. Who may read a CV
is decided here only (``may_read_cv``).
"""

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from members.models import Organisation, User
from members.organisations import organisations_of
from members.profiles import is_approved_member
from xiangcheng.core.audit import audit_context
from xiangcheng.core.compiled_queries import CompiledQuery, Listing
from xiangcheng.core.files import CV, MB, FileRejected, file_check
from xiangcheng.core.related_counts import related_count

from .jobs import accepting
from .models import Application, ApplicationStatus, Job
from .notices import notify_application_step, notify_applied

# What the organisation may set; "submitted" is where every application starts.
ORGANISATION_STEPS = [ApplicationStatus.VIEWED, ApplicationStatus.SHORTLISTED, ApplicationStatus.DECLINED]
# She is told of these.
TOLD = [ApplicationStatus.SHORTLISTED, ApplicationStatus.DECLINED]


class ApplicationError(Exception):
    """An application rule was broken; the message is shown to the user."""


def cv_check(upload):
    """Her CV as it will be stored (a checked PDF), or ApplicationError saying why not."""
    try:
        return file_check(upload, use=CV)
    except FileRejected as exc:
        if exc.code == "too_large":
            raise ApplicationError(_("The CV is too large; it may be at most %(limit)d MB.")
                                   % {"limit": CV.max_bytes // MB}) from None
        if exc.code == "incomplete_pdf":
            raise ApplicationError(_("The CV is not a complete PDF file.")) from None
        raise ApplicationError(_("The CV must be a PDF file.")) from None


def _cv_name(upload) -> str:
    stem = (upload.name or "cv").rsplit("/", 1)[-1].rsplit(".", 1)[0][:80]
    return f"{get_valid_filename(stem) or 'cv'}.pdf"


def application_submit(*, job: Job, member: User, message: str, cv=None) -> Application:
    """Apply: approved members only, while the job takes applications, once per job."""
    if not is_approved_member(member):
        raise ApplicationError(_("Only approved members can apply."))
    if not accepting(job):
        raise ApplicationError(_("This job no longer takes applications."))
    checked = cv_check(cv) if cv else None
    if Application.objects.filter(job=job, member=member).exists():
        raise ApplicationError(_("You have already applied for this job."))
    application = Application(job=job, member=member, message=message.strip())
    try:
        with transaction.atomic(), audit_context(actor=member):
            if checked is not None:
                application.cv_name = _cv_name(cv)
                application.cv.save("cv.pdf", checked.content, save=False)
            application.save()
            notify_applied(application=application)
    except BaseException as exc:
        # Nothing was saved, so her CV is stored for nobody: it goes, whatever went wrong.
        if application.cv:
            application.cv.delete(save=False)
        if isinstance(exc, IntegrityError):
            # She applied twice at the same moment: the first stands.
            raise ApplicationError(_("You have already applied for this job.")) from None
        raise
    return application


def application_mark(*, application: Application, status: str, actor: User) -> Application:
    """The organisation's step: viewed, shortlisted or declined; she is told of the last two."""
    if status not in ORGANISATION_STEPS:
        raise ApplicationError(_("Choose viewed, shortlisted or declined."))
    with transaction.atomic(), audit_context(actor=actor):
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status == status:
            return application
        application.status = status
        application.save(update_fields=["status", "updated_at"])
        if status in TOLD:
            notify_application_step(application=application)
    return application


# --- who may see what ------------------------------------------------------------------------------

def may_read_cv(*, user, application: Application) -> bool:
    """A CV is read by the representatives of the organisation she applied to, and by staff
    holding the permission; by nobody else."""
    if not user.is_authenticated or not application.cv:
        return False
    if user.is_staff and user.has_perm("services.read_cv"):
        return True
    return organisations_of(user).filter(pk=application.job.organisation_id).exists()


# The job page's read of her application, its SQL built once per process.
_APPLICATION_TO = CompiledQuery(lambda job_id, member_id: Application.objects.filter(
    job_id=job_id, member_id=member_id), job_id=int, member_id=int)


def application_to(*, job: Job, member: User) -> Application | None:
    """Her application to the job (at most one: a unique constraint); none for a visitor."""
    if not member.is_authenticated:
        return None
    return _APPLICATION_TO.first(job_id=job.pk, member_id=member.pk)


def has_applied_to(*, job_id: int, member: User) -> bool:
    """Whether she has applied to the job (the page then shows her application)."""
    return member.is_authenticated and _APPLICATION_TO.count(job_id=job_id, member_id=member.pk) > 0


def organisation_application(*, user, pk: int) -> Application | None:
    """An application to a job of an organisation she represents; none otherwise."""
    return (Application.objects.select_related("job")
            .filter(pk=pk, job__organisation__in=organisations_of(user)).first())


# An application nobody at the organisation has looked at yet.
_NOT_YET_VIEWED = Q(status=ApplicationStatus.SUBMITTED)


def _counted(condition: Q) -> Coalesce:
    """How many applications of the row's job meet ``condition``: a subquery per listed job, so
    a page of jobs costs the same however many applications they have."""
    return related_count(Application.objects.filter(condition), to="job")


def _jobs_counted(organisation_id: int) -> QuerySet[Job]:
    # Only what a card shows (``job_rows.card_version``): the descriptions were most of a page's read.
    return (Job.objects.filter(organisation_id=organisation_id).order_by("-created_at", "-pk")
            .only("organisation", "title", "published_at", "status", "changes_submitted_at", "closes_on",
                  "rejection_reason")
            .annotate(applied=_counted(Q()), not_viewed=_counted(_NOT_YET_VIEWED)))


_JOBS_COUNTED = CompiledQuery(_jobs_counted, organisation_id=int)


def jobs_with_applications_counted(organisation: Organisation) -> QuerySet[Job]:
    """The organisation's jobs, newest first, each with how many applied (``applied``) and how
    many of those nobody has viewed yet (``not_viewed``)."""
    return _jobs_counted(organisation.pk)


def organisation_jobs_listed(organisation_id: int) -> Listing:
    """``jobs_with_applications_counted`` for its page (``counted_page``), its SQL built once."""
    return _JOBS_COUNTED.listing(organisation_id=organisation_id)


def _to_job(job_id: int) -> QuerySet[Application]:
    return (Application.objects.filter(job_id=job_id)
            .select_related("member__profile").only(
                "id", "job", "message", "cv", "cv_name", "status", "created_at",
                "member__id", "member__profile__id", "member__profile__user", "member__profile__real_name",
                "member__profile__job_title", "member__profile__field")
            .order_by("-created_at", "-pk"))


_TO_JOB = CompiledQuery(_to_job, job_id=int)
_TO_JOB_WITH_STATUS = CompiledQuery(lambda job_id, status: _to_job(job_id).filter(status=status), job_id=int,
                                    status=str)


def applications_to_job(job_id: int, status: str = "") -> Listing:
    """What the organisation sees of each applicant to the job, newest first: name, job title,
    field, message and CV (never contacts); only those with ``status`` if one is given. For
    ``counted_page``, its SQL built once per process."""
    if status:
        return _TO_JOB_WITH_STATUS.listing(job_id=job_id, status=status)
    return _TO_JOB.listing(job_id=job_id)


# What her row shows (``application_rows``) and no more: the jobs' and organisations' long texts
# were most of what a page read.
_OF_MEMBER = CompiledQuery(lambda member_id: Application.objects.filter(member_id=member_id).select_related(
    "job__organisation").only("member_id", "job_id", "status", "created_at", "job__title", "job__status",
                              "job__organisation_id", "job__organisation__name").order_by("-created_at", "-pk"),
    member_id=int)


def applications_of_member(member: User) -> Listing:
    """我的求职: her applications, newest first, each with its job and organisation, paged by
    ``counted_page`` (its SQL built once per process)."""
    return _OF_MEMBER.listing(member_id=member.pk)

