"""The membership's and the organisations' figures for the staff dashboard and the monthly report.

Members at the end of the period: every profile created by then whose account was still open then
(``open_at``: an account deleted (注销) later still counts), by its status now; the approved ones
(approved by then) by category, field and city; new members (approved) per month of the period;
accounts deleted in the period.
Organisations: verified during the period, and verified by its end. Three aggregate queries.
"""

from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiangcheng.core.figures import Figure, Period, choice_series, figure_source, month_series

from .models import (
    AccountErasure,
    Category,
    City,
    Field,
    MemberProfile,
    Organisation,
    OrganisationStatus,
    Status,
)

MEMBERS_LABEL = gettext_lazy("Members")
ORGANISATIONS_LABEL = gettext_lazy("Organisations")


def open_at(end) -> Q:
    """Her account was open at ``end``: it is open now, or she deleted it (注销) after ``end``. An
    account closed by staff (inactive, no deletion) no longer counts."""
    return Q(user__is_active=True) | Q(user__erasure__requested_at__gte=end)


def members_figures(*, period: Period, using: str) -> list[Figure]:
    approved = Q(status=Status.APPROVED, reviewed_at__lt=period.end)
    kinds = {
        **{f"status_{v}": Count("pk", filter=Q(status=v)) for v in Status.values},
        **{f"category_{v}": Count("pk", filter=approved & Q(category=v)) for v in Category.values},
        **{f"field_{v}": Count("pk", filter=approved & Q(field=v)) for v in Field.values},
        **{f"city_{v}": Count("pk", filter=approved & Q(city=v)) for v in City.values},
    }
    # Her account's state is tested once per row (WHERE), not once per figure (FILTER).
    totals = MemberProfile.objects.using(using).filter(open_at(period.end), created_at__lt=period.end).aggregate(
        approved_total=Count("pk", filter=approved), **kinds)
    deleted = AccountErasure.objects.using(using).filter(requested_at__gte=period.start,
                                                          requested_at__lt=period.end).count()
    months: dict[date, int] = {
        row["month"].date(): row["n"]
        for row in MemberProfile.objects.using(using)
        .filter(status=Status.APPROVED, reviewed_at__gte=period.start, reviewed_at__lt=period.end)
        .annotate(month=TruncMonth("reviewed_at")).values("month").annotate(n=Count("pk")).order_by("month")
    }
    return [
        Figure(label=_("Approved members at the end of the period"), value=totals["approved_total"]),
        Figure(label=_("New members in the period"), value=sum(months.values())),
        Figure(label=_("Accounts deleted in the period"), value=deleted),
        choice_series(_("Members by status"), Status.choices,
                      {v: totals[f"status_{v}"] for v in Status.values}),
        choice_series(_("Members by category"), Category.choices,
                      {v: totals[f"category_{v}"] for v in Category.values}),
        choice_series(_("Members by field"), Field.choices, {v: totals[f"field_{v}"] for v in Field.values}),
        choice_series(_("Members by city"), City.choices, {v: totals[f"city_{v}"] for v in City.values}),
        month_series(_("New members per month"), period, months),
    ]


def organisations_figures(*, period: Period, using: str) -> list[Figure]:
    verified = Q(status=OrganisationStatus.VERIFIED)
    totals = Organisation.objects.using(using).aggregate(
        verified_in=Count("pk", filter=verified & Q(reviewed_at__gte=period.start, reviewed_at__lt=period.end)),
        verified_by=Count("pk", filter=verified & Q(reviewed_at__lt=period.end)),
        registered=Count("pk", filter=Q(created_at__gte=period.start, created_at__lt=period.end)),
    )
    return [
        Figure(label=_("Organisations registered in the period"), value=totals["registered"]),
        Figure(label=_("Organisations verified in the period"), value=totals["verified_in"]),
        Figure(label=_("Verified organisations at the end of the period"), value=totals["verified_by"]),
    ]


def register() -> None:
    """The membership's two areas of the staff dashboard (from ``ready``)."""
    figure_source(key="members", label=MEMBERS_LABEL, figures=members_figures, order=10)
    figure_source(key="organisations", label=ORGANISATIONS_LABEL, figures=organisations_figures, order=40)
