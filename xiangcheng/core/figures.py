"""The figures staff report upwards, supplied by each app for a range of days.

The dashboard and the monthly report know no app: each app registers its areas (in its
AppConfig's ``ready``), each with a function that answers the area's figures for a period:

    figure_source(key="events", label=_("Events"), order=20, figures=events_figures)

    def events_figures(*, period: Period, using: str) -> list[Figure]: ...

A source reads with ``.using(using)`` — the reports' database, the read replica when one is
configured (``replica.py``) — and runs a constant, small number of aggregate queries however
many rows the period holds. A figure is a number (``value``, with its ``text`` as shown) or a
series of labelled numbers (``points``), drawn as a bar chart. The dashboard shows a period's
figures as counted in the background and kept (``dashboard_figures``); the monthly report always
counts afresh.
"""

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from celery import current_app
from celery.result import EagerResult
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

from . import fragments
from .charts import areas_drawn
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


# The dashboard never counts on a request: a period's figures are counted by the
# ``count_dashboard_figures`` task (the reports' queue; about 1.3–1.8 s at volume while several
# staff ask for different periods) and kept. A kept count is shown at once; once it is older than
# ``DASHBOARD_FRESH_SECONDS`` it is still shown while a new one is asked for. One count of a
# period runs at a time; if a count is lost (a worker stopped), it is asked for again after
# ``DASHBOARD_COUNTING_SECONDS``. A count that failed is asked for again after
# ``DASHBOARD_RETRY_SECONDS``, not at each reload of the page (each count is seconds of the
# reports' database).
DASHBOARD_FRESH_SECONDS = 300
DASHBOARD_KEPT_SECONDS = 7 * 24 * 3600
DASHBOARD_COUNTING_SECONDS = 120
DASHBOARD_RETRY_SECONDS = 60
COUNT_TASK = "xiangcheng.core.tasks.count_dashboard_figures"
# What the mark beside a count's key says.
COUNTING, FAILED = "counting", "failed"


@dataclass(frozen=True)
class Counted:
    """Every area's figures for a period, drawn as the dashboard shows them, and when they were
    counted."""

    at: datetime
    drawn: str


@dataclass(frozen=True)
class Shown:
    """What the dashboard shows of a period: its latest count (None until there is one), whether
    a new count is on its way, or whether the last one failed (and waits to be asked again)."""

    counted: Counted | None
    counting: bool
    failed: bool = False

    @property
    def state(self) -> tuple:
        """What a page showing it depends on: which count, and what is said of the next one."""
        return (self.counted.at if self.counted else None, self.counting, self.failed)


def dashboard_key(period: Period, language: str | None = None) -> str:
    """Where the period's count is kept, per language (the labels are text) and per release (a
    count kept by the release before a deploy is drawn by its templates and may not be read by
    the next one's code)."""
    digest = hashlib.sha256(fragments.release().encode()).hexdigest()[:16]
    return f"dashboard-figures:{digest}:{period.first:%Y%m%d}-{period.last:%Y%m%d}:{language or get_language()}"


def dashboard_counting_key(key: str) -> str:
    """The mark, beside a count's key, that a count of it is on its way."""
    return f"{key}:counting"


def counted_fresh(counted: Counted, now: datetime | None = None) -> bool:
    """The count is recent enough to show without asking for a new one."""
    return ((now or timezone.now()) - counted.at).total_seconds() < DASHBOARD_FRESH_SECONDS


def dashboard_figures(period: Period) -> Shown:
    """The dashboard's figures for the period: the kept count, with a new count asked for when
    there is none or it is no longer fresh (unless one is already on its way)."""
    key = dashboard_key(period)
    mark = dashboard_counting_key(key)
    kept = cache.get_many([key, mark])  # one round trip for what a reload usually needs
    counted, marked = kept.get(key), kept.get(mark)
    if counted is not None and counted_fresh(counted):
        return Shown(counted=counted, counting=False)
    if marked == FAILED:
        return Shown(counted=counted, counting=False, failed=True)
    if marked is None and cache.add(mark, COUNTING, DASHBOARD_COUNTING_SECONDS):
        try:
            asked = current_app.tasks[COUNT_TASK].delay(first=period.first.isoformat(), last=period.last.isoformat(),
                                                        language=get_language())
        except OperationalError:
            # The page reloads itself and asks again, instead of waiting for the mark to lapse.
            logger.exception("could not ask for the dashboard's count of %s", key)
            cache.delete(mark)
        else:
            # Tasks run inline: the count is done and kept. A worker's shows when the page reloads
            # itself (asking the cache again here found it done only when the worker was quicker
            # than this request, and cost every request a round trip).
            if isinstance(asked, EagerResult):
                counted = cache.get(key) or counted
    return Shown(counted=counted, counting=counted is None or not counted_fresh(counted))


def dashboard_count(*, period: Period, language: str) -> Counted:
    """Count the period's figures in ``language`` and keep them for the dashboard (the task)."""
    key = dashboard_key(period, language)
    try:
        with translation.override(language):
            counted = Counted(at=timezone.now(), drawn=areas_drawn(all_figures(period)))
    except Exception:
        # The task fails (and is logged) as it would; the mark says so for a while, and the page
        # asks for a new count only once it has lapsed.
        cache.set(dashboard_counting_key(key), FAILED, DASHBOARD_RETRY_SECONDS)
        raise
    cache.set(key, counted, DASHBOARD_KEPT_SECONDS)
    cache.delete(dashboard_counting_key(key))
    return counted
