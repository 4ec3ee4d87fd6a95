from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiangcheng.core.counted_pages import counted_page
from xiangcheng.core.fragments import UnboundForm
from xiangcheng.core.reversed_urls import reversed_url
from xiangcheng.core.shared_pages import kept_shared

from . import booking, calendar, checkin
from .forms import CheckinSearchForm, EventFilterForm, SignUpForm
from .models import Registration, RegistrationStatus
from .queries import event_page, events_listed, events_visible, my_registrations

EVENTS_PAGE_SIZE = 10


@kept_shared(members=True)
def event_list(request, past: bool = False):
    form = EventFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = events_listed(viewer=request.user, past=past, programme=filters.get("programme", ""),
                           kind=filters.get("kind", ""), month=filters.get("month"), q=filters.get("q", ""))
    page = counted_page(events, EVENTS_PAGE_SIZE, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "events/event_list.html",
                  {"form": form, "page": page, "query": query.urlencode(), "past": past})


def _detail_context(request, event, registration, form=None):
    reason = None
    if registration is None:
        try:
            if request.user.is_authenticated:
                booking.can_sign_up(event=event, user=request.user)
            else:
                booking.registration_open(event=event)  # no "log in" button for a closed event
        except booking.BookingError as exc:
            reason = str(exc)
        if reason is None and not event.seats_left and not event.takes_more_when_full:
            reason = _("This event is full.")  # not a "join the waitlist" button that cannot work
    return {
        "event": event, "registration": registration, "reason": reason,
        "position": booking.waitlist_position(registration) if registration else None,
        "seats_left": event.seats_left,
        "can_cancel": bool(registration and booking.cancellation_open(event)),
        "form": form or UnboundForm(SignUpForm),  # made only if its fields must be rendered
    }


def _event_shown(request, pk: int):
    """The event and her registration that is not cancelled (None for a visitor); 404 if she may not see it."""
    event, registration = event_page(pk=pk, viewer=request.user)
    if event is None:
        raise Http404
    return event, registration


def event_detail(request, pk: int):
    return render(request, "events/event_detail.html", _detail_context(request, *_event_shown(request, pk)))


@login_required
@require_POST
def event_sign_up(request, pk: int):
    # The event is read once, under the sign-up's hold. A refusal shows its page, which answers 404
    # to anyone who may not see the event (sign-up refuses a draft to all and a circle's event to
    # those outside it; one who already has a registration is given hers, as on any second press).
    form = SignUpForm(request.POST)
    if form.is_valid():
        try:
            registration = booking.sign_up(event_id=pk, user=request.user,
                                           children_ages=form.cleaned_data["children_ages"],
                                           children_consent=form.cleaned_data["children_consent"])
        except booking.ChildcareConsentMissing as exc:
            form.add_error("children_consent", str(exc))
        except booking.BookingError as exc:
            form.add_error(None, str(exc))
        else:
            text = {
                RegistrationStatus.CONFIRMED: _("You are signed up. A confirmation is on its way."),
                RegistrationStatus.WAITLISTED: _("The event is full: you are on the waitlist."),
                RegistrationStatus.PENDING: _("Your sign-up is awaiting the organisers' approval."),
            }[registration.status]
            messages.success(request, text)
            return redirect(reversed_url("events:detail", kwargs={"pk": pk}))
    return render(request, "events/event_detail.html", _detail_context(request, *_event_shown(request, pk), form),
                  status=400)


def _own_registration(request, pk: int) -> Registration:
    # Another member's registration answers 404, as if it did not exist.
    return get_object_or_404(Registration.objects.select_related("event__venue", "event__programme", "user__profile"),
                             pk=pk, user=request.user)


@login_required
def registration_cancel(request, pk: int):
    registration = _own_registration(request, pk)
    if not registration.is_active:
        raise Http404
    if request.method == "POST":
        try:
            booking.cancel(registration=registration, user=request.user)
        except booking.BookingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your registration is cancelled."))
        return redirect(reversed_url("events:mine"))
    return render(request, "events/registration_cancel.html", {"registration": registration})


@login_required
def registration_ticket(request, pk: int):
    registration = _own_registration(request, pk)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Http404
    return render(request, "events/ticket.html",
                  {"registration": registration, "qr_svg": checkin.ticket_qr_svg(registration)})


