"""The rows of the service-request lists (the members' list and its search, the 相链她科企 page,
and an organisation's own list), kept rendered (``xiangcheng.core.fragments``).

A row shows the request's title, category, field, deadline and budget and its organisation's
name, badge and city: its version names each of them, so a change to any renders it again. A row
is the same for every member; which requests she may see is the list's query
(``ServiceRequest.objects.open``), never the row.

A row of the organisation's own list shows the request's title, status, whether an edit awaits
review, how many responded and wait for an answer, and its deadline; which requests are listed
is the organisation's query (``request_queries.requests_of_organisation``), for its
representatives only.
"""

from django.utils.safestring import SafeString

from xiangcheng.core.fragments import rendered_each

from .models import ServiceRequest

ROW_TEMPLATE = "services/requests/_row.html"
ORGANISATION_ROW_TEMPLATE = "services/requests/_organisation_row.html"


def row_version(service_request: ServiceRequest) -> tuple:
    """Needs the request loaded with its organisation (``request_queries.requests_listed`` does)."""
    organisation = service_request.organisation
    return (service_request.pk, service_request.title, service_request.category, service_request.field,
            service_request.deadline.isoformat(), service_request.budget,
            organisation.name, organisation.badge, organisation.city)


def request_rows(requests) -> SafeString:
    return rendered_each(requests, template=ROW_TEMPLATE, name="r", version=row_version)


def organisation_row_version(service_request: ServiceRequest) -> tuple:
    """Needs ``edit_waiting``, ``response_count`` and ``waiting_count`` (``requests_of_organisation``
    reads them)."""
    return (service_request.pk, service_request.organisation_id, service_request.title, service_request.status,
            service_request.edit_waiting, service_request.response_count, service_request.waiting_count,
            service_request.deadline.isoformat())


def organisation_request_rows(requests) -> SafeString:
    return rendered_each(requests, template=ORGANISATION_ROW_TEMPLATE, name="r", version=organisation_row_version)
