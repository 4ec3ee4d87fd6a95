"""The links an organisation's workbench (企业工作台) shows, registered by the apps above members.

members renders the page and knows nothing of requests or jobs: an app registers each link once,
at start-up (in its AppConfig's ``ready``)::

    workbench_link(key="requests", label=_("Service requests"), url_name="services:org_requests", order=10)

and the page shows every link, in ``order``, reversing ``url_name`` with the organisation's pk.
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class WorkbenchLink:
    key: str
    label: object  # a lazily translated string
    url_name: str
    order: int = 100


LINKS: dict[str, WorkbenchLink] = {}


def workbench_link(*, key: str, label, url_name: str, order: int = 100) -> WorkbenchLink:
    """Register a link on every organisation's workbench; the same key twice is a mistake."""
    link = WorkbenchLink(key=key, label=label, url_name=url_name, order=order)
    if LINKS.setdefault(key, link) != link:
        raise ValueError(f"workbench link {key!r} is registered twice")
    return link


def workbench_links(*, organisation_pk: int) -> list[tuple[str, str]]:
    """(label, url) of every registered link for this organisation, in order."""
    return [(str(link.label), reverse(link.url_name, args=[organisation_pk]))
            for link in sorted(LINKS.values(), key=lambda link: (link.order, link.key))]
