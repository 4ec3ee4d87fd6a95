"""The figures staff report upwards, supplied by each app for a range of days.

The dashboard and the monthly report know no app: each app registers its areas (in its
AppConfig's ``ready``), each with a function that answers the area's figures for a period:

    figure_source(key="events", label=_("Events"), order=20, figures=events_figures)

    def events_figures(*, period: Period, using: str) -> list[Figure]: ...

A source reads with ``.using(using)`` — the reports' database, the read replica when one is
configured (``replica.py``) — and runs a constant, small number of aggregate queries however
many rows the period holds. A figure is a number (``value``, with its ``text`` as shown) or a
series of labelled numbers (``points``), drawn as a bar chart. The dashboard keeps a period's
figures a few minutes (``dashboard_figures``); the monthly report always counts afresh.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .replica import report_read

logger = logging.getLogger(__name__)


class PeriodError(ValueError):
    """A period staff asked for that cannot be reported (reversed, too long)."""


# The longest period a dashboard or report covers: ten years of months is already a long chart.
LONGEST_PERIOD_DAYS = 3661


@dataclass(frozen=True)
class Period:
    """Local days ``first``..``last`` (both included, Asia/Shanghai); ``start``/``end`` the instants
    bounding them (``start`` <= t < ``end``), which is what a query compares stored UTC times with."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    def months(self) -> list[date]:
        """The first day of each month the period touches, in order."""
        months, month = [], self.first.replace(day=1)
        while month <= self.last:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months


def period_make(*, first: date, last: date) -> Period:
    """The period, or ``PeriodError`` with a message staff read."""
    if last < first:
        raise PeriodError(_("The last day is before the first day."))
    if (last - first).days >= LONGEST_PERIOD_DAYS:
        raise PeriodError(_("A period may cover at most ten years."))
    return Period(first=first, last=last)


def this_month(now: datetime | None = None) -> Period:
    """The default period: the first day of this month through today, local dates."""
    today = timezone.localdate(now or timezone.now())
    return Period(first=today.replace(day=1), last=today)


@dataclass(frozen=True)
class Figure:
    """One reported figure: a number (``value``; ``text`` as shown, e.g. "85%") or a series."""

    label: str
    value: int | float | None = None
    text: str = ""
    points: Sequence[tuple[str, int | float]] = field(default_factory=tuple)
    over_time: bool = False  # the points are consecutive months: drawn as columns, not bars

    @property
    def is_series(self) -> bool:
        return bool(self.points)

    @property
    def shown(self) -> str:
        if self.text:
            return self.text
        return "—" if self.value is None else str(self.value)


def share_text(part: int, whole: int) -> tuple[float | None, str]:
    """A share as a fraction (0..1, for a spreadsheet) and as a percentage (for the page)."""
    if not whole:
        return None, "—"
    share = part / whole
    return round(share, 4), f"{share:.0%}"


def month_series(label: str, period: Period, counts: dict[date, int]) -> Figure:
    """A per-month series over the period's months; ``counts`` keyed by each month's first day."""
    return Figure(label=label, points=tuple((m.strftime("%Y-%m"), counts.get(m, 0)) for m in period.months()),
                  over_time=True)


def choice_series(label: str, choices: Sequence[tuple[str, object]], counts: dict[str, int]) -> Figure:
    """A series over a field's choices, in the choices' order, each with its (translated) label."""
    return Figure(label=label, points=tuple((str(name), counts.get(value, 0)) for value, name in choices))


@dataclass(frozen=True)
class FigureSource:
    key: str
    label: object
    figures: Callable[..., list[Figure]]
    order: int = 100


@dataclass(frozen=True)
class Area:
    """One source's figures for a period: a section of the dashboard, a sheet of the report."""

    key: str
    label: str
    figures: list[Figure]


_sources: dict[str, FigureSource] = {}


def figure_source(*, key: str, label, figures: Callable[..., list[Figure]], order: int = 100) -> None:
    """Register an area: ``figures(period=, using=)`` answers its figures."""
    _sources[key] = FigureSource(key=key, label=label, figures=figures, order=order)


def figure_sources() -> list[FigureSource]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.key))


def area_figures(source: FigureSource, period: Period) -> Area:
    """One area's figures, read from the reports' database (the primary if the replica is down)."""
    figures = report_read(lambda alias: source.figures(period=period, using=alias))
    return Area(key=source.key, label=str(source.label), figures=figures)


def all_figures(period: Period) -> list[Area]:
    """Every registered area's figures for the period, in order."""
    return [area_figures(source, period) for source in figure_sources()]


# A period's figures are counted once for every staff member who opens the dashboard within this
# time (on the bulk data one count takes about 180 ms, nearly all of it the aggregates).
DASHBOARD_KEPT_SECONDS = 300


@dataclass(frozen=True)
class Counted:
    """Every area's figures for a period, and when they were counted."""

    at: datetime
    areas: list[Area]


def dashboard_key(period: Period) -> str:
    """Where the period's count is kept, per language (the labels are text)."""
    return f"dashboard-figures:{period.first:%Y%m%d}-{period.last:%Y%m%d}:{get_language()}"


def dashboard_figures(period: Period) -> Counted:
    """The dashboard's figures for the period: counted now, or kept from a count less than
    ``DASHBOARD_KEPT_SECONDS`` ago."""
    key = dashboard_key(period)
    counted = cache.get(key)
    if counted is None:
        counted = Counted(at=timezone.now(), areas=all_figures(period))
        cache.set(key, counted, DASHBOARD_KEPT_SECONDS)
    return counted
