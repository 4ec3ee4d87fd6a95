"""What a run measures: the pages against the floor, the sign-up rush, the reminder fan-out and
遇见's nightly recompute.
Needs Django set up on the run's database, gunicorn listening and the Celery worker running."""

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.middleware.csrf import _get_new_csrf_string
from django.utils import timezone

from events.models import Audience, Event, EventStatus, Kind, Registration, RegistrationStatus
from xiangcheng.core.models import Notice, Programme

from . import cpu, load, people, stack
from .pages import FLOOR, VISITOR, Page

log = logging.getLogger("bench")
HOST = "127.0.0.1"
QUERY_HEADER = "x-bench-queries"
# A client's requests in one drive that take values of their own before they reach the next
# client's (the slowest pages, which need them, answer fewer).
TURNS = 7
# As a phone behind the portal's TLS proxy sends them.
HEADERS = {
    "Host": HOST,
    "X-Forwarded-Proto": "https",
    "Accept-Language": "zh-CN,zh;q=0.9",
    "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 bench",
}


@dataclass
class PageFigures:
    page: Page
    result: load.Result
    queries: int
    round: int = 0  # the round it was measured in; the floor measured after the last has the next
    meter: cpu.Meter | None = None  # where the machine's CPU went during the timed run


def _headers(cookie: str | None, **extra: str) -> dict[str, str]:
    headers = dict(HEADERS)
    if cookie:
        headers["Cookie"] = cookie
    headers.update(extra)
    return headers


def value_index(*, block: int, clients: int, client: int, turn: int) -> int:
    """Which value of each pool a request takes: its drive's block, then its client, then its turn."""
    return (block * clients + client) * TURNS + turn


def page_run(page: Page, *, port: int, seconds: float, clients: int, sessions: dict[str, list[people.Client]],
             values: dict[str, list[str]], round_: int = 0, warm: bool = True,
             parts: cpu.Parts | None = None) -> PageFigures:
    keys = sessions.get(page.who, [people.NOBODY]) if page.who != VISITOR else [people.NOBODY]

    def requests_of(block: int) -> Callable[[int, int], load.Request]:
        # Each drive (a round's warm-up, its timed run) takes its own block of the pools' values,
        # so that a value each request must ask afresh ({period_first}) is not asked twice.
        def request_for(client: int, turn: int) -> load.Request:
            who = keys[client % len(keys)]
            index = value_index(block=block, clients=clients, client=client, turn=turn)
            return "GET", people.page_url(page, values, index, who), _headers(who.cookie()), b""
        return request_for

    request_for = requests_of(2 * round_)
    queries = 0
    if warm:
        # A warm-up, the query count of a few requests once warm (the largest), then the timed run.
        asyncio.run(load.drive(host=HOST, port=port, clients=clients, seconds=min(2.0, seconds), expect=200,
                               request_for=request_for))
        for turn in range(3):
            method, path, headers, body = request_for(turn, turn)
            response = asyncio.run(load.fetch(host=HOST, port=port, request=(method, path, {
                **headers, "X-Bench-Queries": "1"}, body)))
            if response.status != 200:
                log.warning("%s: %s answered %s", page.name, path, response.status)
            queries = max(queries, int(response.headers.get(QUERY_HEADER, 0)))
    meter = cpu.Meter(parts) if parts is not None else None
    result = asyncio.run(load.drive(host=HOST, port=port, clients=clients, seconds=seconds, expect=200,
                                    request_for=requests_of(2 * round_ + 1), meter=meter))
    return PageFigures(page=page, result=result, queries=queries, round=round_, meter=meter)


# The floor's run beside each page: long enough for a steady rate at its speed.
FLOOR_RUN_SECONDS = 1.0


def pages_named(pages: list[Page], names: list[str]) -> list[Page]:
    """The pages named, with the floors (``reference`` pages), in the list's order; an unknown name
    is an error."""
    unknown = set(names) - {page.name for page in pages}
    if unknown:
        raise SystemExit(f"no page named {', '.join(sorted(unknown))} in bench/pages.py")
    return [page for page in pages if page.name in names or page.name == FLOOR or page.reference]


