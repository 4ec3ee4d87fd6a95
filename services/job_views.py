"""新城招聘's pages: the public list and job page, applying, 我的求职, and an organisation's jobs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.access import approved_member_required
from members.organisations import (
    may_post,
    organisations_of,
    posting_organisation,
    represented_read,
)
from xiangcheng.core.counted_pages import counted_page, counted_page_with
from xiangcheng.core.shared_pages import PERSONAL, kept_shared

from . import applications, jobs
from .job_forms import ApplicationForm, ApplicationStatusForm, JobFilterForm, JobForm
from .job_rows import steps_marked
from .models import Application, ApplicationStatus, Job, JobStatus

JOBS_PAGE_SIZE = 20
ORGANISATION_PAGE_SIZE = 10
APPLICATIONS_PAGE_SIZE = 20


# Kept for visitors only: a representative finds her organisations' jobs from it.
@kept_shared
def job_list(request):
    form = JobFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    listed = jobs.jobs_listed(q=filters.get("q", ""), city=filters.get("city", ""),
                              education=filters.get("education", ""), industry=filters.get("industry", ""))
    page = counted_page(listed, JOBS_PAGE_SIZE, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "services/jobs/job_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        # A representative finds her organisation's jobs (and posts one) from here.
        "organisations": list(organisations_of(request.user).only("pk", "name")),
    })


def _detail(request, job: Job, form=None, status=200):
    application = applications.application_to(job=job, member=request.user)
    reason = None
    if not jobs.accepting(job):
        reason = _("This job no longer takes applications.")
    return render(request, "services/jobs/job_detail.html", {
        "job": job, "application": application, "reason": reason,
        "form": form or ApplicationForm() if request.user.is_authenticated else None,
    }, status=status)


def _until_she_applies(request, pk: int):
    """Members share a job's page with its application form (kept a few seconds, as visitors
    share theirs); once she has applied, the page shows her application and is her own."""
    return PERSONAL if applications.has_applied_to(job_id=pk, member=request.user) else None


@kept_shared(members=_until_she_applies, forms=True)
def job_detail(request, pk: int):
    job = jobs.job_public(pk=pk)
    if job is None:
        raise Http404
    return _detail(request, job)


@approved_member_required
@require_POST
def job_apply(request, pk: int):
    job = jobs.job_public(pk=pk)
    if job is None:
        raise Http404
    form = ApplicationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            applications.application_submit(job=job, member=request.user, message=form.cleaned_data["message"],
                                            cv=form.cleaned_data["cv"])
        except applications.ApplicationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your application is sent. You can follow it on My job applications."))
            return redirect("services:my_applications")
    return _detail(request, job, form=form, status=400)


@login_required
def my_applications(request):
    page = counted_page(applications.applications_of_member(request.user), APPLICATIONS_PAGE_SIZE,
                        request.GET.get("page"))
    return render(request, "services/jobs/my_applications.html", {"page": page})


@login_required
def organisation_jobs(request, pk: int):
    """Her organisation's jobs, each with how many applied; another organisation's: 404."""
    page, (organisation,) = counted_page_with(applications.organisation_jobs_listed(pk), ORGANISATION_PAGE_SIZE,
                                              request.GET.get("page"), represented_read(user=request.user, pk=pk))
    if organisation is None:
        raise Http404
    posting = may_post(organisation)
    return render(request, "services/jobs/organisation_jobs.html", {
        "organisation": organisation, "page": page, "may_post": posting,
        "submitting": steps_marked(page, may_post=posting),
    })


def _represented_job(request, organisation_pk: int, pk: int) -> Job:
    """A job of an organisation she represents (verified or not), or 404."""
    job = jobs.represented_job(user=request.user, organisation_pk=organisation_pk, pk=pk)
    if job is None:
        raise Http404
    return job


_STATUSES = frozenset(ApplicationStatus.values)


def _shown_status(request) -> str:
    """The applications page's status filter; anything else shows every application."""
    status = request.GET.get("status", "")
    return status if status in _STATUSES else ""


def _applications_query(status: str, number: str = "") -> str:
    """The applications page's query string for a filter and a page (either may be absent)."""
    query = QueryDict(mutable=True)
    if status:
        query["status"] = status
    if number:
        query["page"] = number
    return query.urlencode()


