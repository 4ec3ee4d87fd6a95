"""遇见 introductions' pages: a 相遇 request to a suggested participant, 我的相遇 (sent, received,
connected), and accepting, declining or withdrawing (each asks first). Each view parses the form
and calls one function of ``matching.introductions``; anything not hers answers 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from members.access import approved_member_required
from members.contacts import verified_email, verified_phone
from members.profiles import person_name
from xiangcheng.core.counted_pages import counted_page_with

from . import introductions as rules
from .cards import card
from .introduction_forms import RequestForm, ShareForm
from .introduction_rows import introduction_rows, rows_rendered
from .models import Introduction
from .profiles import match_profile_of, match_profile_read
from .scoring import reasons_text, score

PAGE_SIZE = 20


def _page(tab: str) -> str:
    return f"{reverse('matching:introductions')}?tab={tab}"


def _failed(form, exc: rules.IntroductionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


def _contact_form(form_class, request):
    user = request.user
    return form_class(request.POST or None, email=verified_email(user), phone=verified_phone(user))


@approved_member_required
def request_new(request, profile_id: int):
    her = match_profile_of(request.user)
    if her is None:
        return redirect("matching:landing")
    try:
        other = rules.meetable(her=her, profile_id=profile_id)
    except rules.IntroductionNotFound:
        raise Http404 from None
    except rules.IntroductionError as exc:
        messages.error(request, str(exc))
        return redirect(_page(rules.RECEIVED))
    form = _contact_form(RequestForm, request)
    if request.method == "POST" and form.is_valid():
        try:
            rules.introduction_send(sender=request.user, profile_id=other.pk, message=form.cleaned_data["message"],
                                    shares=form.shares)
        except rules.IntroductionNotFound:
            raise Http404 from None
        except rules.IntroductionError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("Your 相遇 request is sent. She has 14 days to answer."))
            return redirect(_page(rules.SENT))
    scored = score(her=her, candidate=other)
    shown = card(viewer=her, candidate=other, member=getattr(other.user, "profile", None), score=scored.score if scored else 0,
                 reasons=reasons_text(scored.reasons) if scored else "")
    return render(request, "matching/introductions/request.html", {"form": form, "c": shown})


@approved_member_required
def introductions(request):
    tab = request.GET.get("tab")
    tab = tab if tab in rules.TABS else rules.RECEIVED
    # Her match profile and the tab's rows in one round trip; the rows are dropped without it.
    page, (current,) = counted_page_with(rules.introductions_paged(user=request.user, tab=tab), PAGE_SIZE,
                                         request.GET.get("page"), match_profile_read(request.user))
    if current is None:
        return redirect("matching:landing")
    rows = introduction_rows(list(page), viewer=request.user, tab=tab)
    return render(request, "matching/introductions/list.html", {
        "tab": tab, "page": page, "rows": rows, "rows_html": rows_rendered(rows), "query": f"tab={tab}"})


def _hers(request, pk: int) -> Introduction:
    try:
        return rules.introduction_of(pk=pk, user=request.user)
    except rules.IntroductionNotFound:
        raise Http404 from None


@approved_member_required
def accept(request, pk: int):
    introduction = _hers(request, pk)
    if introduction.recipient_id != request.user.pk:
        raise Http404
    form = _contact_form(ShareForm, request)
    if request.method == "POST" and form.is_valid():
        try:
            rules.introduction_accept(pk=pk, user=request.user, shares=form.shares)
        except rules.IntroductionError as exc:
            messages.error(request, str(exc))
            return redirect(_page(rules.RECEIVED))
        messages.success(request, _("You are connected. Each of you now sees the contacts the other shared."))
        return redirect(_page(rules.CONNECTED))
    if not rules.may_answer(introduction, viewer=request.user):
        messages.error(request, _("This request can no longer be answered."))
        return redirect(_page(rules.RECEIVED))
    return render(request, "matching/introductions/accept.html", {
        "form": form, "introduction": introduction, "name": person_name(introduction.sender)})


@approved_member_required
def decline(request, pk: int):
    introduction = _hers(request, pk)
    if introduction.recipient_id != request.user.pk:
        raise Http404
    if request.method == "POST":
        try:
            rules.introduction_decline(pk=pk, user=request.user)
        except rules.IntroductionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("You declined. She is not told; to her the request simply expires."))
        return redirect(_page(rules.RECEIVED))
    if not rules.may_answer(introduction, viewer=request.user):
        messages.error(request, _("This request can no longer be answered."))
        return redirect(_page(rules.RECEIVED))
    return render(request, "matching/introductions/decline.html", {
        "introduction": introduction, "name": person_name(introduction.sender)})


@approved_member_required
def withdraw(request, pk: int):
    introduction = _hers(request, pk)
    if introduction.sender_id != request.user.pk:
        raise Http404
    if request.method == "POST":
        try:
            rules.introduction_withdraw(pk=pk, user=request.user)
        except rules.IntroductionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your request is withdrawn."))
        return redirect(_page(rules.SENT))
    if not rules.may_withdraw(introduction, viewer=request.user):
        messages.error(request, _("This request can no longer be withdrawn."))
        return redirect(_page(rules.SENT))
    return render(request, "matching/introductions/withdraw.html", {
        "introduction": introduction, "name": person_name(introduction.recipient)})
