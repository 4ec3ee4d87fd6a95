"""遇见's safety pages: block (with a confirmation), the list of whom she blocked and lifting a
block (with a confirmation), and reporting someone. Each view parses the form and calls one
function of ``matching.safety``; a person she may not see answers 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from members.access import approved_member_required
from members.profiles import person_name
from xiangcheng.core.counted_pages import counted_page

from . import blocks, profiles, safety
from .block_rows import blocked_rows
from .safety_forms import ReportForm

PER_PAGE = 20


def _participant(request):
    return profiles.match_profile_of(request.user)


def _person(request, profile_id: int, find):
    """The participant with this id as ``find`` lets her see them; None when she herself does not
    take part (sent to 遇见's landing page); 404 for anyone she may not see."""
    viewer = _participant(request)
    if viewer is None:
        return None
    other = find(viewer=viewer, profile_id=profile_id)
    if other is None:
        raise Http404
    return other


@approved_member_required
def block(request, profile_id: int):
    other = _person(request, profile_id, safety.person_in_reach)
    if other is None:
        return redirect("matching:landing")
    if request.method == "POST":
        try:
            safety.block_person(blocker=request.user, profile_id=profile_id)
        except profiles.MatchError as exc:
            raise Http404 from exc  # she is gone from 遇见 since the page was shown
        messages.success(request, _("Blocked. You and %(name)s no longer see each other in 遇见.")
                         % {"name": person_name(other.user)})
        return redirect("matching:suggestions")
    return render(request, "matching/safety/block_confirm.html", {"other": other, "name": person_name(other.user)})


@approved_member_required
def blocked(request):
    page = counted_page(safety.blocks_of(user=request.user), PER_PAGE, request.GET.get("page"))
    participant = _participant(request)
    return render(request, "matching/safety/blocked_list.html", {
        "page": page, "rows": blocked_rows(page, participant=participant), "match_profile": participant})


@approved_member_required
def unblock(request, block_id: int):
    block = safety.block_of(blocker=request.user, block_id=block_id)
    if block is None:
        raise Http404
    if request.method == "POST":
        safety.block_lift(blocker=request.user, block_id=block.pk)
        messages.success(request, _("Block lifted. You may be suggested to each other again."))
        return redirect("matching:blocked")
    return render(request, "matching/safety/unblock_confirm.html", {"block": block, "name": person_name(block.blocked)})


@approved_member_required
def report(request, profile_id: int):
    other = _person(request, profile_id, safety.reportable)
    if other is None:
        return redirect("matching:landing")
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            safety.report_file(reporter=request.user, profile_id=profile_id, reason=form.cleaned_data["reason"],
                               details=form.cleaned_data["details"])
        except profiles.MatchError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Thank you. The 遇见 moderators will look into your report."))
            return redirect("matching:suggestions")
    return render(request, "matching/safety/report.html", {
        "form": form, "other": other, "name": person_name(other.user),
        "already": safety.open_report_of(reporter=request.user, reported=other.user_id),
        "blocked_by_her": blocks.blocked_between(a=request.user, b=other.user_id),
    })