@login_required
def my_events(request):
    page, (feed,) = my_registrations(request.user, page=request.GET.get("page"), also=(calendar.feed_read(request.user),))
    return render(request, "events/my_events.html", {
        "page": page,
        "feed_url": request.build_absolute_uri(reverse("events:feed", args=[calendar.feed_token(request.user, feed)])),
    })


def event_ics(request, pk: int):
    event = get_object_or_404(events_visible(viewer=request.user), pk=pk)
    response = HttpResponse(calendar.event_ics(event=event, user=request.user),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    response["Cache-Control"] = "private"  # hers may carry the meeting link
    return response


def feed(request, token: str):
    user = calendar.feed_user(token)
    if user is None:
        raise Http404
    return HttpResponse(calendar.feed_ics(user), content_type="text/calendar; charset=utf-8")


@login_required
@require_POST
def feed_reset(request):
    calendar.feed_reset(request.user)
    messages.success(request, _("Your calendar link is new; the old one no longer works."))
    return redirect(reversed_url("events:mine"))


CHECKIN_PERMISSION = "events.checkin_registration"


def checkin_staff_required(view):
    """Visitors log in; a logged-in account without the check-in permission gets a page that
    says so (403), never the login page again: that would send her straight back here."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(CHECKIN_PERMISSION):
            return _checkin_refused(request, token=kwargs.get("token"))
        return view(request, *args, **kwargs)

    return wrapper


def _checkin_refused(request, *, token: str | None):
    """A member who scans her own ticket is told what it is for; anyone else, that only event
    staff check people in (whether the code is valid is not said)."""
    if token is not None:
        try:
            registration = checkin.registration_from_token(token)
        except checkin.CheckinError:
            registration = None
        if registration is not None and registration.user_id == request.user.pk:
            return render(request, "events/checkin_result.html", {"own": registration})
    return render(request, "events/checkin_result.html", {"forbidden": True}, status=403)


@checkin_staff_required
def checkin_scan(request, token: str):
    try:
        registration = checkin.registration_from_token(token)
    except checkin.CheckinError as exc:
        return render(request, "events/checkin_result.html", {"error": str(exc)}, status=400)
    context = {"registration": registration}
    if request.method == "POST":
        try:
            checkin.check_in(registration=registration, staff=request.user)
            context["done"] = True
        except checkin.AlreadyCheckedIn as exc:
            context["already"] = exc.at
        except checkin.CheckinError as exc:
            context["error"] = str(exc)
    elif registration.checked_in_at:
        context["already"] = registration.checked_in_at
    return render(request, "events/checkin_result.html", context)


@checkin_staff_required
def checkin_list(request, pk: int):
    event = get_object_or_404(events_visible(viewer=request.user), pk=pk)
    form = CheckinSearchForm(request.GET or None)
    registrations = (event.registrations.filter(status=RegistrationStatus.CONFIRMED)
                     .select_related("user__profile").order_by("user__profile__real_name", "pk"))
    if form.is_valid() and form.cleaned_data["q"]:
        registrations = registrations.filter(user__profile__real_name__icontains=form.cleaned_data["q"])
    if request.method == "POST":
        chosen = request.POST.get("registration", "")
        if not chosen.isdecimal():  # bad input is a 404, never a 500
            raise Http404
        registration = get_object_or_404(registrations, pk=int(chosen))
        try:
            checkin.check_in(registration=registration, staff=request.user)
            messages.success(request, _("%(name)s is checked in.") % {"name": registration.user.profile.real_name})
        except checkin.AlreadyCheckedIn as exc:
            messages.info(request, _("Already checked in at %(at)s.") % {"at": timezone.localtime(exc.at).strftime("%H:%M")})
        except checkin.CheckinError as exc:  # she cancelled since the list was shown
            messages.error(request, str(exc))
        return redirect(request.get_full_path())
    page = counted_page(registrations, 50, request.GET.get("page"))
    attended, confirmed = checkin.attendance(event)
    return render(request, "events/checkin_list.html",
                  {"event": event, "form": form, "page": page, "attended": attended, "confirmed": confirmed})
