"""The run's one table, the targets it meets, and its place in docs/perf.md."""

from __future__ import annotations

import os
import platform
import re
import statistics
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import cpu, stack
from .load import Result
from .pages import FLOOR

if TYPE_CHECKING:
    from .scenarios import DashboardFigures, PageFigures, RecomputeFigures, ReminderFigures, RushFigures

# Targets on two cores (issue #9).
FLOOR_SHARE = 0.5
P95_SECONDS = 0.100
RUSH_RATE = 300.0
REMINDER_SECONDS = 60.0
RECOMPUTE_SECONDS = 120.0
START, END = "<!-- bench:results -->", "<!-- /bench:results -->"


@dataclass
class RunSettings:
    scale: float
    seed: int
    seconds: float
    clients: int
    workers: int
    threads: int
    worker_concurrency: int
    rows: dict[str, int]
    db_connections: int = 1  # per process: its database pool's size


def machine() -> str:
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read_text()).group(1))
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists() and (found := re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())):
        model = f" ({found.group(1).strip()})"
    return f"{os.cpu_count()} cores{model}{memory}; {platform.system()} {platform.release()}, Python {platform.python_version()}"


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def _width(text: str) -> int:
    """Columns the text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(_width(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells):
        return "| " + " | ".join(str(c) + " " * (w - _width(str(c))) for c, w in zip(cells, widths, strict=True)) + " |"

    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]


def floor_beside(figures: list[PageFigures], index: int) -> float:
    """The floor the page run ``figures[index]`` is compared with: the faster of the floor's runs
    just before it and just after it (the list is in the order measured)."""
    before = next((f.result.rate for f in reversed(figures[:index]) if f.page.name == FLOOR), 0.0)
    after = next((f.result.rate for f in figures[index + 1:] if f.page.name == FLOOR), 0.0)
    return max(before, after)


@dataclass
class PageRow:
    """A page's rounds as one row: the median of its rates and of its shares of the floor, its
    latencies all together."""

    figures: list[PageFigures]
    shares: list[float]

    @property
    def page(self):
        return self.figures[0].page

    @property
    def rate(self) -> float:
        return statistics.median(f.result.rate for f in self.figures)

    @property
    def share(self) -> float:
        return statistics.median(self.shares)

    @property
    def result(self):
        return Result(latencies=[latency for f in self.figures for latency in f.result.latencies],
                      errors=sum(f.result.errors for f in self.figures))

    @property
    def queries(self) -> int:
        return max(f.queries for f in self.figures)

    def cpu_ms(self, part: str | None = None) -> str:
        """Ms of CPU a request spent by ``part`` (every part and the rest of the machine if None)
        over its rounds, "—" if they were not metered."""
        metered = [f for f in self.figures if f.meter is not None]
        requests = sum(f.result.requests for f in metered)
        if not metered or not requests:
            return "—"
        spent, _seconds = cpu.total(f.meter for f in metered)
        used = sum(spent.values()) if part is None else spent.get(part, 0.0)
        return f"{used / requests * 1000:.2f}"


def page_rows(figures: list[PageFigures]) -> list[PageRow]:
    """One row per page, in the order measured; the floor's runs are one row, 1.00 by definition."""
    rows: dict[str, PageRow] = {}
    for index, f in enumerate(figures):
        floor = floor_beside(figures, index)
        share = 1.0 if f.page.name == FLOOR else (f.result.rate / floor if floor else 0.0)
        row = rows.setdefault(f.page.name, PageRow(figures=[], shares=[]))
        row.figures.append(f)
        row.shares.append(share)
    return list(rows.values())


def pages_table(figures: list[PageFigures]) -> tuple[list[str], bool]:
    rows, all_met = [], True
    for row in page_rows(figures):
        result = row.result
        fast, quick, clean = row.share >= FLOOR_SHARE, result.percentile(0.95) < P95_SECONDS, result.errors == 0
        met = fast and quick and clean
        missed = [name for name, ok in (("× floor", fast), ("p95", quick), ("errors", clean)) if not ok]
        if row.page.reference:
            verdict = "reference" if clean else "✗ errors"
            all_met = all_met and clean
        else:
            verdict = "✓" if met else "✗ " + ", ".join(missed)
            all_met = all_met and met
        rows.append([row.page.name, row.page.who, f"{row.rate:.1f}", f"{row.share:.2f}", _ms(result.median),
                     _ms(result.percentile(0.95)), str(result.errors), str(row.queries),
                     row.cpu_ms(cpu.WEB), row.cpu_ms(cpu.DATABASE), row.cpu_ms(), verdict])
    header = ["page", "as", "req/s", "× floor", "p50 ms", "p95 ms", "errors", "queries", "web ms", "db ms", "all ms",
              "targets"]
    return _table(header, rows), all_met


