"""Shared by the dashboard's figure tests: the period (December 2026 in Xiangcheng), the instants
either side of its two local midnights, the clock just after it, and a reader of an area's figures."""

from datetime import UTC, date, datetime

import time_machine

from xiangcheng.core.figures import Figure, Period

DECEMBER = Period(first=date(2026, 12, 1), last=date(2026, 12, 31))
# 23:59:59 on 30 November in Xiangcheng (outside), 00:00 on 1 December (inside), the period's
# last second, and 00:00 on New Year's Day (outside). UTC is still on the day before at each.
BEFORE = datetime(2026, 11, 30, 15, 59, 59, tzinfo=UTC)
FIRST = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
LAST = datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)
AFTER = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
# Twenty past midnight on New Year's Day in Xiangcheng: the period has just ended.
NOW = datetime(2026, 12, 31, 16, 20, tzinfo=UTC)


def pinned():
    return time_machine.travel(NOW, tick=False)


def by_label(figures: list[Figure]) -> dict[str, object]:
    """Each figure's value (or its points, for a series), by label."""
    return {f.label: (list(f.points) if f.is_series else f.value) for f in figures}


def texts(figures: list[Figure]) -> dict[str, str]:
    return {f.label: f.shown for f in figures if not f.is_series}
