"""Service-request pages: members browse and respond; representatives post and answer.

Thin: each view parses input, calls one domain function (``requests``, ``responses``,
``request_digest``) and renders. Another organisation's requests and responses answer 404, as do
requests a member may not see; an organisation not (yet) verified cannot post (404).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from members.access import approved_member_required
from members.contacts import verified_email, verified_email_read, verified_phone
from members.organisations import may_post, posting_organisation, represented, represented_read
from xiangcheng.core.counted_pages import counted_page, counted_page_with
from xiangcheng.core.fragments import UnboundForm
from xiangcheng.core.shared_pages import kept_shared

from . import request_digest, requests, responses
from .models import RequestResponse, ServiceRequest
from .request_forms import ContactChoiceForm, RequestForm, RequestSearchForm, ResponseForm
from .request_queries import request_seen_by, requests_listed, requests_of_organisation, responses_to

PAGE_SIZE = 20


def _page(request, items):
    page = counted_page(items, PAGE_SIZE, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# --- members ---------------------------------------------------------------------------------------

def members_only(view):
    """Approved members only: a visitor is told so (with log-in and join links), a member not yet
    approved sees her application's status. Requests are posted to the alliance's members."""
    member_view = approved_member_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return render(request, "services/requests/members_only.html", status=200)
        return member_view(request, *args, **kwargs)

    return wrapper


def _her_field(request) -> str:
    return request.profile.field


@members_only
@kept_shared(members=_her_field)  # her field's requests come first
def request_list(request):
    form = RequestSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = requests_listed(q=filters.get("q", ""), category=filters.get("category", ""),
                            field=filters.get("field", ""), city=filters.get("city", ""),
                            her_field=request.profile.field)
    page, query = _page(request, found)
    return render(request, "services/requests/list.html",
                  {"form": form, "page": page, "query": query, "her_field": request.profile.field})


def _visible_request(request, pk: int) -> tuple[ServiceRequest, RequestResponse | None, str]:
    """The request, her response and her verified address (for the form), read together."""
    seen = request_seen_by(pk=pk, member=request.user, also=(verified_email_read(request.user),))
    if seen is None:
        raise Http404
    return seen


def _contacts(user, email: str | None = None) -> dict:
    """What her contact choices offer; ``email``: her verified address if already read (``verified_email``)."""
    return {"email": verified_email(user) if email is None else email, "phone": verified_phone(user)}


def _contact_form(user, form_class, data=None, *, email: str | None = None):
    return form_class(data, **_contacts(user, email))


def _response_form(user, email: str, data=None) -> ResponseForm:
    return _contact_form(user, ResponseForm, data, email=email)


def _detail(request, service_request, mine, email: str, form=None, status=200):
    if mine is None and form is None:
        # As first shown: made only if its fields (kept under her contacts) must be rendered.
        form = UnboundForm(ResponseForm, **_contacts(request.user, email))
    return render(request, "services/requests/detail.html", {
        "service_request": service_request, "mine": mine, "form": form,
        "contacts": responses.contacts_shown(responses=[mine], viewer=request.user)[mine.pk] if mine else [],
    }, status=status)


@members_only
def request_detail(request, pk: int):
    service_request, mine, email = _visible_request(request, pk)
    return _detail(request, service_request, mine, email)


@members_only
@require_POST
def request_respond(request, pk: int):
    service_request, mine, email = _visible_request(request, pk)
    if mine is not None:
        messages.error(request, _("You have already responded to this request."))
        return redirect(service_request)
    form = _response_form(request.user, email, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            responses.response_create(service_request=service_request, member=request.user, message=data["message"],
                                      share_email=data.get("share_email", False),
                                      share_phone=data.get("share_phone", False))
        except responses.ResponseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your response is sent. The organisation will answer on this page."))
            return redirect(service_request)
    return _detail(request, service_request, mine, email, form=form, status=400)


# --- the weekly digest ---------------------------------------------------------------------------

@login_required
def digest_settings(request):
    if request.method == "POST":
        if request.POST.get("digest") == "on":
            request_digest.digest_opt_in(user=request.user)
            messages.success(request, _("You will receive the weekly digest of new requests in your field."))
        else:
            request_digest.digest_opt_out(user_id=request.user.pk)
            messages.success(request, _("You will no longer receive the weekly digest."))
        return redirect("services:request_digest")
    return render(request, "services/requests/digest_settings.html",
                  {"opted_out": request_digest.digest_opted_out(request.user)})


@require_http_methods(["GET", "POST"])
def digest_stop(request, token: str):
    """The email's link, no login: it asks first and opts out only on the button (a POST), since
    mail scanners open links. A changed or forged token changes nothing."""
    if request.method == "POST":
        account = request_digest.digest_opt_out_by_token(token=token)
    else:
        account = request_digest.digest_token_account(token=token)
    if account is None:
        return render(request, "services/requests/digest_stopped.html", {"refused": True}, status=400)
    return render(request, "services/requests/digest_stopped.html", {"done": request.method == "POST"})


# --- the organisation ------------------------------------------------------------------------------

@login_required
def organisation_requests(request, organisation: int):
    page, (org,) = counted_page_with(requests_of_organisation(organisation), PAGE_SIZE, request.GET.get("page"),
                                     represented_read(user=request.user, pk=organisation))
    if org is None:
        raise Http404
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "services/requests/organisation_list.html",
                  {"organisation": org, "page": page, "query": query.urlencode(), "may_post": may_post(org)})


def _own_request(request, organisation: int, pk: int) -> ServiceRequest:
    org = represented(user=request.user, pk=organisation)
    return get_object_or_404(ServiceRequest.objects.select_related("organisation"), pk=pk, organisation=org)


@login_required
def organisation_request_new(request, organisation: int):
    org = posting_organisation(user=request.user, pk=organisation)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service_request = requests.request_create(organisation=org, author=request.user, data=form.cleaned_data,
                                                      submit="submit" in request.POST)
        except requests.RequestError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Sent for review.") if "submit" in request.POST else _("Draft saved."))
            return redirect("services:organisation_request", org.pk, service_request.pk)
    return render(request, "services/requests/form.html", {"form": form, "organisation": org},
                  status=400 if form.errors else 200)


@login_required
def organisation_request_edit(request, organisation: int, pk: int):
    org = posting_organisation(user=request.user, pk=organisation)
    service_request = _own_request(request, org.pk, pk)
    initial = requests.pending_values(service_request)
    form = RequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            requests.request_edit(service_request=service_request, author=request.user, data=form.cleaned_data,
                                  submit="submit" in request.POST)
        except requests.RequestError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your changes are saved. A published request shows them once staff "
                                        "approve them.") if service_request.status == "published"
                             else _("Your changes are saved."))
            return redirect("services:organisation_request", org.pk, service_request.pk)
    return render(request, "services/requests/form.html",
                  {"form": form, "organisation": org, "service_request": service_request},
                  status=400 if form.errors else 200)


@login_required
def organisation_request(request, organisation: int, pk: int):
    service_request = _own_request(request, organisation, pk)
    page, query = _page(request, responses_to(service_request))
    shown = responses.contacts_shown(responses=list(page), viewer=request.user)
    for answer in page:
        answer.contacts = shown[answer.pk]
    return render(request, "services/requests/organisation_detail.html", {
        "service_request": service_request, "organisation": service_request.organisation, "page": page,
        "query": query, "may_post": may_post(service_request.organisation),
    })


@login_required
@require_POST
def organisation_request_submit(request, organisation: int, pk: int):
    org = posting_organisation(user=request.user, pk=organisation)
    service_request = _own_request(request, org.pk, pk)
    try:
        requests.request_submit(service_request=service_request, actor=request.user)
        messages.success(request, _("Sent for review."))
    except requests.RequestError as exc:
        messages.error(request, str(exc))
    return redirect("services:organisation_request", org.pk, service_request.pk)


@login_required
def organisation_request_close(request, organisation: int, pk: int):
    service_request = _own_request(request, organisation, pk)
    if request.method == "POST":
        try:
            requests.request_close(service_request=service_request, actor=request.user)
            messages.success(request, _("The request is closed."))
        except requests.RequestError as exc:
            messages.error(request, str(exc))
        return redirect("services:organisation_request", organisation, service_request.pk)
    return render(request, "services/requests/confirm.html", {
        "service_request": service_request, "action": "close",
        "question": _("Close this request? Members will no longer see it or respond."),
        "button": _("Close the request")})


def _own_response(request, organisation: int, pk: int, response: int) -> RequestResponse:
    service_request = _own_request(request, organisation, pk)
    return get_object_or_404(RequestResponse.objects.select_related("member__profile", "request"),
                             Q(request=service_request), pk=response)


@login_required
def response_accept(request, organisation: int, pk: int, response: int):
    answer = _own_response(request, organisation, pk, response)
    form = _contact_form(request.user, ContactChoiceForm, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            responses.response_accept(response=answer, representative=request.user,
                                      share_email=form.cleaned_data.get("share_email", False),
                                      share_phone=form.cleaned_data.get("share_phone", False))
            messages.success(request, _("Accepted. You now see the contacts she agreed to share."))
        except responses.ResponseError as exc:
            messages.error(request, str(exc))
        return redirect("services:organisation_request", organisation, pk)
    return render(request, "services/requests/confirm.html", {
        "service_request": answer.request, "answer": answer, "action": "accept", "form": form,
        "question": _("Accept the response of %(name)s? Choose which of your contacts she may see.")
        % {"name": answer.member.profile.real_name},
        "button": _("Accept")})


@login_required
def response_decline(request, organisation: int, pk: int, response: int):
    answer = _own_response(request, organisation, pk, response)
    if request.method == "POST":
        try:
            responses.response_decline(response=answer, representative=request.user)
            messages.success(request, _("Declined. She is told."))
        except responses.ResponseError as exc:
            messages.error(request, str(exc))
        return redirect("services:organisation_request", organisation, pk)
    return render(request, "services/requests/confirm.html", {
        "service_request": answer.request, "answer": answer, "action": "decline",
        "question": _("Decline the response of %(name)s?") % {"name": answer.member.profile.real_name},
        "button": _("Decline")})
