"""Calls (相创她数智), the member side: finding calls, applying, editing, withdrawing; and staff
publishing or cancelling a call.

An approved member starts one application per call (the database's unique constraint; a second
try, even at the same instant, gets a clear message), saves it as a draft (``started``) and
submits it (``submitted``) with a statement and up to ``MAX_FILES`` PDFs or images through the
file gate. Whether she may still change it is decided in one place, ``application_editable``:
the call is open (``Call.is_open``, local days), staff have not started reviewing, and it is
started or submitted. Withdrawing is final. Every change is audited under her context.
"""

import logging
from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from members.models import User
from members.profiles import is_approved_member
from xiangcheng.core.audit import audit_context
from xiangcheng.core.compiled_queries import CompiledQuery, Listing

from .attachments import CheckedFile
from .call_models import call_today
from .models import Call, CallApplication, CallApplicationStatus, CallAttachment, CallStatus

logger = logging.getLogger(__name__)

MAX_FILES = 5
STATEMENT_MAX = 5000
# The statuses she may still change (edit, attach, submit, withdraw) while the call is open.
EDITABLE_STATUSES = (CallApplicationStatus.STARTED, CallApplicationStatus.SUBMITTED)
# The database refuses a second application per member and call; this turns that refusal into a
# clear message. The race test switches it off to prove it would catch a duplicate slipping by.
CATCH_DUPLICATE = True


class CallError(Exception):
    """A calls rule was broken; the message is shown to the user (next to ``field`` if named)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- the rules -------------------------------------------------------------------------------------

def accepting_applications(call: Call, *, now: datetime | None = None) -> bool:
    """Members may start, change or withdraw an application: open, and review not started."""
    return call.is_open(now) and call.review_started_at is None


def application_editable(application: CallApplication, *, now: datetime | None = None) -> bool:
    """THE rule for changing an application (views, templates and the functions below ask it)."""
    return application.status in EDITABLE_STATUSES and accepting_applications(application.call, now=now)


def call_refusal(call: Call, *, now: datetime | None = None) -> str | None:
    """Why nobody can apply to this call right now, in words for the page; None when she can."""
    if call.status == CallStatus.CANCELLED:
        return _("This call was cancelled.")
    if call.closed(now):
        return _("Applications closed on %(day)s.") % {"day": call.closes_on.isoformat()}
    if not call.is_open(now):
        return _("Applications open on %(day)s.") % {"day": call.opens_on.isoformat()}
    if call.review_started_at is not None:
        return _("Staff have started reviewing the applications: they can no longer be changed.")
    return None


def _refused_unless_editable(application: CallApplication, now: datetime | None) -> None:
    if application_editable(application, now=now):
        return
    if application.status not in EDITABLE_STATUSES:
        raise CallError(_("This application can no longer be changed (%(status)s).")
                        % {"status": application.get_status_display()})
    raise CallError(call_refusal(application.call, now=now) or _("This application can no longer be changed."))


# --- reading ---------------------------------------------------------------------------------------

def calls_listed(*, closed: bool = False, kind: str = "", level: str = "", field: str = "",
                 now: datetime | None = None) -> QuerySet[Call]:
    """The public list. Current: published calls not yet closed, open ones first (soonest
    deadline first), then those opening later. Closed: the rest, latest closing first."""
    today = call_today(now)
    calls = Call.objects.published().defer("summary", "eligibility", "requirements")
    if closed:
        calls = calls.filter(closes_on__lt=today).order_by("-closes_on", "-pk")
    else:
        calls = (calls.filter(closes_on__gte=today)
                 .annotate(not_yet=Case(When(opens_on__gt=today, then=Value(1)), default=Value(0),
                                        output_field=IntegerField()))
                 .order_by("not_yet", "closes_on", "pk"))
    if kind:
        calls = calls.filter(kind=kind)
    if level:
        calls = calls.filter(level=level)
    if field:
        # A call open to every field suits every member.
        calls = calls.filter(Q(field=field) | Q(field=""))
    return calls


def calls_open(*, programme: str = "", now: datetime | None = None) -> QuerySet[Call]:
    """Open calls, soonest deadline first (home and programme pages)."""
    calls = Call.objects.open(now).defer("summary", "eligibility", "requirements").order_by("closes_on", "pk")
    return calls.filter(programme__slug=programme) if programme else calls


# The call page's two reads, their SQL built once per process.
_CALL_PUBLIC = CompiledQuery(lambda pk: Call.objects.select_related("programme").filter(
    pk=pk, status__in=[CallStatus.PUBLISHED, CallStatus.CANCELLED], published_at__isnull=False), pk=int)
_APPLICATION_OF = CompiledQuery(lambda call_id, member_id: CallApplication.objects.filter(
    call_id=call_id, member_id=member_id).prefetch_related("attachments"), call_id=int, member_id=int)


def call_public(*, pk: int) -> Call | None:
    """A call's page: published, or cancelled after it was published; a draft answers none."""
    return _CALL_PUBLIC.first(pk=pk)


