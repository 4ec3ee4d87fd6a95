"""The services' figures for the staff dashboard and the monthly report: the 巾帼管家 inbox,
相链她科企 (service requests and jobs) and the calls (contests, programmes, honours).

Each area is a few aggregate queries over the period's rows, whatever their number:

- inbox: tickets submitted in the period, by category; of those answered, the median wait for
  the first answer (``stats.Median``, as the inbox's own statistics), the share answered within
  the category's deadline, and the average rating given;
- enterprise: requests published, responses sent, requests that had one, responses accepted;
  jobs published and applications made — each counted by when it happened in the period;
- calls: calls open on the period's last day (``Call.objects.open``, the one "open" rule) and
  published in the period; applications submitted; decisions taken in the period by result.
"""

from datetime import UTC, datetime, timedelta

from django.db.models import Avg, Count, F, Q
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiangcheng.core.figures import Figure, Period, choice_series, figure_source, share_text

from .call_models import Call, CallApplication, CallApplicationStatus
from .models import Application, Category, Job, Ticket
from .request_models import RequestResponse, ResponseStatus, ServiceRequest
from .stats import Median

INBOX_LABEL = gettext_lazy("巾帼管家 inbox")
ENTERPRISE_LABEL = gettext_lazy("Service requests and jobs")
CALLS_LABEL = gettext_lazy("Calls")

# The decisions a call's review reports, in the order of the review.
DECISIONS = [CallApplicationStatus.SHORTLISTED, CallApplicationStatus.NOT_SHORTLISTED,
             CallApplicationStatus.RECOMMENDED, CallApplicationStatus.SELECTED,
             CallApplicationStatus.AWARDED, CallApplicationStatus.NOT_SELECTED]


def _within(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def _wait_text(wait: timedelta | None) -> str:
    if wait is None:
        return "—"
    start = datetime(2000, 1, 1, tzinfo=UTC)
    return timesince(start, start + wait, depth=2)


def inbox_figures(*, period: Period, using: str) -> list[Figure]:
    answered = Q(first_response_at__isnull=False)
    totals = Ticket.objects.using(using).filter(_within(period, "created_at")).aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=answered),
        within=Count("pk", filter=Q(first_response_at__lte=F("due_at"))),
        median=Median(F("first_response_at") - F("created_at")),
        average_rating=Avg("rating"),
        rated=Count("rating"),
        **{f"category_{c}": Count("pk", filter=Q(category=c)) for c in Category.values},
    )
    share, share_shown = share_text(totals["within"], totals["answered"])
    median = totals["median"]
    rating = round(totals["average_rating"], 2) if totals["average_rating"] is not None else None
    return [
        Figure(label=_("Tickets submitted"), value=totals["total"]),
        Figure(label=_("Tickets answered"), value=totals["answered"]),
        Figure(label=_("Median wait for the first answer (hours)"),
               value=round(median.total_seconds() / 3600, 1) if median is not None else None,
               text=_wait_text(median)),
        Figure(label=_("Answered within the deadline"), value=share, text=share_shown),
        Figure(label=_("Average rating (1–5)"), value=rating, text=f"{rating:.2f}" if rating is not None else "—"),
        Figure(label=_("Ratings given"), value=totals["rated"]),
        choice_series(_("Tickets by category"), Category.choices,
                      {c: totals[f"category_{c}"] for c in Category.values}),
    ]


def enterprise_figures(*, period: Period, using: str) -> list[Figure]:
    published = ServiceRequest.objects.using(using).filter(_within(period, "published_at")).count()
    responses = RequestResponse.objects.using(using).aggregate(
        sent=Count("pk", filter=_within(period, "created_at")),
        requests=Count("request", filter=_within(period, "created_at"), distinct=True),
        accepted=Count("pk", filter=Q(status=ResponseStatus.ACCEPTED) & _within(period, "decided_at")),
    )
    jobs = Job.objects.using(using).filter(_within(period, "published_at")).count()
    applications = Application.objects.using(using).filter(_within(period, "created_at")).count()
    return [
        Figure(label=_("Service requests published"), value=published),
        Figure(label=_("Responses sent"), value=responses["sent"]),
        Figure(label=_("Requests that received a response"), value=responses["requests"]),
        Figure(label=_("Responses accepted"), value=responses["accepted"]),
        Figure(label=_("Jobs published"), value=jobs),
        Figure(label=_("Job applications"), value=applications),
        Figure(label=_("Service requests and jobs"), points=(
            (_("Requests published"), published), (_("Responses sent"), responses["sent"]),
            (_("Responses accepted"), responses["accepted"]), (_("Jobs published"), jobs),
            (_("Job applications"), applications))),
    ]


def calls_figures(*, period: Period, using: str) -> list[Figure]:
    open_on_last_day = Call.objects.using(using).open(period.end - timedelta(microseconds=1)).count()
    published = Call.objects.using(using).filter(_within(period, "published_at")).count()
    decided = _within(period, "decided_at")
    totals = CallApplication.objects.using(using).aggregate(
        submitted=Count("pk", filter=_within(period, "submitted_at")),
        **{f"decided_{s.value}": Count("pk", filter=decided & Q(status=s)) for s in DECISIONS},
    )
    labels = dict(CallApplicationStatus.choices)
    return [
        Figure(label=_("Calls open on the last day"), value=open_on_last_day),
        Figure(label=_("Calls published"), value=published),
        Figure(label=_("Applications submitted"), value=totals["submitted"]),
        Figure(label=_("Recommended"), value=totals["decided_recommended"]),
        Figure(label=_("Selected or awarded"), value=totals["decided_selected"]
               + totals["decided_awarded"]),
        choice_series(_("Decisions by result"), [(s.value, labels[s]) for s in DECISIONS],
                      {s.value: totals[f"decided_{s.value}"] for s in DECISIONS}),
    ]


def register() -> None:
    """The services' areas of the staff dashboard (from ``ready``)."""
    figure_source(key="inbox", label=INBOX_LABEL, figures=inbox_figures, order=30)
    figure_source(key="enterprise", label=ENTERPRISE_LABEL, figures=enterprise_figures, order=50)
    figure_source(key="calls", label=CALLS_LABEL, figures=calls_figures, order=70)