@login_required
def job_applications(request, organisation_pk: int, pk: int):
    """The applications to one of her organisation's jobs, newest first, a page at a time."""
    status = _shown_status(request)
    # The job and its applications in one round trip; the rows are dropped with a job not hers.
    page, (job,) = counted_page_with(applications.applications_to_job(pk, status), APPLICATIONS_PAGE_SIZE,
                                     request.GET.get("page"),
                                     jobs.represented_job_read(user=request.user, organisation_pk=organisation_pk, pk=pk))
    if job is None:
        raise Http404
    back = _applications_query(status, str(page.number))  # where a status button returns her
    for application in page:
        application.back = back
    return render(request, "services/jobs/job_applications.html", {
        "job": job, "page": page, "status": status, "query": _applications_query(status),
    })


def _job_form_page(request, organisation, form, job=None):
    return render(request, "services/jobs/job_form.html", {"organisation": organisation, "form": form, "job": job},
                  status=400 if form.errors else 200)


@login_required
def job_new(request, pk: int):
    organisation = posting_organisation(user=request.user, pk=pk)
    form = JobForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.job_create(organisation=organisation, author=request.user, data=form.cleaned_data)
        except jobs.JobError as exc:
            form.add_error(None, str(exc))
        else:
            if "submit" in request.POST:
                return _submit(request, job)
            messages.success(request, _("The draft is saved."))
            return redirect("services:organisation_jobs", organisation.pk)
    return _job_form_page(request, organisation, form)


def _own_job(request, organisation_pk: int, pk: int) -> Job:
    organisation = posting_organisation(user=request.user, pk=organisation_pk)
    job = jobs.organisation_job(organisation=organisation, pk=pk)
    if job is None:
        raise Http404
    return job


@login_required
def job_edit(request, organisation_pk: int, pk: int):
    job = _own_job(request, organisation_pk, pk)
    if job.status == JobStatus.CLOSED:
        raise Http404
    form = JobForm(request.POST or None, initial=jobs.job_values(job))
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.job_edit(job=job, author=request.user, data=form.cleaned_data)
        except jobs.JobError as exc:
            form.add_error(None, str(exc))
        else:
            if job.status == JobStatus.PUBLISHED:
                messages.success(request, _("Your edit is sent for review. The published job stays as it is until "
                                            "staff approve the edit."))
            elif "submit" in request.POST and job.status in (JobStatus.DRAFT, JobStatus.REJECTED):
                return _submit(request, job)
            else:
                messages.success(request, _("The job is saved."))
            return redirect("services:organisation_jobs", job.organisation_id)
    return _job_form_page(request, job.organisation, form, job)


def _submit(request, job: Job):
    try:
        jobs.job_submit(job=job, author=request.user)
    except jobs.JobError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The job is sent for review. You will be told when it is published."))
    return redirect("services:organisation_jobs", job.organisation_id)


@login_required
@require_POST
def job_submit(request, organisation_pk: int, pk: int):
    return _submit(request, _own_job(request, organisation_pk, pk))


@login_required
def job_close(request, organisation_pk: int, pk: int):
    """Asks first (a closed job takes no more applications and cannot be reopened)."""
    job = _own_job(request, organisation_pk, pk)
    if request.method == "POST":
        try:
            jobs.job_close(job=job, author=request.user)
        except jobs.JobError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The job is closed."))
        return redirect("services:organisation_jobs", job.organisation_id)
    return render(request, "services/jobs/job_close.html", {"job": job})


@login_required
@require_POST
def application_status(request, pk: int):
    application = applications.organisation_application(user=request.user, pk=pk)
    if application is None:
        raise Http404
    form = ApplicationStatusForm(request.POST)
    if form.is_valid():
        applications.application_mark(application=application, status=form.cleaned_data["status"],
                                      actor=request.user)
        messages.success(request, _("The application is marked “%(status)s”.")
                         % {"status": dict(form.fields["status"].choices)[form.cleaned_data["status"]]})
    else:
        messages.error(request, _("Choose viewed, shortlisted or declined."))
    # Back to the page and filter she pressed it on (only those two, checked, are carried).
    number = request.GET.get("page", "")
    back = _applications_query(_shown_status(request), number if number.isdigit() else "")
    url = reverse("services:job_applications", args=[application.job.organisation_id, application.job_id])
    return redirect(f"{url}?{back}" if back else url)


@login_required
def job_cv(request, name: str):
    """A CV, to its organisation's representatives and staff who may read CVs; 404 to anyone else."""
    application = Application.objects.select_related("job").filter(cv=name).first()
    if application is None or not applications.may_read_cv(user=request.user, application=application):
        raise Http404
    try:
        stored = application.cv.storage.open(application.cv.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(stored, content_type="application/pdf", as_attachment=True,
                            filename=application.cv_name or "cv.pdf")
    # Personal data: kept by no cache, the browser's included.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
