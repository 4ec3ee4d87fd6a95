"""The rows of the service-request lists (the members' list and its search, the 相链她科企 page),
kept rendered (``xiangcheng.core.fragments``).

A row shows the request's title, category, field, deadline and budget and its organisation's
name, badge and city: its version names each of them, so a change to any renders it again. A row
is the same for every member; which requests she may see is the list's query
(``ServiceRequest.objects.open``), never the row.
"""

from django.utils.safestring import SafeString

from xiangcheng.core.fragments import rendered_each

from .models import ServiceRequest

ROW_TEMPLATE = "services/requests/_row.html"


def row_version(service_request: ServiceRequest) -> tuple:
    """Needs the request loaded with its organisation (``request_queries.requests_listed`` does)."""
    organisation = service_request.organisation
    return (service_request.pk, service_request.title, service_request.category, service_request.field,
            service_request.deadline.isoformat(), service_request.budget,
            organisation.name, organisation.badge, organisation.city)


def request_rows(requests) -> SafeString:
    return rendered_each(requests, template=ROW_TEMPLATE, name="r", version=row_version)