def pages_run(pages: list[Page], *, port: int, seconds: float, clients: int, rounds: int = 3,
              parts: cpu.Parts | None = None) -> list[PageFigures]:
    """Every page measured for ``seconds`` in all, in ``rounds`` rounds of the whole list, each
    run of a page just after a shorter run of the floor, and the floor once more after the last:
    a page is compared with the floor run just before it or the one just after it, whichever was
    faster, and its figure is the median of its rounds (report.pages_table). This machine's
    cores are shared and its speed moves within minutes: a floor measured once a round, minutes
    away from most pages, moved a page's share by half between runs of the same code. With
    ``parts``, each timed run also says where the machine's CPU went (``bench.cpu``)."""
    sessions = people.sessions(pages, clients=clients)
    values = people.pools()
    # Every page once before any is measured (templates, imports, connections).
    for page in pages:
        for turn, who in enumerate(sessions.get(page.who, [people.NOBODY])):
            asyncio.run(load.fetch(host=HOST, port=port, request=(
                "GET", people.page_url(page, values, turn, who), _headers(who.cookie()), b"")))
    floor = next((page for page in pages if page.name == FLOOR), None)
    others = [page for page in pages if page.name != FLOOR]
    page_seconds = seconds / rounds
    floor_seconds = max(FLOOR_RUN_SECONDS, page_seconds / 2)
    figures = []

    def floor_run(round_: int, *, warm: bool) -> PageFigures:
        figures.append(page_run(floor, port=port, seconds=floor_seconds, clients=clients, sessions=sessions,
                                values=values, round_=round_, warm=warm, parts=parts))
        return figures[-1]

    for round_ in range(rounds):
        for number, page in enumerate(others):
            beside = floor_run(round_, warm=round_ == 0 and number == 0) if floor else None
            figures.append(page_run(page, port=port, seconds=page_seconds, clients=clients, sessions=sessions,
                                    values=values, round_=round_, warm=round_ == 0, parts=parts))
            log.warning("  %d: %-32s %7.1f req/s  p95 %6.1f ms  %d errors%s", round_ + 1, page.name,
                        figures[-1].result.rate, figures[-1].result.percentile(0.95) * 1000,
                        figures[-1].result.errors, f"  (floor just before: {beside.result.rate:.1f})" if beside else "")
    if floor:
        log.warning("  %-32s %7.1f req/s (again, last)", FLOOR, floor_run(rounds, warm=False).result.rate)
    return figures


# --- the sign-up rush ----------------------------------------------------------------------------------

@dataclass
class RushFigures:
    """One burst of the rush, on an event of its own."""

    clients: int
    seats: int
    confirmed: int
    waitlisted: int
    result: load.Result
    warm_up: bool = False  # checked for exactness, not counted in the rate
    meter: cpu.Meter | None = None  # where the machine's CPU went while it was answered

    @property
    def exact(self) -> bool:
        """Exactly the seats confirmed, everyone else waitlisted, no request failed."""
        return (self.confirmed == self.seats and self.waitlisted == self.clients - self.seats
                and self.result.errors == 0)


def _event(*, title: str, starts_in: timedelta, capacity: int, offsets: list[int]) -> Event:
    now = timezone.now()
    starts = now + starts_in
    return Event.objects.create(
        programme=Programme.objects.get(slug="gather"), title=title, kind=Kind.SALON,
        description="压测活动。", online_url="https://meeting.example.cn/bench", starts_at=starts,
        ends_at=starts + timedelta(hours=2), registration_opens_at=now - timedelta(days=1),
        registration_closes_at=starts - timedelta(minutes=30), cancellation_deadline=starts - timedelta(hours=1),
        capacity=capacity, audience=Audience.MEMBERS, reminder_offsets=offsets, status=EventStatus.PUBLISHED,
    )


def rush_run(*, port: int, clients: int, seats: int, bursts: int, parts: cpu.Parts | None = None) -> list[RushFigures]:
    """``clients`` members press "sign up" for an event with ``seats`` seats at the same instant,
    ``bursts`` times, each time for a new event once the worker has sent the last burst's
    confirmations. One burst lasts about two seconds, which a busy neighbour on a shared machine
    can halve; the report takes the median.

    A warm-up burst comes first, as each page has its warm-up: a rush meets a server that has
    been answering sign-ups, not one whose processes post the form for the first time (their
    queries built, their database connections' statements prepared). It must be exact like the
    others; its rate is shown and not counted. With ``parts``, each burst also says where the
    machine's CPU went while it was answered (``bench.cpu``)."""
    members = people.approved_members(clients)
    if len(members) < clients:
        log.warning("the bulk data has only %d approved members: the rush has as many clients", len(members))
        clients = len(members)
    sessions = [people.signed_in(member) for member in members]
    began = timezone.now()
    figures = []
    for burst in range(bursts + 1):
        outbox_drained(since=began, seconds=120)
        event = _event(title="压测：热门沙龙抢报名", starts_in=timedelta(days=3), capacity=seats, offsets=[24 * 60])
        requests = []
        for session in sessions:
            csrf = _get_new_csrf_string()
            requests.append(("POST", f"/events/{event.pk}/sign-up/", _headers(
                None, Cookie=f"sessionid={session}; csrftoken={csrf}", **{
                    "X-CSRFToken": csrf, "Origin": f"https://{HOST}", "Referer": f"https://{HOST}/events/{event.pk}/",
                    "Content-Type": "application/x-www-form-urlencoded"}), b"children_ages="))
        meter = cpu.Meter(parts) if parts is not None else None
        result = asyncio.run(load.burst(host=HOST, port=port, requests=requests, expect=302, meter=meter))
        counted = Registration.objects.filter(event=event).aggregate(
            confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
            waitlisted=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)))
        figures.append(RushFigures(clients=clients, seats=seats, confirmed=counted["confirmed"],
                                   waitlisted=counted["waitlisted"], result=result, warm_up=burst == 0, meter=meter))
    return figures