def floor_runs(figures: list[PageFigures]) -> list[float]:
    return [f.result.rate for f in figures if f.page.name == FLOOR]


def rush_rate(bursts: list[RushFigures]) -> float:
    """The rush's sign-ups per second: the median of its bursts after the warm-up."""
    return statistics.median(burst.result.rate for burst in bursts if not burst.warm_up)


def rush_met(bursts: list[RushFigures]) -> bool:
    return rush_rate(bursts) >= RUSH_RATE and all(burst.exact for burst in bursts)


def rush_cpu_lines(bursts: list[RushFigures]) -> list[str]:
    """Where the machine's CPU went while the counted bursts were answered, if they were metered."""
    metered = [burst for burst in bursts if not burst.warm_up and burst.meter is not None]
    if not metered:
        return []
    spent, seconds = cpu.total(burst.meter for burst in metered)
    sign_ups = sum(burst.clients for burst in metered)
    rows = [[name, f"{value / sign_ups * 1000:.2f}", f"{value / seconds:.2f}"] for name, value in spent.items()]
    everything = sum(spent.values())
    rows.append(["all", f"{everything / sign_ups * 1000:.2f}", f"{everything / seconds:.2f}"])
    return [f"Where the CPU went while the counted bursts were answered ({seconds:.1f} s in all): each part's "
            "processes' own time, user and system, per sign-up and in cores; the rest of the machine is whatever "
            "else was busy.", "", *_table(["part", "ms of CPU a sign-up", "cores"], rows), ""]


def gunicorn_workers(settings: RunSettings) -> str:
    if stack.worker_class(settings.threads) == "sync":
        return f"{settings.workers} sync workers"
    return f"{settings.workers} workers × {settings.threads} threads"


