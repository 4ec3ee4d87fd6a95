"""Read-side helpers the service-request pages share: a constant number of queries per page."""

from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from members.models import User
from xiangcheng.core.compiled_queries import CompiledQuery, Listing, Read, together
from xiangcheng.core.related_counts import related_count
from xiangcheng.core.text_search import contains_text

from .models import RequestResponse, ResponseStatus, ServiceRequest
from .request_models import first_open_day


def requests_listed(*, q: str = "", category: str = "", field: str = "", city: str = "",
                    her_field: str = "") -> QuerySet[ServiceRequest]:
    """Open requests (published, deadline not passed), newest first; her field's first ("for you").
    The search reads the title and description indexes over published rows."""
    found = ServiceRequest.objects.open().select_related("organisation", "programme")
    if q:
        found = found.filter(contains_text("title", q) | contains_text("description", q))
    if category:
        found = found.filter(category=category)
    if field:
        found = found.filter(field=field)
    if city:
        found = found.filter(organisation__city=city)
    if her_field and not field:
        found = found.annotate(for_her=Case(When(field=her_field, then=Value(0)), default=Value(1),
                                            output_field=IntegerField()))
        return found.order_by("for_her", "-published_at", "-pk")
    return found.order_by("-published_at", "-pk")


# Only the columns its rows show: 20 requests read whole were five timestamps, an edit's JSON and
# two texts parsed each, most of the query's time in Python.
_OF_ORGANISATION = CompiledQuery(lambda organisation_id: ServiceRequest.objects.filter(organisation_id=organisation_id)
                                 .only("organisation_id", "title", "status", "deadline")
                                 .annotate(edit_waiting=ExpressionWrapper(~Q(pending_changes={}),
                                                                          output_field=BooleanField()),
                                           response_count=related_count(RequestResponse.objects.all(), to="request"),
                                           waiting_count=related_count(
                                               RequestResponse.objects.filter(status=ResponseStatus.SENT), to="request"))
                                 .order_by("-created_at", "-pk"), organisation_id=int)


def requests_of_organisation(organisation_id: int) -> Listing:
    """Her organisation's requests, newest first, with whether an edit awaits review
    (``edit_waiting``), how many responses each has and how many wait, for ``counted_page`` (its
    SQL built once per process)."""
    return _OF_ORGANISATION.listing(organisation_id=organisation_id)


def responses_to(service_request: ServiceRequest) -> QuerySet[RequestResponse]:
    """The responses an organisation reads: the member's name, job title and field come with them."""
    return (RequestResponse.objects.filter(request=service_request)
            .select_related("member__profile", "decided_by", "request").order_by("created_at", "pk"))


# The request page's two reads, their SQL built once per process.
_REQUEST = CompiledQuery(lambda pk, day: ServiceRequest.objects.select_related("organisation", "programme").filter(
    pk=pk).annotate(open_now=Exists(ServiceRequest.objects.open(day=day).filter(pk=OuterRef("pk")))),
    pk=int, day=date)
_RESPONSE_OF = CompiledQuery(lambda request_id, member_id: RequestResponse.objects.filter(
    request_id=request_id, member_id=member_id).select_related("decided_by", "request"),
    request_id=int, member_id=int)


def request_seen_by(*, pk: int, member: User, also: tuple[Read, ...] = ()) -> tuple | None:
    """The request (with ``open_now`` set), her response and the results of the page's other
    reads (``also``), if she may see it: open, or one she responded to (her answer and contacts
    stay hers). None otherwise: the page's 404."""
    # Read in one round trip; her response (at most one: a unique constraint) and the other reads
    # are dropped with a request she may not see.
    service_request, mine, *others = together(_REQUEST.first_read(pk=pk, day=first_open_day()),
                                              _RESPONSE_OF.first_read(request_id=pk, member_id=member.pk), *also)
    if service_request is None:
        return None
    if mine is None and not service_request.open_now:
        return None
    return service_request, mine, *others