def application_of(*, call: Call, member: User) -> CallApplication | None:
    """Her application to the call, with its files (at most one: a unique constraint)."""
    if not member.is_authenticated:
        return None
    return _APPLICATION_OF.first(call_id=call.pk, member_id=member.pk)


def has_applied(*, call_id: int, member: User) -> bool:
    """Whether she has an application to the call, in any state (``application_of``'s rows, counted)."""
    return member.is_authenticated and _APPLICATION_OF.count(call_id=call_id, member_id=member.pk) > 0


def own_application(*, member: User, pk: int) -> CallApplication | None:
    """Her application with its call and files; another member's answers none (404)."""
    if not member.is_authenticated:
        return None
    return (CallApplication.objects.select_related("call__programme").prefetch_related("attachments")
            .filter(pk=pk, member=member).first())


_OF_MEMBER = CompiledQuery(lambda member_id: CallApplication.objects.filter(member_id=member_id).select_related("call")
                           .annotate(files=Count("attachments")).defer("statement", "staff_notes", "call__summary",
                                                                       "call__eligibility", "call__requirements")
                           .order_by("-created_at", "-pk"), member_id=int)


def applications_of_member(member: User) -> Listing:
    """我的申报: her applications, newest first, each with its call and number of files, paged by
    ``counted_page`` (its SQL built once per process)."""
    return _OF_MEMBER.listing(member_id=member.pk)


def may_download(*, user, attachment: CallAttachment) -> bool:
    """A file is opened by its applicant and by staff who may open the files (申报评审); nobody
    else — reading the applications (管理员) does not open their files, as in admin."""
    if not user.is_authenticated:
        return False
    if attachment.application.member_id == user.pk:
        return True
    return user.is_staff and user.has_perm("services.view_callattachment")


# --- writing ---------------------------------------------------------------------------------------

def _statement(statement: str) -> str:
    statement = statement.strip()
    if len(statement) > STATEMENT_MAX:
        raise CallError(_("The statement may be at most %(n)d characters.") % {"n": STATEMENT_MAX},
                        field="statement")
    return statement


def _attach(application: CallApplication, files: Sequence[CheckedFile], stored: list) -> None:
    """Store the checked files privately; ``stored`` collects them so a rollback can remove them."""
    present = application.attachments.count()
    if present + len(files) > MAX_FILES:
        raise CallError(_("An application may have at most %(n)d files; it has %(present)d.")
                        % {"n": MAX_FILES, "present": present}, field="files")
    for checked in files:
        attachment = CallAttachment(application=application, name=checked.name, content_type=checked.content_type,
                                    size=checked.content.size)
        attachment.file.save(checked.name, checked.content, save=False)
        stored.append(attachment.file)
        attachment.save()


def _files_dropped(stored: list) -> None:
    for file in stored:
        file.delete(save=False)


def _submitted(application: CallApplication, now: datetime) -> None:
    if not application.statement:
        raise CallError(_("Write your statement before submitting."), field="statement")
    if application.status != CallApplicationStatus.SUBMITTED:
        application.status = CallApplicationStatus.SUBMITTED
        application.submitted_at = now


