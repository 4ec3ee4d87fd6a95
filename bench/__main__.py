"""`make bench`: the portal under load, measured against the fastest page this stack serves.

    python -m bench                                   # everything, at the issue's volumes
    python -m bench --pages --seconds 10 --scale 0.01 # the pages only, a quick look at demo size
    python -m bench --pages --page "call apply"       # one page beside the floors, printed only
    python -m bench --rush                            # the sign-up rush only
    python -m bench --reminders                       # the reminder fan-out only
    python -m bench --recompute                       # 遇见's nightly recompute only
    python -m bench --dashboard                       # the dashboard's figures counted by the worker only

Starts the embedded PostgreSQL and Redis (or uses DATABASE_URL / REDIS_URL), loads the bulk data
into its own database if it is not there yet, copies it for the run, starts gunicorn with the
production settings, Celery workers and stand-ins for the mail server and the SMS provider,
drives load over loopback, prints one table and writes it to docs/perf.md. docs/perf.md says
what each figure means and how a page joins the table (bench/pages.py).
"""

import argparse
import logging
import os
import sys
import time

from django.db import connection
from django.utils import timezone

from bench import cpu, stack
from xiangcheng import devstack

log = logging.getLogger("bench")
PERF_MD = stack.ROOT / "docs" / "perf.md"


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    part = parser.add_argument_group("what to run (all five when none is named)")
    part.add_argument("--pages", action="store_true", help="every page of bench/pages.py against the floor")
    part.add_argument("--rush", action="store_true", help="the sign-up rush")
    part.add_argument("--reminders", action="store_true", help="the reminder fan-out")
    part.add_argument("--recompute", action="store_true", help="遇见's nightly recompute of every suggestion")
    part.add_argument("--dashboard", action="store_true",
                      help="administrators asking the dashboard for new periods at once, counted by the worker")
    parser.add_argument("--seconds", type=float, default=30, help="how long each page is measured in all (default 30)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of the whole list the pages' seconds are split over, each page's run just "
                             "after a run of the floor (default 3)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="bulk data volume: 1.0 is the issue's (100k members, 1M registrations); 0.01 is demo size")
    parser.add_argument("--seed", type=int, default=1, help="bulk data seed (default 1)")
    parser.add_argument("--fresh", action="store_true", help="drop the loaded bulk data and load it again")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients per page (default 8)")
    parser.add_argument("--rush-clients", type=int, default=500)
    parser.add_argument("--rush-seats", type=int, default=50)
    parser.add_argument("--rush-bursts", type=int, default=3, help="bursts of the rush counted, each for a new event, after a warm-up burst (default 3)")
    parser.add_argument("--reminder-count", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=stack.deployed_workers(),
                        help="gunicorn worker processes (default: as deployed, deploy/gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per gunicorn worker: 1 (the default) starts sync workers, as deployed; "
                             "more, threaded ones")
    parser.add_argument("--db-connections", type=int, default=1,
                        help="database connections per process (its pool's size): 1 by default, as each of the "
                             "deployed sync workers uses; a gunicorn worker's threads take turns with it")
    parser.add_argument("--worker-concurrency", type=int, default=os.cpu_count() or 2,
                        help="Celery worker processes (default: one per core, as `celery worker` starts)")
    parser.add_argument("--page", action="append", default=[], metavar="NAME",
                        help="with --pages: only this page of bench/pages.py (and the floors), repeatable; "
                             "the table is printed, not written to docs/perf.md")
    parser.add_argument("--no-write", action="store_true", help="print the table without writing docs/perf.md")
    args = parser.parse_args(argv)
    if not (args.pages or args.rush or args.reminders or args.recompute or args.dashboard):
        args.pages = args.rush = args.reminders = args.recompute = args.dashboard = True
    return args


def run_environment(args: argparse.Namespace, **where) -> dict[str, str]:
    """What every process of this run sees, given where the database, Redis and the sinks are."""
    return stack.environment(**where, pool=args.db_connections)


def run(args: argparse.Namespace) -> int:
    server = os.environ["DATABASE_URL"]
    template = stack.template_name(scale=args.scale, seed=args.seed)
    if args.fresh:
        stack.database_drop(server, template)
    if not stack.database_exists(server, template):
        stack.database_create(server, template)
    processes = stack.Processes()
    django_ready = False
    try:
        smtp_port, sms_port, cert = stack.sinks(processes, devstack.LOCAL / "bench")
        redis = stack.redis_url(os.environ["REDIS_URL"])
        stack.redis_flush(redis)
        env = run_environment(args, database=stack.database_url(server, template), redis=redis,
                              smtp_port=smtp_port, sms_port=sms_port, cert=cert)
        log.warning("Bulk data in %s (scale %g, seed %d): loading what is absent…", template, args.scale, args.seed)
        stack.manage(env, "migrate", "--noinput", "--verbosity", "0")
        stack.manage(env, "seed_bulk", "--scale", str(args.scale), "--seed", str(args.seed))
        started = time.monotonic()
        stack.database_drop(server, stack.RUN_DB)
        stack.database_create(server, stack.RUN_DB, template=template)
        log.warning("Copied it for this run in %.0f s.", time.monotonic() - started)
        env["DATABASE_URL"] = stack.database_url(server, stack.RUN_DB)
        stack.manage(env, "collectstatic", "--noinput", "--verbosity", "0")

        port = stack.free_port()
        stack.gunicorn(processes, env, port=port, workers=args.workers, threads=args.threads)
        os.environ.update(env)
        import django
        from django.conf import settings as django_settings

        django.setup()
        django_ready = True
        # Every queue but the reports': the pages' dashboard row asks for counts of periods it
        # never comes back to, which would otherwise go on being counted through the pages after it.
        # (In production reports read the replica, on worker machines of their own.)
        queues = [q.name for q in django_settings.CELERY_TASK_QUEUES if q.name != "reports"]
        if args.rush or args.reminders or args.recompute or args.dashboard:
            stack.celery_worker(processes, env, concurrency=args.worker_concurrency, queues=queues)
        from bench import report, scenarios
        from bench.pages import PAGES

        stack.wait_for_port(port, processes)
        parts = cpu.stack_parts(processes, connection=connection, redis_url=redis)
        settings = report.RunSettings(
            scale=args.scale, seed=args.seed, seconds=args.seconds, clients=args.clients, workers=args.workers,
            threads=args.threads, worker_concurrency=args.worker_concurrency,
            rows=scenarios.volumes(), db_connections=args.db_connections)
        pages = rush = reminders = recompute = dashboard = None
        began = timezone.now()
        if args.pages:
            chosen = scenarios.pages_named(PAGES, args.page) if args.page else PAGES
            scenarios.dashboard_months_counted(chosen)
            log.warning("Pages, %g s each in %d rounds with %d clients:", args.seconds, args.rounds, args.clients)
            pages = scenarios.pages_run(chosen, port=port, seconds=args.seconds, clients=args.clients,
                                        rounds=args.rounds, parts=parts)
        if args.rush:
            log.warning("Sign-up rush: %d clients, %d seats, %d bursts…", args.rush_clients, args.rush_seats,
                        args.rush_bursts)
            rush = scenarios.rush_run(port=port, clients=args.rush_clients, seats=args.rush_seats,
                                      bursts=args.rush_bursts, parts=parts)
        if args.reminders:
            scenarios.outbox_drained(since=began, seconds=300)
            log.warning("Reminder fan-out: %d reminders…", args.reminder_count)
            reminders = scenarios.reminders_run(count=args.reminder_count, timeout=1200)
        if args.recompute:
            scenarios.outbox_drained(since=began, seconds=300)
            log.warning("遇见's nightly recompute…")
            recompute = scenarios.recompute_run(timeout=1200)
        if args.dashboard:
            dropped = scenarios.reports_queue_purged()
            log.warning("The dashboard: %d administrators at once, each a new period (%d counts left by the "
                        "pages dropped)…", args.clients, dropped)
            stack.celery_worker(processes, env, concurrency=args.worker_concurrency, queues=["reports"])
            dashboard = scenarios.dashboard_run(port=port, staff=args.clients, timeout=300)
        processes.check()
        text = report.render(settings=settings, pages=pages, rush=rush, reminders=reminders, recompute=recompute,
                             dashboard=dashboard, when=timezone.localtime())
        sys.stdout.write("\n" + text + "\n")
        if not (args.no_write or args.page):
            report.perf_md_update(PERF_MD, text)
            log.warning("Written to %s.", PERF_MD.relative_to(stack.ROOT))
        return 0 if report.correct(pages=pages, rush=rush, reminders=reminders, recompute=recompute,
                                   dashboard=dashboard) else 1
    finally:
        processes.stop()
        if django_ready:
            from django.db import connections

            connections.close_all()
        stack.database_drop(server, stack.RUN_DB)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    args = arguments(argv)
    with devstack.Stack():
        return run(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