def render(*, settings: RunSettings, pages: list[PageFigures] | None, rush: list[RushFigures] | None,
           reminders: ReminderFigures | None, when: datetime, recompute: RecomputeFigures | None = None,
           dashboard: DashboardFigures | None = None) -> str:
    lines = [
        f"Measured {when:%Y-%m-%d %H:%M} on {machine()}.",
        f"Bulk data at scale {settings.scale:g} (seed {settings.seed}): " + ", ".join(
            f"{count:,} {name}" for name, count in settings.rows.items()) + ".",
        f"gunicorn {gunicorn_workers(settings)}, "
        f"{settings.db_connections} database connection{'s' if settings.db_connections > 1 else ''} a worker, "
        "with the production settings; "
        f"Celery workers (concurrency {settings.worker_concurrency}): one for every queue but the reports', "
        "and for the dashboard's own run one for the reports'; PostgreSQL, Redis, the workers and the load "
        "generator share the same cores.",
        "",
    ]
    if pages:
        table, met = pages_table(pages)
        rounds = max((f.round for f in pages if f.page.name != FLOOR), default=0) + 1
        runs = floor_runs(pages)
        lines += [f"**Pages** — {settings.clients} concurrent clients, {settings.seconds:g} s each in {rounds} "
                  f"round{'s' if rounds > 1 else ''} of the whole list, each run of a page just after a shorter run "
                  f"of the floor, and the floor once more after the last ({len(runs)} runs of the floor, "
                  f"{min(runs, default=0):.1f}–{max(runs, default=0):.1f} req/s); a page's share of the floor is the "
                  "median over its rounds, each against the faster of the floor's runs just before and just after "
                  "it, its rate the median of its rounds, its latencies all its requests; its CPU a request "
                  "(`bench/cpu.py`): gunicorn's (web), PostgreSQL's (db) and the whole machine's (all); targets: "
                  f"≥ {FLOOR_SHARE} × floor, p95 < {P95_SECONDS * 1000:.0f} ms, 0 errors "
                  f"({'all met' if met else 'not all met'}).", "", *table, ""]
    if rush:
        rate, seats, clients = rush_rate(rush), rush[0].seats, rush[0].clients
        counted = [burst for burst in rush if not burst.warm_up]
        warm_up = " after a warm-up burst (exact too, its rate not counted)" if len(counted) < len(rush) else ""
        lines += [f"**Sign-up rush** — {clients} members press “sign up” at the same instant for {seats} seats, "
                  f"{len(counted)} times{warm_up} (each time a new event); targets: ≥ {RUSH_RATE:.0f} sign-ups/s "
                  f"(the median of the bursts: {rate:.1f} {_mark(rate >= RUSH_RATE)}), exactly {seats} confirmed, 0 errors "
                  f"({'all met' if rush_met(rush) else 'not all met'}).", "",
                  *_table(["burst", "clients", "seats", "confirmed", "waitlisted", "errors", "sign-ups/s", "p50 ms",
                           "p95 ms"],
                          [["warm-up" if burst.warm_up else str(number), str(burst.clients), str(burst.seats),
                            f"{burst.confirmed} {_mark(burst.confirmed == burst.seats)}", str(burst.waitlisted),
                            f"{burst.result.errors} {_mark(burst.result.errors == 0)}", f"{burst.result.rate:.1f}",
                            _ms(burst.result.median), _ms(burst.result.percentile(0.95))]
                           for number, burst in enumerate(rush, 1 - (len(rush) - len(counted)))]), "",
                  *rush_cpu_lines(rush)]
    if reminders:
        met = not reminders.timed_out and reminders.drained < REMINDER_SECONDS and reminders.unsent == 0
        drained = "not within the time limit" if reminders.timed_out else f"{reminders.drained:.1f} s"
        lines += [f"**Reminder fan-out** — an event starting in 90 minutes with {reminders.due:,} confirmed "
                  "members; the beat's scan creates their reminders and one worker sends them (email and SMS to "
                  f"stand-ins on loopback); target: all sent in < {REMINDER_SECONDS:.0f} s.", "",
                  *_table(["due", "created by the scan", "scan done", "all sent", "not sent", "targets"],
                          [[f"{reminders.due:,}", f"{reminders.created:,}", f"{reminders.scanned:.1f} s",
                            drained, str(reminders.unsent), _mark(met)]]), ""]
    if recompute:
        met = not recompute.timed_out and recompute.seconds < RECOMPUTE_SECONDS
        took = "not within the time limit" if recompute.timed_out else f"{recompute.seconds:.1f} s"
        lines += [f"**遇见 recompute** — the nightly run refreshes every active match profile's suggestions in "
                  f"chunks on the worker; target: all done in < {RECOMPUTE_SECONDS:.0f} s.", "",
                  *_table(["profiles", "refreshed", "all done", "targets"],
                          [[f"{recompute.profiles:,}", f"{recompute.refreshed:,}", took, _mark(met)]]), ""]
    if dashboard:
        shown = sorted(dashboard.shown)
        lines += [f"**The dashboard's figures** — {dashboard.staff} administrators open the dashboard at the same "
                  "instant, each for a period no one has asked for (a year and more, up to today); the page says "
                  "they are being counted and reloads itself until the reports' worker has counted them (no "
                  "target in the issue; the page's own rate is the row above).", "",
                  *_table(["administrators", "figures shown", "first shown", "median", "last shown"],
                          [[str(dashboard.staff), f"{len(shown)} {_mark(not dashboard.timed_out)}",
                            f"{shown[0]:.1f} s" if shown else "—",
                            f"{statistics.median(shown):.1f} s" if shown else "—",
                            "not within the time limit" if dashboard.timed_out else f"{shown[-1]:.1f} s"]]), ""]
    return "\n".join(lines)


def perf_md_update(path: Path, text: str) -> None:
    """Put the run's table between the markers of docs/perf.md (appended if they are missing)."""
    document = path.read_text() if path.exists() else "# Performance\n"
    block = f"{START}\n{text.rstrip()}\n{END}"
    if START in document and END in document:
        head, rest = document.split(START, 1)
        document = head + block + rest.split(END, 1)[1]
    else:
        document = document.rstrip() + "\n\n" + block + "\n"
    path.write_text(document)


def correct(*, pages: list[PageFigures] | None, rush: list[RushFigures] | None, reminders: ReminderFigures | None,
            recompute: RecomputeFigures | None = None, dashboard: DashboardFigures | None = None) -> bool:
    """Whether the run did what it must whatever the speed: no failed request, exactly the seats
    confirmed and everyone else waitlisted, every reminder sent."""
    ok = all(f.result.errors == 0 for f in pages or [])
    if rush:
        ok = ok and all(burst.exact for burst in rush)
    if reminders:
        ok = ok and not reminders.timed_out and reminders.unsent == 0
    if recompute:
        ok = ok and not recompute.timed_out
    if dashboard:
        ok = ok and not dashboard.timed_out
    return ok
