"""遇见's figures for the staff dashboard and the monthly report: who takes part, and the
introductions asked for and accepted. Counts only — never who asked whom. Two aggregate queries.

Participants are the profiles taking part now that joined by the period's end; an introduction
counts when it was sent in the period, and as accepted when it was accepted in the period.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiangcheng.core.figures import Figure, Period, figure_source

from .models import Introduction, IntroductionStatus, MatchProfile, MatchStatus

MEET_LABEL = gettext_lazy("遇见")


def meet_figures(*, period: Period, using: str) -> list[Figure]:
    joined = MatchProfile.objects.using(using).aggregate(
        participants=Count("pk", filter=Q(status=MatchStatus.ACTIVE, joined_at__lt=period.end)),
        new=Count("pk", filter=Q(joined_at__gte=period.start, joined_at__lt=period.end)),
    )
    introductions = Introduction.objects.using(using).aggregate(
        sent=Count("pk", filter=Q(created_at__gte=period.start, created_at__lt=period.end)),
        accepted=Count("pk", filter=Q(status=IntroductionStatus.ACCEPTED, answered_at__gte=period.start,
                                      answered_at__lt=period.end)),
    )
    return [
        Figure(label=_("Participants at the end of the period"), value=joined["participants"]),
        Figure(label=_("Joined in the period"), value=joined["new"]),
        Figure(label=_("Introductions requested"), value=introductions["sent"]),
        Figure(label=_("Introductions accepted"), value=introductions["accepted"]),
        Figure(label=_("Introductions"), points=((_("Requested"), introductions["sent"]),
                                                 (_("Accepted"), introductions["accepted"]))),
    ]


def register() -> None:
    """遇见's area of the staff dashboard (from ``ready``)."""
    figure_source(key="meet", label=MEET_LABEL, figures=meet_figures, order=60)
