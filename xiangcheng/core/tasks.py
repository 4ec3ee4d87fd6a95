"""The outbox's two tasks: deliver a chunk of notices; retry whatever was left behind (beat). And the nightly retention job."""

from celery import shared_task


@shared_task
def deliver_notices(*, notice_ids: list[int]) -> str:
    from .outbox import deliver_many

    return str(deliver_many(notice_ids=notice_ids))


@shared_task
def deliver_fresh_notices() -> str:
    from .outbox import fresh_drain

    return str(fresh_drain())


@shared_task
def retry_unsent_notices() -> int:
    from .outbox import retry_unsent

    return retry_unsent()


# --- Retention (xiangcheng/core/retention.py): every app's purges, nightly (beat). ---

@shared_task
def run_retention() -> dict[str, int]:
    from .retention import retention_run

    return retention_run()


# --- the staff dashboard: a period's figures (figures.py) and the monthly report (reports.py) -------

@shared_task
def count_dashboard_figures(*, first: str, last: str, language: str) -> str:
    from datetime import date

    from .figures import Period, dashboard_count

    period = Period(first=date.fromisoformat(first), last=date.fromisoformat(last))
    return f"counted at {dashboard_count(period=period, language=language).at.isoformat()}"


@shared_task
def build_dashboard_report(*, report_id: int) -> str:
    from .reports import report_build

    return report_build(report_id=report_id)


@shared_task
def expire_dashboard_reports() -> int:
    from .reports import reports_expire

    return reports_expire()
