"""The events' figures for the staff dashboard and the monthly report.

An event counts for the period it starts in (published, not cancelled). Its sign-ups are the
confirmed registrations (checked in or not); the attendance rate is the checked-in share of
them; childcare places used are the children of those confirmed registrations. Three aggregate
queries, whatever the number of events and registrations.
"""

from datetime import date

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiangcheng.core.figures import Figure, Period, choice_series, figure_source, month_series, share_text

from .models import Event, EventStatus, Kind, Registration, RegistrationStatus

EVENTS_LABEL = gettext_lazy("Events")


def _held(period: Period) -> Q:
    return Q(status=EventStatus.PUBLISHED, starts_at__gte=period.start, starts_at__lt=period.end)


def events_figures(*, period: Period, using: str) -> list[Figure]:
    events = Event.objects.using(using).filter(_held(period))
    by_kind = events.aggregate(total=Count("pk"), **{f"kind_{k}": Count("pk", filter=Q(kind=k)) for k in Kind.values})
    months: dict[date, int] = {
        row["month"].date(): row["n"]
        for row in events.annotate(month=TruncMonth("starts_at")).values("month").annotate(n=Count("pk"))
        .order_by("month")
    }
    confirmed = Registration.objects.using(using).filter(
        status=RegistrationStatus.CONFIRMED, event__status=EventStatus.PUBLISHED,
        event__starts_at__gte=period.start, event__starts_at__lt=period.end)
    seats = confirmed.aggregate(signups=Count("pk"), attended=Count("pk", filter=Q(checked_in_at__isnull=False)),
                                children=Sum("children_count"))
    rate, rate_text = share_text(seats["attended"], seats["signups"])
    return [
        Figure(label=_("Events held"), value=by_kind["total"]),
        Figure(label=_("Sign-ups (confirmed)"), value=seats["signups"]),
        Figure(label=_("Checked in"), value=seats["attended"]),
        Figure(label=_("Attendance rate"), value=rate, text=rate_text),
        Figure(label=_("Childcare places used"), value=seats["children"] or 0),
        choice_series(_("Events by kind"), Kind.choices, {k: by_kind[f"kind_{k}"] for k in Kind.values}),
        month_series(_("Events per month"), period, months),
    ]


def register() -> None:
    """The events' area of the staff dashboard (from ``ready``)."""
    figure_source(key="events", label=EVENTS_LABEL, figures=events_figures, order=20)
