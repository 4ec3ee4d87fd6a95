"""The links an organisation's workbench (企业工作台) shows, registered by the apps above members.

members renders the page and knows nothing of requests or jobs: an app registers each link once,
at start-up (in its AppConfig's ``ready``)::

    workbench_link(key="requests", label=_("Service requests"), url_name="services:org_requests", order=10)

and the page shows every link, in ``order``, reversing ``url_name`` with the organisation's pk.

What the page says of the organisation — its name and logo, whether it is verified, these links
and its details — is the same for each of its representatives: it is kept rendered
(``xiangcheng.core.fragments``) under a version naming every field it shows.
"""

from dataclasses import dataclass
from functools import partial

from django.urls import reverse
from django.utils.safestring import SafeString

from xiangcheng.core.fragments import rendered_kept

from .models import Organisation

HEAD_TEMPLATE = "members/organisations/_workbench_head.html"


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


def workbench_head(organisation: Organisation) -> SafeString:
    """The workbench's head, its links and the organisation's details. The links depend only on
    the organisation's pk and the registry (the code: ``fragments.release``), so they are
    reversed only when the fragment is rendered."""
    version = (organisation.pk, organisation.name, organisation.logo_thumb.name, organisation.badge,
               organisation.status, organisation.rejection_reason, organisation.credit_code, organisation.kind,
               organisation.industry, organisation.size, organisation.city, organisation.district,
               organisation.address, organisation.public_contact, organisation.women_led,
               organisation.women_led_confirmed, organisation.description)
    return rendered_kept(template=HEAD_TEMPLATE, version=version, context={
        "organisation": organisation, "links": partial(workbench_links, organisation_pk=organisation.pk)})