# --- the reminder fan-out -----------------------------------------------------------------------------

@dataclass
class ReminderFigures:
    due: int  # reminders due for the benchmark's event
    created: int  # reminders the scan created (other events' included)
    scanned: float  # seconds until the scan had created the event's reminders
    drained: float  # seconds until every reminder the scan created was sent
    unsent: int  # created but failed, skipped or still pending at the end
    timed_out: bool


def _worker_ready(app, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return
    raise RuntimeError(f"the Celery worker did not answer within {seconds:.0f} s")


def outbox_drained(*, since, seconds: float) -> None:
    """Wait until the worker has sent what this run wrote to the outbox (the rush's confirmations),
    so the fan-out starts on an idle worker."""
    pending = Notice.objects.filter(state=Notice.State.PENDING, created_at__gte=since)
    if not stack.poll_until(lambda: not pending.exists(), seconds=seconds, every=0.5):
        log.warning("the worker still has notices of this run to send after %.0f s", seconds)


def reminders_run(*, count: int, timeout: float) -> ReminderFigures:
    """``count`` confirmed members of an event starting within two hours: the beat's scan creates
    their reminders, one Celery worker delivers them (email and SMS to the stand-ins)."""
    from xiangcheng import celery_app

    event = _event(title="压测：提醒群发", starts_in=timedelta(minutes=90), capacity=max(count, 1), offsets=[120])
    members = people.reachable_members(count)
    now = timezone.now()
    Registration.objects.bulk_create(
        [Registration(event=event, user_id=pk, status=RegistrationStatus.CONFIRMED, decided_at=now) for pk in members],
        batch_size=2000)
    due = len(members)
    _worker_ready(celery_app, seconds=60)
    since = timezone.now() - timedelta(seconds=1)
    started = time.perf_counter()
    celery_app.send_task("events.tasks.scan_reminders")
    reminders = Notice.objects.filter(kind="events.reminder", created_at__gte=since)
    ours = reminders.filter(target_id__in=Registration.objects.filter(event=event).values("pk"))
    scanned: list[float] = []  # when the scan had written every reminder due

    def all_sent() -> bool:
        if not scanned and ours.count() >= due:
            scanned.append(time.perf_counter() - started)
        return bool(scanned) and not reminders.filter(state=Notice.State.PENDING).exists()

    finished = stack.poll_until(all_sent, seconds=timeout, every=0.5)
    drained = time.perf_counter() - started if finished else 0.0
    states = dict(reminders.values_list("state").annotate(n=Count("pk")))
    created = sum(states.values())
    return ReminderFigures(due=due, created=created, scanned=scanned[0] if scanned else 0.0, drained=drained,
                           unsent=created - states.get(Notice.State.SENT, 0), timed_out=not finished)


# --- 遇见's nightly recompute ---------------------------------------------------------------------------

@dataclass
class RecomputeFigures:
    profiles: int  # active match profiles the nightly run refreshes
    refreshed: int  # of them, those whose suggestions were rewritten during the run
    seconds: float  # from queueing the nightly run until every profile was refreshed
    timed_out: bool


def recompute_run(*, timeout: float) -> RecomputeFigures:
    """The beat's nightly task queues every active profile's refresh in chunks; the worker's
    processes recompute them. Done when every active profile's suggestions carry a time after the
    start (with bulk data each one has candidates, so each gets at least one suggestion)."""
    from matching.models import MatchProfile, MatchStatus, Suggestion
    from xiangcheng import celery_app

    profiles = MatchProfile.objects.filter(status=MatchStatus.ACTIVE).count()
    _worker_ready(celery_app, seconds=60)
    since = timezone.now()
    started = time.perf_counter()
    celery_app.send_task("matching.tasks.refresh_all_suggestions")
    fresh = Suggestion.objects.filter(computed_at__gte=since)
    refreshed = [0]

    def all_refreshed() -> bool:
        refreshed[0] = fresh.values("profile_id").distinct().count()
        return refreshed[0] >= profiles

    finished = stack.poll_until(all_refreshed, seconds=timeout, every=2.0)
    return RecomputeFigures(profiles=profiles, refreshed=refreshed[0],
                            seconds=time.perf_counter() - started if finished else 0.0, timed_out=not finished)


# --- the staff dashboard's figures, counted by the worker -----------------------------------------------

SHOWN = b'class="dashboard-area"'


@dataclass
class DashboardFigures:
    staff: int  # administrators who opened the dashboard at the same instant, each for a new period
    shown: list[float]  # seconds until each one's page showed her period's figures
    timed_out: bool


def reports_queue_purged() -> int:
    """Drop the counts the pages' dashboard row asked for and no one came back to: no worker took
    the reports queue while the pages ran. (Their marks lapse by themselves; the dashboard's own
    run asks for other periods.)"""
    from django.conf import settings

    from xiangcheng import celery_app

    queue = next(q for q in settings.CELERY_TASK_QUEUES if q.name == "reports")
    with celery_app.connection_for_write() as connection:
        dropped = queue.bind(connection.default_channel).purge() or 0
    return dropped


def dashboard_months_counted(pages: list[Page]) -> int:
    """Count the periods of the pages' dashboard rows that name both their days, as the reports'
    worker would have: those rows measure the dashboard showing kept figures, and no worker takes
    the reports queue while the pages run. Returns how many were counted."""
    from datetime import date
    from urllib.parse import parse_qs, urlsplit

    from xiangcheng.core.figures import Period, dashboard_count

    counted = 0
    for page in pages:
        parts = urlsplit(page.url)
        query = parse_qs(parts.query)
        if parts.path != "/admin/dashboard/" or "{" in parts.query:
            continue
        period = Period(first=date.fromisoformat(query["first"][0]), last=date.fromisoformat(query["last"][0]))
        dashboard_count(period=period, language="zh-hans")  # as the bench's requests ask (zh-CN)
        counted += 1
    return counted


def dashboard_run(*, port: int, staff: int, timeout: float) -> DashboardFigures:
    """``staff`` administrators open the dashboard at the same instant, each for a period no one
    has asked for (a year and more up to today), and reload it until it shows the figures, as its
    page does by itself; the reports queue's worker counts them."""
    from xiangcheng import celery_app
    from xiangcheng.core.roles import ADMINISTRATOR

    today = timezone.localdate()
    cookies = [people.Client(people.staff_signed_in(people.staff_in_role(ADMINISTRATOR.name))).cookie()
               for _ in range(staff)]
    paths = [f"/admin/dashboard/?first={today - timedelta(days=1100 + n):%Y-%m-%d}&last={today:%Y-%m-%d}"
             for n in range(staff)]
    _worker_ready(celery_app, seconds=60)

    async def one(path: str, cookie: str, started: float) -> float | None:
        request = ("GET", path, _headers(cookie), b"")
        while time.perf_counter() - started < timeout:
            response = await load.fetch(host=HOST, port=port, request=request)
            if response.status == 200 and SHOWN in response.body:
                return time.perf_counter() - started
            await asyncio.sleep(0.25)
        return None

    async def all_of_them() -> list[float | None]:
        started = time.perf_counter()
        return await asyncio.gather(*(one(path, cookie, started) for path, cookie in zip(paths, cookies, strict=True)))

    shown = asyncio.run(all_of_them())
    return DashboardFigures(staff=staff, shown=[s for s in shown if s is not None],
                            timed_out=any(s is None for s in shown))


def volumes() -> dict[str, int]:
    """The rows the run works on, as the table's header reports them."""
    from members.models import User
    from services.models import Ticket, TicketMessage
    from xiangcheng.core.audit import tracked_models

    return {
        "accounts": User.objects.count(), "events": Event.objects.count(),
        "registrations": Registration.objects.count(), "tickets": Ticket.objects.count(),
        "ticket messages": TicketMessage.objects.count(), "outbox rows": Notice.objects.count(),
        "audit events": sum(model.pgh_event_model.objects.count() for model in tracked_models()),
    }
