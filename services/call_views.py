"""Calls' pages (相创她数智): the list and a call's page for everyone; applying, her application,
withdrawing and 我的申报 for members. Each view parses input and calls one function of ``calls``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from members.access import approved_member_required
from xiangcheng.core.counted_pages import counted_page
from xiangcheng.core.shared_pages import PERSONAL, kept_shared

from . import calls
from .call_forms import CallApplicationForm, CallFilterForm
from .models import CallAttachment

CALLS_PAGE_SIZE = 20
MY_CALLS_PAGE_SIZE = 20


@kept_shared(members=True)
def call_list(request):
    closed = request.GET.get("tab") == "closed"
    form = CallFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    listed = calls.calls_listed(closed=closed, kind=filters.get("kind", ""), level=filters.get("level", ""),
                                field=filters.get("field", ""))
    page = counted_page(listed, CALLS_PAGE_SIZE, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "services/calls/call_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "closed": closed,
        "filtered": any(filters.values()),
    })


def _public(pk: int):
    call = calls.call_public(pk=pk)
    if call is None:
        raise Http404
    return call


def _until_she_applies(request, pk: int):
    """Members share a call's page and the form that starts an application (kept a few seconds,
    like the call list); once she has one, each page shows hers and is her own."""
    return PERSONAL if calls.has_applied(call_id=pk, member=request.user) else None


@kept_shared(members=_until_she_applies)
def call_detail(request, pk: int):
    call = _public(pk)
    application = calls.application_of(call=call, member=request.user)
    return render(request, "services/calls/call_detail.html", {
        "call": call, "application": application, "refusal": calls.call_refusal(call),
        "editable": application is not None and calls.application_editable(application),
    })


@approved_member_required
@kept_shared(members=_until_she_applies, forms=True)
def call_apply(request, pk: int):
    """Start her application, or change it while it is editable; save as a draft or submit."""
    call = _public(pk)
    application = calls.application_of(call=call, member=request.user)
    if application is not None and not calls.application_editable(application):
        messages.error(request, _("This application can no longer be changed."))
        return redirect("services:call_application", application.pk)
    if application is None and calls.call_refusal(call):
        messages.error(request, calls.call_refusal(call))
        return redirect(call)
    initial = {"statement": application.statement} if application else {}
    form = CallApplicationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        data = {"member": request.user, "statement": form.cleaned_data["statement"],
                "files": form.cleaned_data["files"], "submit": submit}
        try:
            if application is None:
                application = calls.application_start(call=call, **data)
            else:
                application = calls.application_edit(application=application, **data)
        except calls.CallError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            if submit:
                messages.success(request, _("Your application is submitted. You can change it until the call "
                                            "closes or staff start reviewing."))
            else:
                messages.success(request, _("Your draft is saved. Submit it before the call closes."))
            return redirect("services:call_application", application.pk)
    return render(request, "services/calls/apply.html", {
        "call": call, "application": application, "form": form,
        "attachments": list(application.attachments.all()) if application else [],
        "max_files": calls.MAX_FILES,
    }, status=400 if form.errors else 200)


def _own(request, pk: int):
    application = calls.own_application(member=request.user, pk=pk)
    if application is None:
        raise Http404
    return application


@login_required
def call_application(request, pk: int):
    """Her application, read-only, with its status and files; another member's answers 404."""
    application = _own(request, pk)
    return render(request, "services/calls/application.html", {
        "application": application, "call": application.call,
        "editable": calls.application_editable(application),
    })


@login_required
def call_withdraw(request, pk: int):
    """Asks first: withdrawing is final."""
    application = _own(request, pk)
    if request.method == "POST":
        try:
            calls.application_withdraw(application=application, member=request.user)
        except calls.CallError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your application is withdrawn."))
        return redirect("services:call_application", application.pk)
    if not calls.application_editable(application):
        messages.error(request, _("This application can no longer be changed."))
        return redirect("services:call_application", application.pk)
    return render(request, "services/calls/withdraw.html", {"application": application})


@login_required
def my_calls(request):
    """我的申报."""
    page = counted_page(calls.applications_of_member(request.user), MY_CALLS_PAGE_SIZE, request.GET.get("page"))
    return render(request, "services/calls/my_calls.html", {"page": page})


def _attachment(request, pk: int) -> CallAttachment:
    attachment = (CallAttachment.objects.select_related("application__call").filter(pk=pk).first())
    if attachment is None or not calls.may_download(user=request.user, attachment=attachment):
        raise Http404
    return attachment


@login_required
def call_attachment(request, pk: int):
    """A file of an application: to its applicant and to staff who open the files; 404 to others."""
    attachment = _attachment(request, pk)
    try:
        stored = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(stored, content_type=attachment.content_type,
                            as_attachment=attachment.content_type == "application/pdf", filename=attachment.name)
    # Personal data: kept by no cache, the browser's included.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def call_attachment_delete(request, pk: int):
    """Asks first, then removes one of her files (only hers: staff's access is read-only)."""
    attachment = _attachment(request, pk)
    application = attachment.application
    if application.member_id != request.user.pk:
        raise Http404
    if request.method == "POST":
        try:
            calls.attachment_delete(attachment=attachment, member=request.user)
        except calls.CallError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The file %(name)s is removed.") % {"name": attachment.name})
        return redirect("services:call_apply", application.call_id)
    return render(request, "services/calls/attachment_delete.html", {"attachment": attachment,
                                                                     "application": application})
