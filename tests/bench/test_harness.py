"""The pieces of `make bench` that can be checked quickly (speed itself never is): the floor page
is off unless a benchmark switches it on, every page the harness names answers 200 for the person
it names, and the query count exists only in the benchmark's settings."""

import io
import subprocess
import sys
from datetime import datetime
from importlib import import_module
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from django.test import override_settings

from bench import people, stack
from bench.pages import MEMBER, PAGES, REPRESENTATIVE, VISITOR
from bench.report import perf_md_update
from members.models import Organisation, OrganisationStatus
from services.models import Job
from tests.helpers import production_environment
from xiangcheng.core import roles

ROOT = Path(__file__).resolve().parents[2]
PROBE = ("from django.conf import settings; "
         "print(settings.BENCH_FLOOR, any('QueryCount' in m for m in settings.MIDDLEWARE), settings.BULK_DATA_ALLOWED)")


def probe(module: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", PROBE], cwd=ROOT,
                            env={**production_environment(), "DJANGO_SETTINGS_MODULE": module},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_has_no_floor_page_no_query_count_and_no_bulk_data():
    assert probe("xiangcheng.settings.production") == "False False False"


def test_the_benchmark_settings_are_production_with_the_floor_and_the_query_count():
    assert probe("xiangcheng.settings.bench") == "True True True"


# Outside a test transaction, as in a server: inside one, the audit middleware also clears its
# context settings on the way out.
@pytest.mark.django_db(transaction=True)
def test_the_floor_page_is_a_404_unless_switched_on_and_then_one_query(client, django_assert_num_queries):
    assert client.get("/bench/floor/").status_code == 404

    with override_settings(BENCH_FLOOR=True), django_assert_num_queries(1):
        response = client.get("/bench/floor/")

    assert response.status_code == 200
    assert "相聚她平台" in response.content.decode()


@pytest.mark.django_db
def test_the_query_count_answers_only_a_request_that_asks(client, django_assert_num_queries):
    with override_settings(MIDDLEWARE=["xiangcheng.core.benchmark.QueryCountMiddleware", *settings.MIDDLEWARE],
                           BENCH_FLOOR=True):
        with django_assert_num_queries(2):
            asked = client.get("/bench/floor/", headers={"X-Bench-Queries": "1"})
        plain = client.get("/bench/floor/")

    # Every query of the request: the floor's own, and the audit context cleared in the test's transaction.
    assert asked["X-Bench-Queries"] == "2"
    assert "X-Bench-Queries" not in plain


@pytest.fixture
def bulk(db):
    call_command("seed_bulk", scale=0.005, seed=1, stdout=io.StringIO())


@override_settings(BENCH_FLOOR=True, STAFF_MFA_REQUIRED=True)
def test_every_page_of_the_harness_answers_200_for_whom_it_names(bulk, client):
    keys = people.sessions(PAGES, clients=2)
    values = people.pools()

    assert len(keys[MEMBER]) == 2
    answered = {}
    for page in PAGES:
        for turn, who in enumerate(keys.get(page.who, [people.NOBODY])):
            client.cookies.clear()
            if who.session:
                client.cookies[settings.SESSION_COOKIE_NAME] = who.session
            response = client.get(people.page_url(page, values, turn, who))
            answered[page.name, turn] = response.status_code
    assert set(answered.values()) == {200}, answered
    assert {page.who for page in PAGES} == {VISITOR, MEMBER, REPRESENTATIVE, roles.INBOX_AGENT.name,
                                            roles.REVIEWER.name, roles.EVENT_MANAGER.name,
                                            roles.ENTERPRISE_SERVICE.name, roles.MATCH_MODERATOR.name,
                                            roles.CALL_REVIEWER.name, roles.ADMINISTRATOR.name}


@override_settings(BENCH_FLOOR=True)
def test_the_dashboards_month_is_counted_before_the_pages_so_its_row_measures_kept_figures(
        bulk, client, publish_to_redis):
    from bench.scenarios import dashboard_months_counted

    month = next(page for page in PAGES if page.name == "staff: dashboard (one month)")
    client.cookies[settings.SESSION_COOKIE_NAME] = people.staff_signed_in(
        people.staff_in_role(roles.ADMINISTRATOR.name))
    before = client.get(month.url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")

    assert dashboard_months_counted(PAGES) == 1  # the other dashboard row asks for new periods
    after = client.get(month.url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")

    assert (b'class="dashboard-area"' in before.content, b'class="dashboard-area"' in after.content) == (False, True)


def test_each_representative_opens_her_own_organisation(bulk, client):
    keys = people.sessions([page for page in PAGES if page.who == REPRESENTATIVE], clients=2)

    assert len(keys[REPRESENTATIVE]) == 2
    organisations = [who.own["my_organisation"] for who in keys[REPRESENTATIVE]]
    assert len(set(organisations)) == 2
    for who in keys[REPRESENTATIVE]:
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=who.session).load()
        organisation = Organisation.objects.get(pk=who.own["my_organisation"])
        assert organisation.status == OrganisationStatus.VERIFIED
        assert organisation.representatives.filter(user_id=session["_auth_user_id"]).exists()
        # Her job with the most applications, so the applications page lists the most rows.
        applied = dict(Job.objects.filter(organisation=organisation).annotate(n=Count("applications"))
                       .values_list("pk", "n"))
        assert applied[int(who.own["my_job"])] == max(applied.values()) > 0
    # Another client's organisation is not hers: the pages would answer 404, never measure it.
    first, second = keys[REPRESENTATIVE]
    client.cookies[settings.SESSION_COOKIE_NAME] = first.session
    assert client.get(f"/members/organisations/{second.own['my_organisation']}/").status_code == 404


@override_settings(STAFF_MFA_REQUIRED=True)
def test_staff_sessions_record_the_password_and_the_authenticator_app_as_allauth_does(bulk, client):
    staff = people.staff_in_role(roles.REVIEWER.name)

    key = people.staff_signed_in(staff)

    authenticator = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key).load()
    assert session["_auth_user_id"] == str(staff.pk)
    assert [(r["method"], r.get("id")) for r in session["account_authentication_methods"]] == [
        ("password", None), ("mfa", authenticator.pk)]
    # Without the authenticator app she would be sent to set one up, not shown the page.
    plain = people.signed_in(people.staff_in_role(roles.EVENT_MANAGER.name))
    client.cookies[settings.SESSION_COOKIE_NAME] = plain
    response = client.get("/admin/events/registration/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/totp/activate/")


def test_the_table_replaces_its_own_section_of_docs_perf_md_and_nothing_else(tmp_path):
    path = tmp_path / "perf.md"
    path.write_text("# Performance\n\nBefore.\n\n<!-- bench:results -->\nold\n<!-- /bench:results -->\n\nAfter.\n")

    perf_md_update(path, "new table\n")

    assert path.read_text() == (
        "# Performance\n\nBefore.\n\n<!-- bench:results -->\nnew table\n<!-- /bench:results -->\n\nAfter.\n")


def test_polling_stops_as_soon_as_the_condition_holds_or_when_time_is_up():
    asked = []

    def third_time_lucky() -> bool:
        asked.append(1)
        return len(asked) == 3

    assert stack.poll_until(third_time_lucky, seconds=5, every=0) is True
    assert len(asked) == 3
    assert stack.poll_until(lambda: False, seconds=0.05, every=0.01) is False


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_a_reference_row_is_measured_but_held_to_no_target():
    from bench.load import Result
    from bench.pages import FLOOR, Page
    from bench.report import pages_table
    from bench.scenarios import PageFigures

    def figures(page: Page, requests: int, errors: int = 0) -> PageFigures:
        # ``requests`` answers in one second, each taking 50 ms.
        return PageFigures(page=page, result=Result(latencies=[0.05] * requests, errors=errors, elapsed=1.0),
                           queries=2)

    floor = figures(Page(FLOOR, "/bench/floor/", VISITOR), 1000)
    slow = figures(Page("floor (signed in)", "/bench/floor/", reference=True), 200)

    lines, all_met = pages_table([floor, slow])
    # Not metered: no CPU figures.
    assert cells(lines[-1]) == ["floor (signed in)", "member", "200.0", "0.20", "50", "50", "0", "2", "—", "—", "—",
                                "reference"]
    assert all_met is True

    lines, all_met = pages_table([floor, figures(Page("floor (signed in)", "/x/", reference=True), 200, errors=1)])
    assert (cells(lines[-1])[-1], all_met) == ("✗ errors", False)

    lines, all_met = pages_table([floor, figures(Page("home", "/"), 200)])
    assert (cells(lines[-1])[-1], all_met) == ("✗ × floor", False)


def test_pages_are_compared_with_the_faster_of_the_two_floor_runs():
    from bench.load import Result
    from bench.pages import FLOOR, Page
    from bench.report import pages_table
    from bench.scenarios import PageFigures

    def figures(page: Page, requests: int, round_: int) -> PageFigures:
        return PageFigures(page=page, result=Result(latencies=[0.01] * requests, errors=0, elapsed=1.0), queries=1,
                           round=round_)

    floor = Page(FLOOR, "/bench/floor/", VISITOR)
    # One round: the floor slowed by something else the first time, and measured again after the pages.
    lines, all_met = pages_table([figures(floor, 600, 0), figures(Page("home", "/"), 450, 0), figures(floor, 1000, 1)])

    rows = [cells(line) for line in lines[2:]]
    assert [(row[0], row[2], row[3], row[-1]) for row in rows] == [
        ("floor", "800.0", "1.00", "✓"),  # the median of its runs
        ("home", "450.0", "0.45", "✗ × floor"),
    ]
    assert all_met is False


def test_in_rounds_a_page_is_the_median_of_its_rounds_each_against_the_floors_around_it():
    from bench.load import Result
    from bench.pages import FLOOR, Page
    from bench.report import RunSettings, page_rows, pages_table, render
    from bench.scenarios import PageFigures

    def figures(page: Page, requests: int, round_: int, latency: float = 0.01) -> PageFigures:
        return PageFigures(page=page, result=Result(latencies=[latency] * requests, errors=0, elapsed=1.0),
                           queries=2, round=round_)

    floor, home, events = Page(FLOOR, "/bench/floor/", VISITOR), Page("home", "/"), Page("event list", "/events/")
    measured = [
        figures(floor, 1000, 0), figures(home, 550, 0), figures(events, 400, 0),
        # A neighbour slowed the whole second round: the floor with it, and more than the floor,
        # the home page measured while it lasted.
        figures(floor, 500, 1), figures(home, 100, 1, latency=0.2), figures(events, 210, 1),
        figures(floor, 1100, 2), figures(home, 600, 2), figures(events, 460, 2),
        figures(floor, 1200, 3),  # after the last round
    ]
    rows = {row.page.name: row for row in page_rows(measured)}
    # Each round against the faster floor before or after it: 1000 (0 and 1), 1100 (1 and 2), 1200 (2 and 3).
    assert rows["home"].shares == [0.55, 100 / 1100, 0.5]
    assert (rows["home"].share, rows["home"].rate) == (0.5, 550.0)
    assert rows["event list"].shares == [0.4, 210 / 1100, 460 / 1200]
    assert rows["home"].result.requests == 1250 and rows["home"].queries == 2

    lines, all_met = pages_table(measured)
    assert [(row[0], row[2], row[3], row[5], row[-1]) for row in map(cells, lines[2:])] == [
        ("floor", "1050.0", "1.00", "10", "✓"),
        ("home", "550.0", "0.50", "200", "✗ p95"),  # the slowed round's 100 requests are in its p95
        ("event list", "400.0", "0.38", "10", "✗ × floor"),
    ]
    assert all_met is False
    run = RunSettings(scale=1, seed=1, seconds=8, clients=8, workers=4, threads=4, worker_concurrency=2, rows={})
    text = render(settings=run, pages=measured, rush=None, reminders=None, when=datetime(2026, 12, 5))
    assert "8 s each in 3 rounds of the whole list" in text
    assert "(4 runs of the floor, 500.0–1200.0 req/s)" in text


def test_a_page_is_compared_with_the_floor_runs_just_before_and_after_it():
    from bench.load import Result
    from bench.pages import FLOOR, Page
    from bench.report import page_rows
    from bench.scenarios import PageFigures

    def figures(page: Page, requests: int, round_: int = 0) -> PageFigures:
        return PageFigures(page=page, result=Result(latencies=[0.01] * requests, errors=0, elapsed=1.0),
                           queries=2, round=round_)

    floor, home, events = Page(FLOOR, "/bench/floor/", VISITOR), Page("home", "/"), Page("event list", "/events/")
    # The machine slowed between the two pages of a round: each page is held to the floor beside it,
    # not to a floor measured before the slowdown.
    measured = [figures(floor, 1000), figures(home, 500), figures(floor, 1000), figures(events, 200),
                figures(floor, 400), figures(home, 210, 1), figures(floor, 420, 1), figures(events, 200, 1),
                figures(floor, 400, 2)]
    rows = {row.page.name: row for row in page_rows(measured)}

    assert rows["home"].shares == [0.5, 0.5]
    assert rows["event list"].shares == [0.2, 200 / 420]
    assert rows["floor"].shares == [1.0] * 5

    # A floor run faster than those beside a page, earlier in its round, is not its floor.
    slowed = [figures(floor, 1000), figures(home, 500), figures(floor, 400), figures(events, 200),
              figures(floor, 420, 1)]
    rows = {row.page.name: row for row in page_rows(slowed)}
    assert rows["home"].shares == [0.5]
    assert rows["event list"].shares == [200 / 420]


def test_the_rush_is_the_median_of_its_bursts_and_every_burst_must_be_exact():
    from bench.load import Result
    from bench.report import RunSettings, correct, render, rush_rate
    from bench.scenarios import RushFigures

    def burst(seconds: float, confirmed: int = 50, errors: int = 0) -> RushFigures:
        # 500 sign-ups answered in ``seconds``.
        return RushFigures(clients=500, seats=50, confirmed=confirmed, waitlisted=500 - confirmed,
                           result=Result(latencies=[0.5] * 500, errors=errors, elapsed=seconds))

    slowed, fast, steady = burst(5.0), burst(1.25), burst(2.0)
    assert [b.result.rate for b in (slowed, fast, steady)] == [100.0, 400.0, 250.0]
    assert rush_rate([slowed, fast, steady]) == 250.0
    assert correct(pages=None, rush=[slowed, fast, steady], reminders=None) is True
    assert correct(pages=None, rush=[slowed, burst(1.25, confirmed=51), steady], reminders=None) is False
    assert correct(pages=None, rush=[slowed, fast, burst(2.0, errors=1)], reminders=None) is False

    run = RunSettings(scale=1, seed=1, seconds=8, clients=8, workers=4, threads=4, worker_concurrency=2, rows={})
    text = render(settings=run, pages=None, rush=[slowed, fast, steady], reminders=None, when=datetime(2026, 12, 5))
    assert "(the median of the bursts: 250.0 ✗)" in text and "(not all met)" in text
    rows = [cells(line) for line in text.splitlines() if line.startswith("| ") and cells(line)[0].isdigit()]
    assert [(row[0], row[3], row[6]) for row in rows] == [("1", "50 ✓", "100.0"), ("2", "50 ✓", "400.0"),
                                                          ("3", "50 ✓", "250.0")]
    text = render(settings=run, pages=None, rush=[burst(1.0), fast, burst(1.5)], reminders=None,
                  when=datetime(2026, 12, 5))
    assert "(the median of the bursts: 400.0 ✓)" in text and "(all met)" in text


def test_the_rushs_warm_up_burst_is_shown_and_checked_but_not_counted():
    from bench.load import Result
    from bench.report import RunSettings, correct, render, rush_rate
    from bench.scenarios import RushFigures

    def burst(seconds: float, *, warm_up: bool = False, confirmed: int = 50) -> RushFigures:
        return RushFigures(clients=500, seats=50, confirmed=confirmed, waitlisted=500 - confirmed,
                           result=Result(latencies=[0.5] * 500, errors=0, elapsed=seconds), warm_up=warm_up)

    cold, counted = burst(10.0, warm_up=True), [burst(1.25), burst(2.0), burst(1.0)]
    assert rush_rate([cold, *counted]) == 400.0  # 50/s for the cold one is left out
    assert correct(pages=None, rush=[cold, *counted], reminders=None) is True
    assert correct(pages=None, rush=[burst(10.0, warm_up=True, confirmed=51), *counted], reminders=None) is False

    run = RunSettings(scale=1, seed=1, seconds=8, clients=8, workers=4, threads=4, worker_concurrency=2, rows={})
    text = render(settings=run, pages=None, rush=[cold, *counted], reminders=None, when=datetime(2026, 12, 5))
    assert "3 times after a warm-up burst (exact too, its rate not counted)" in text
    assert "(the median of the bursts: 400.0 ✓)" in text
    rows = [cells(line) for line in text.splitlines() if line.startswith("| ") and cells(line)[0] in
            ("warm-up", "1", "2", "3")]
    assert [(row[0], row[6]) for row in rows] == [("warm-up", "50.0"), ("1", "400.0"), ("2", "250.0"),
                                                  ("3", "500.0")]


def test_the_dashboards_run_shows_when_each_administrators_figures_appeared_and_fails_if_one_never_did():
    from bench.report import RunSettings, correct, render
    from bench.scenarios import DashboardFigures

    run = RunSettings(scale=1, seed=1, seconds=8, clients=8, workers=4, threads=4, worker_concurrency=2, rows={})
    shown = DashboardFigures(staff=3, shown=[4.5, 1.5, 2.0], timed_out=False)
    lost = DashboardFigures(staff=3, shown=[1.5, 2.0], timed_out=True)

    text = render(settings=run, pages=None, rush=None, reminders=None, dashboard=shown, when=datetime(2026, 12, 5))
    row = next(cells(line) for line in text.splitlines() if line.startswith("| 3 "))
    assert row == ["3", "3 ✓", "1.5 s", "2.0 s", "4.5 s"]
    text = render(settings=run, pages=None, rush=None, reminders=None, dashboard=lost, when=datetime(2026, 12, 5))
    row = next(cells(line) for line in text.splitlines() if line.startswith("| 3 "))
    assert row == ["3", "2 ✗", "1.5 s", "1.8 s", "not within the time limit"]
    assert (correct(pages=None, rush=None, reminders=None, dashboard=shown),
            correct(pages=None, rush=None, reminders=None, dashboard=lost)) == (True, False)


def test_a_signed_in_client_sends_her_csrf_cookie_with_her_session():
    from bench.people import NOBODY, Client

    her, other = Client("s1"), Client("s2")
    assert her.cookie() == f"sessionid=s1; csrftoken={her.csrf}" and len(her.csrf) == 32
    assert her.csrf != other.csrf
    assert NOBODY.cookie() is None


def test_every_drive_of_a_run_takes_values_of_its_own_from_a_pool():
    from bench.scenarios import TURNS, value_index

    # Three rounds, each a warm-up and a timed drive, eight clients, each asking up to TURNS times.
    asked = [value_index(block=block, clients=8, client=client, turn=turn)
             for block in range(6) for client in range(8) for turn in range(TURNS)]
    assert len(set(asked)) == len(asked) == 6 * 8 * TURNS
    assert max(asked) < len(people.dashboard_pools()["period_first"])  # each period counted afresh


def test_pages_named_are_measured_with_the_floors_and_an_unknown_name_stops_the_run():
    from bench.scenarios import pages_named

    chosen = pages_named(PAGES, ["call apply", "我的活动"])

    assert [page.name for page in chosen] == ["floor", "floor (signed in)", "我的活动", "call apply"]
    with pytest.raises(SystemExit, match="no page named 我的活动页"):
        pages_named(PAGES, ["我的活动页"])


def test_each_process_of_a_run_has_one_database_connection_unless_asked_and_the_table_says_so():
    from bench.__main__ import arguments, run_environment
    from bench.report import RunSettings, render

    # As each deployed sync worker holds one: a gunicorn worker's threads take turns with it.
    assert arguments([]).db_connections == 1
    assert arguments(["--db-connections", "3"]).db_connections == 3

    def pool(argv: list[str]) -> str:
        env = run_environment(arguments(argv), database="postgresql:///bench", redis="redis:///0",
                              smtp_port=2525, sms_port=8080, cert=Path("cert.pem"))
        return env["DJANGO_DB_POOL_SIZE"]

    # Never the thread count: sixteen sessions on two cores made a rush's seat holders wait.
    assert pool([]) == "1"
    assert pool(["--threads", "8"]) == "1"
    assert pool(["--db-connections", "3", "--threads", "8"]) == "3"

    def header(connections: int, workers: int = 4, threads: int = 4) -> str:
        run = RunSettings(scale=1, seed=1, seconds=8, clients=8, workers=workers, threads=threads,
                          worker_concurrency=2, rows={}, db_connections=connections)
        return render(settings=run, pages=None, rush=None, reminders=None, when=datetime(2026, 12, 8))

    assert "gunicorn 4 workers × 4 threads, 1 database connection a worker, with the production settings;" in header(1)
    assert "gunicorn 4 workers × 4 threads, 3 database connections a worker, with" in header(3)
    assert "gunicorn 5 sync workers, 1 database connection a worker, with" in header(1, workers=5, threads=1)


def test_one_thread_a_worker_starts_gunicorn_with_sync_workers_as_deployed_and_more_with_threaded_ones():
    started: list[list[str]] = []

    class Recorded(stack.Processes):
        def start(self, name, argv, env, **kwargs):
            started.append(argv)

    def worker_class(threads: int) -> str:
        started.clear()
        stack.gunicorn(Recorded(), {}, port=8000, workers=5, threads=threads)
        (argv,) = started
        return argv[argv.index("--worker-class") + 1]

    assert worker_class(1) == "sync"
    assert worker_class(4) == "gthread"


def test_by_default_the_bench_starts_gunicorn_as_deployed(monkeypatch):
    import runpy

    from bench.__main__ import arguments

    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    deployed = runpy.run_path(str(Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"))
    args = arguments([])

    assert (args.workers, stack.worker_class(args.threads)) == (deployed["workers"], deployed["worker_class"])
    assert deployed["worker_class"] == "sync"
