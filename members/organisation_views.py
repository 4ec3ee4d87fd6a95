"""The organisation pages (企业工作台): register, the workbench, edit, invite, remove, leave, and
accepting an invitation. Only its representatives see an organisation's pages (404 for anyone
else, members.organisations.represented)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xiangcheng.core.compiled_queries import Read, together
from xiangcheng.core.fragments import UnboundForm

from .invitations import (
    INVITATION_DAYS,
    NOT_VERIFIED,
    InvitationError,
    invitation_accept,
    invitation_by_token,
    invitation_check,
    invitation_revoke,
    invitation_send,
    invitations_unanswered_read,
    may_invite,
)
from .models import OrganisationInvitation, Representative
from .organisation_forms import InvitationForm, OrganisationForm
from .organisations import (
    OrganisationError,
    organisation_edit,
    organisation_register,
    organisations_of,
    representative_leave,
    representative_remove,
    representatives_read,
    represented,
    represented_read,
)
from .profiles import person_name
from .workbench import workbench_head

# Open invitations shown on the workbench (the newest first); older ones simply expire.
INVITATIONS_SHOWN = 20


@login_required
def organisation_list(request):
    organisations = organisations_of(request.user).order_by("name")
    return render(request, "members/organisations/list.html", {"organisations": organisations})


@login_required
def organisation_register_view(request):
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                organisation = organisation_register(user=request.user, organisation=form.save(commit=False),
                                                     logo=form.cleaned_data.get("logo_upload"))
            except OrganisationError as exc:
                form.add_error("credit_code", str(exc))
            else:
                messages.success(request, _("Your organisation is registered. The federation's staff will verify it."))
                return redirect("members:organisation", organisation.pk)
        messages.error(request, _("Please correct the errors below."))
    return render(request, "members/organisations/register.html", {"form": form},
                  status=400 if form.errors else 200)


def _workbench_reads(pk: int) -> tuple[Read, Read]:
    return (representatives_read(organisation_id=pk),
            invitations_unanswered_read(organisation_id=pk, shown=INVITATIONS_SHOWN))


def _workbench(request, organisation, representatives, invitations, *, invite_form=None, status=200):
    return render(request, "members/organisations/workbench.html", {
        "organisation": organisation, "invitations": invitations,
        "representatives": [(rep, representative_name(rep)) for rep in representatives],
        "invite_form": invite_form or UnboundForm(InvitationForm), "head": workbench_head(organisation),
        "invitation_days": INVITATION_DAYS, "may_invite": may_invite(organisation), "cannot_invite": NOT_VERIFIED,
    }, status=status)


@login_required
def organisation(request, pk: int):
    # Her organisation and its rows in one round trip; the rows are dropped with one not hers.
    organisation, representatives, invitations = together(represented_read(user=request.user, pk=pk),
                                                          *_workbench_reads(pk))
    if organisation is None:
        raise Http404
    return _workbench(request, organisation, representatives, invitations)


@login_required
def organisation_edit_view(request, pk: int):
    current = represented(user=request.user, pk=pk)
    was = current.status
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=current)
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = organisation_edit(user=request.user, organisation=form.save(commit=False),
                                          changed=form.changed_data, logo=form.cleaned_data.get("logo_upload"))
            except OrganisationError as exc:
                form.add_error("credit_code", str(exc))
            else:
                if saved.status != was:
                    messages.success(request, _("Saved. The federation's staff will verify the changed details."))
                else:
                    messages.success(request, _("Saved."))
                return redirect("members:organisation", saved.pk)
        messages.error(request, _("Please correct the errors below."))
    return render(request, "members/organisations/edit.html", {"form": form, "organisation": current},
                  status=400 if form.errors else 200)


@login_required
def invite(request, pk: int):
    current = represented(user=request.user, pk=pk)
    if request.method != "POST":
        return redirect("members:organisation", pk)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitation_send(organisation=current, invited_by=request.user,
                                         email=form.cleaned_data.get("email") or "",
                                         phone=form.cleaned_data.get("phone") or "")
        except InvitationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Invitation sent to %(address)s.") % {
                "address": invitation.email or invitation.phone})
            return redirect("members:organisation", pk)
    return _workbench(request, current, *together(*_workbench_reads(current.pk)), invite_form=form, status=400)


@login_required
def invitation_revoke_view(request, pk: int, invitation_pk: int):
    current = represented(user=request.user, pk=pk)
    invitation = OrganisationInvitation.objects.filter(organisation=current, pk=invitation_pk,
                                                       accepted_at__isnull=True, revoked=False).first()
    if request.method == "POST":
        invitation_revoke(organisation=current, invitation_pk=invitation_pk, actor=request.user)
        messages.success(request, _("The invitation is withdrawn."))
        return redirect("members:organisation", pk)
    if invitation is None:
        return redirect("members:organisation", pk)
    return render(request, "members/organisations/confirm.html", {
        "organisation": current, "title": _("Withdraw this invitation?"),
        "text": _("The link sent to %(address)s stops working.") % {"address": invitation.email or invitation.phone},
        "confirm": _("Yes, withdraw it"), "keep": _("Keep the invitation")})


@login_required
def representative_remove_view(request, pk: int, representative_pk: int):
    current = represented(user=request.user, pk=pk)
    if request.method == "POST":
        removed = representative_remove(actor=request.user, organisation=current, representative_pk=representative_pk)
        messages.success(request, _("%(name)s no longer represents the organisation.") % {
            "name": representative_name(removed)})
        return redirect("members:organisation", pk)
    representative = (Representative.objects.select_related("user__profile")
                      .filter(organisation=current, pk=representative_pk).exclude(user=request.user).first())
    if representative is None:
        raise Http404
    return render(request, "members/organisations/confirm.html", {
        "organisation": current, "title": _("Remove this representative?"),
        "text": _("%(name)s will no longer act for %(organisation)s or see its pages.") % {
            "name": representative_name(representative), "organisation": current.name},
        "confirm": _("Yes, remove"), "keep": _("Cancel")})


@login_required
def leave(request, pk: int):
    current = represented(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            representative_leave(user=request.user, organisation=current)
        except OrganisationError as exc:
            messages.error(request, str(exc))
            return redirect("members:organisation", pk)
        messages.success(request, _("You no longer represent %(organisation)s.") % {"organisation": current.name})
        return redirect("members:organisations")
    return render(request, "members/organisations/confirm.html", {
        "organisation": current, "title": _("Leave this organisation?"),
        "text": _("You will no longer act for %(organisation)s or see its pages. "
                  "Another representative can invite you again.") % {"organisation": current.name},
        "confirm": _("Yes, leave"), "keep": _("Stay")})


@login_required
def invitation(request, token: str):
    """The link in the invitation: accept it, or a clear page saying why it cannot be."""
    found = invitation_by_token(token)
    problem = ""
    if request.method == "POST":
        try:
            organisation = invitation_accept(token=token, user=request.user)
        except InvitationError as exc:
            problem = str(exc)
        else:
            messages.success(request, _("You now represent %(organisation)s.") % {"organisation": organisation.name})
            return redirect("members:organisation", organisation.pk)
    else:
        try:
            invitation_check(found, user=request.user)
        except InvitationError as exc:
            problem = str(exc)
    return render(request, "members/organisations/invitation.html", {"invitation": found, "problem": problem},
                  status=400 if problem and request.method == "POST" else 200)


def representative_name(representative: Representative) -> str:
    """How her colleagues see her (``profiles.person_name`` with her contact masked)."""
    return person_name(representative.user, masked_contact=True)
