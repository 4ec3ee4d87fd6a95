from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiangcheng.core.counted_pages import counted_page

from . import inbox
from .forms import MemberReplyForm, RatingForm, TicketForm
from .models import Attachment, Ticket

TICKETS_PAGE_SIZE = 10


@login_required
def ticket_list(request):
    page = counted_page(inbox.tickets_of(member=request.user), TICKETS_PAGE_SIZE, request.GET.get("page"))
    return render(request, "services/ticket_list.html", {"page": page})


@login_required
def ticket_new(request):
    form = TicketForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = inbox.ticket_submit(
                member=request.user, category=data["category"], subject=data["subject"],
                description=data["description"], preferred_contact=data["preferred_contact"], files=data["files"],
            )
        except inbox.InboxError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you. Your reference number is %(ref)s; we will answer by %(due)s.")
                             % {"ref": ticket.reference, "due": timezone.localdate(ticket.due_at).isoformat()})
            return redirect(ticket)
    return render(request, "services/ticket_form.html", {"form": form, "left": inbox.submissions_left(request.user)},
                  status=400 if form.errors else 200)


def _own_ticket(request, reference: str) -> Ticket:
    # Another member's ticket answers 404, as if it did not exist.
    return get_object_or_404(Ticket, reference=reference, member=request.user)


def _detail(request, ticket, reply_form=None, rating_form=None, status=200):
    return render(request, "services/ticket_detail.html", {
        "ticket": ticket,
        "messages_public": ticket.messages.filter(internal=False).select_related("author"),
        "attachments": ticket.attachments.all(),
        "reply_form": reply_form or MemberReplyForm(),
        "rating_form": rating_form or RatingForm(),
        "can_reopen": inbox.can_reopen(ticket),
    }, status=status)


@login_required
def ticket_detail(request, reference: str):
    return _detail(request, _own_ticket(request, reference))


@login_required
@require_POST
def ticket_reply(request, reference: str):
    ticket = _own_ticket(request, reference)
    form = MemberReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            inbox.ticket_member_reply(ticket=ticket, member=request.user, body=form.cleaned_data["body"],
                                      files=form.cleaned_data["files"])
        except inbox.InboxError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your reply is sent."))
            return redirect(ticket)
    return _detail(request, ticket, reply_form=form, status=400)


def _member_step(request, reference: str, step, done: str):
    """Close or reopen her own ticket: one domain call, its message, back to the ticket."""
    ticket = _own_ticket(request, reference)
    try:
        step(ticket=ticket, member=request.user)
        messages.success(request, done)
    except inbox.InboxError as exc:
        messages.error(request, str(exc))
    return redirect(ticket)


@login_required
@require_POST
def ticket_close(request, reference: str):
    return _member_step(request, reference, inbox.ticket_close, _("The ticket is closed. Please rate the answer."))


@login_required
@require_POST
def ticket_reopen(request, reference: str):
    return _member_step(request, reference, inbox.ticket_reopen, _("The ticket is open again."))


@login_required
@require_POST
def ticket_rate(request, reference: str):
    ticket = _own_ticket(request, reference)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            inbox.ticket_rate(ticket=ticket, member=request.user, rating=form.cleaned_data["rating"],
                              comment=form.cleaned_data["comment"])
        except inbox.InboxError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect(ticket)
    return _detail(request, ticket, rating_form=form, status=400)


@login_required
def attachment_download(request, reference: str, pk: int):
    """Her own ticket's file, or any ticket's for inbox staff; everyone else gets 404."""
    attachment = Attachment.objects.select_related("ticket").filter(pk=pk, ticket__reference=reference).first()
    if attachment is None:
        raise Http404
    # Staff need the attachment permission itself: reading tickets (管理员) does not open her files.
    if attachment.ticket.member_id != request.user.pk and not request.user.has_perm("services.view_attachment"):
        raise Http404
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            as_attachment=attachment.content_type == "application/pdf", filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
