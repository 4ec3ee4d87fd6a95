"""What events put on the home page and on each programme's page (the kernel's section registry)."""

from xiangcheng.core.sections import home_section, programme_section

from .queries import events_listed

HOME_EVENTS = 3
PROGRAMME_EVENTS = 6


def home_events(request) -> dict:
    return {"events": events_listed(viewer=request.user)[:HOME_EVENTS]}


def programme_events(request, programme) -> dict:
    return {"events": events_listed(viewer=request.user, programme=programme.slug)[:PROGRAMME_EVENTS], "programme": programme}


def register() -> None:
    home_section(key="events", template="events/_home_events.html", context=home_events, order=10)
    programme_section(key="events", template="events/_programme_events.html", context=programme_events, order=10)