def application_start(*, call: Call, member: User, statement: str, files: Sequence[CheckedFile] = (),
                      submit: bool = False, now: datetime | None = None) -> CallApplication:
    """Her first save: a draft (``started``), or submitted at once. Approved members only, while
    the call accepts applications, once per call."""
    now = now or timezone.now()
    if not is_approved_member(member):
        raise CallError(_("Only approved members can apply. Your membership is not approved yet."))
    refusal = call_refusal(call, now=now)
    if refusal:
        raise CallError(refusal)
    statement = _statement(statement)
    if CallApplication.objects.filter(call=call, member=member).exists():
        raise CallError(_("You have already applied to this call. Open it from My applications."))
    stored: list = []
    try:
        with transaction.atomic(), audit_context(actor=member):
            application = CallApplication(call=call, member=member, statement=statement)
            if submit:
                _submitted(application, now)
            application.save()
            _attach(application, files, stored)
    except IntegrityError:
        _files_dropped(stored)
        if not CATCH_DUPLICATE:
            raise
        # She pressed twice, or two tabs raced: the first application stands.
        raise CallError(_("You have already applied to this call. Open it from My applications.")) from None
    except BaseException:
        _files_dropped(stored)
        raise
    logger.info("application %s to call %s started (%s)", application.pk, call.pk, application.status)
    return application


def _locked(application: CallApplication) -> CallApplication:
    """The application and its call, both locked: a review starting meanwhile waits or wins."""
    return CallApplication.objects.select_for_update().select_related("call").get(pk=application.pk)


def application_edit(*, application: CallApplication, member: User, statement: str,
                     files: Sequence[CheckedFile] = (), submit: bool = False,
                     now: datetime | None = None) -> CallApplication:
    """Save her changes (and new files); ``submit`` sends a draft in. A submitted application
    stays submitted while she edits it, until the deadline or the review."""
    now = now or timezone.now()
    if application.member_id != member.pk:
        raise CallError(_("This application is not yours."))
    statement = _statement(statement)
    stored: list = []
    try:
        with transaction.atomic(), audit_context(actor=member):
            application = _locked(application)
            _refused_unless_editable(application, now)
            application.statement = statement
            if submit:
                _submitted(application, now)
            application.save(update_fields=["statement", "status", "submitted_at", "updated_at"])
            _attach(application, files, stored)
    except BaseException:
        _files_dropped(stored)
        raise
    return application


def application_withdraw(*, application: CallApplication, member: User,
                         now: datetime | None = None) -> CallApplication:
    """She withdraws (final: she cannot apply to this call again)."""
    if application.member_id != member.pk:
        raise CallError(_("This application is not yours."))
    with transaction.atomic(), audit_context(actor=member, reason=gettext_noop("withdrawn by the applicant")):
        application = _locked(application)
        _refused_unless_editable(application, now)
        application.status = CallApplicationStatus.WITHDRAWN
        application.save(update_fields=["status", "updated_at"])
    return application


def attachment_delete(*, attachment: CallAttachment, member: User, now: datetime | None = None) -> None:
    """She removes one of her files while the application can be changed."""
    if attachment.application.member_id != member.pk:
        raise CallError(_("This application is not yours."))
    with transaction.atomic(), audit_context(actor=member):
        _refused_unless_editable(_locked(attachment.application), now)
        file = attachment.file
        attachment.delete()
        transaction.on_commit(lambda: file.delete(save=False))


# --- staff: publishing -----------------------------------------------------------------------------

def call_publish(*, call: Call, actor: User, now: datetime | None = None) -> Call:
    """A draft goes public (members see it; they apply from its opening day)."""
    with transaction.atomic(), audit_context(actor=actor):
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.status != CallStatus.DRAFT:
            raise CallError(_("“%(title)s” is not a draft: only drafts can be published.") % {"title": call.title})
        if call.closed(now):
            raise CallError(_("“%(title)s” closed on %(day)s: change its closing day before publishing.")
                            % {"title": call.title, "day": call.closes_on.isoformat()})
        call.status = CallStatus.PUBLISHED
        call.published_at = now or timezone.now()
        call.save(update_fields=["status", "published_at", "updated_at"])
    return call


def call_cancel(*, call: Call, actor: User, reason: str = "") -> Call:
    """The call is withdrawn by staff: it takes no more applications; those made stay on record."""
    with transaction.atomic(), audit_context(actor=actor, reason=reason or gettext_noop("cancelled by staff")):
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.status == CallStatus.CANCELLED:
            raise CallError(_("“%(title)s” is already cancelled.") % {"title": call.title})
        call.status = CallStatus.CANCELLED
        call.save(update_fields=["status", "updated_at"])
    return call
