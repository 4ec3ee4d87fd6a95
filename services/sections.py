"""What the inbox puts on the home page and on 相聚她平台's page (the kernel's section registry)."""

from xiangcheng.core.sections import home_section, programme_section

# 巾帼管家 is part of 相聚她平台, the gathering platform.
INBOX_PROGRAMME = "gather"


def inbox_entry(request, programme=None) -> dict:
    return {}


def register() -> None:
    home_section(key="inbox", template="services/_inbox_section.html", context=inbox_entry, order=20)
    programme_section(key="inbox", template="services/_inbox_section.html", context=inbox_entry, order=20,
                      programmes=(INBOX_PROGRAMME,))


# --- Jobs (新城招聘) on 相链她科企's page -------------------------------------------------------------

PROGRAMME_JOBS = 6


def programme_jobs(request, programme) -> dict:
    from .jobs import jobs_listed

    return {"jobs": list(jobs_listed()[:PROGRAMME_JOBS])}


def register_jobs() -> None:
    from .models import JOBS_PROGRAMME

    programme_section(key="jobs", template="services/jobs/_programme_jobs.html", context=programme_jobs, order=30,
                      programmes=(JOBS_PROGRAMME,))



# --- Service requests (相链她科企): the latest open requests on the programme's page ---------------
LINK_PROGRAMME_REQUESTS = 5


def link_requests(request, programme) -> dict:
    from .request_queries import requests_listed

    return {"requests": list(requests_listed()[:LINK_PROGRAMME_REQUESTS])}


def register_requests() -> None:
    programme_section(key="service_requests", template="services/requests/_programme_section.html",
                      context=link_requests, order=30, programmes=("link",))


# --- Calls (相创她数智): open calls on the home page and on the page of the programme they belong to --
CALLS_SHOWN = 4


def open_calls_home(request) -> dict | None:
    from .calls import calls_open

    listed = list(calls_open()[:CALLS_SHOWN])
    return {"calls": listed} if listed else None


def open_calls_programme(request, programme) -> dict | None:
    from .calls import calls_open

    listed = list(calls_open(programme=programme.slug)[:CALLS_SHOWN])
    return {"calls": listed} if listed else None


def register_calls() -> None:
    home_section(key="calls", template="services/calls/_section.html", context=open_calls_home, order=25)
    programme_section(key="calls", template="services/calls/_section.html", context=open_calls_programme, order=25)
