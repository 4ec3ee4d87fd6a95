"""The services' dashboard figures: the inbox, service requests and jobs, and the calls,
counted around the period's local midnights with the clock pinned just after it."""

from datetime import date, timedelta

import pytest

from services.call_models import Call, CallApplication, CallApplicationStatus, CallKind, CallLevel, CallStatus
from services.figures import calls_figures, enterprise_figures, inbox_figures
from services.models import Application, Category, Job, JobStatus, Ticket
from services.request_models import RequestResponse, ResponseStatus, ServiceRequest
from tests.core.dashboard_support import AFTER, BEFORE, DECEMBER, FIRST, LAST, by_label, pinned, texts
from tests.factories import MemberProfileFactory
from tests.helpers import label, zh

from .request_support import organisation, representative

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def _ticket(n: int, member, *, created, category=Category.FINANCE, answered_after=None, due_after=48 * HOUR,
            rating=None) -> Ticket:
    ticket = Ticket.objects.create(
        reference=f"JG-2026-{n:06d}", year=2026, number=n, member=member, category=category, subject="贷款贴息",
        description="想了解政策。", due_at=created + due_after, rating=rating,
        first_response_at=created + answered_after if answered_after is not None else None)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created)
    return ticket


def test_inbox_volume_by_category_median_first_answer_share_within_deadline_and_rating():
    with pinned():
        member = MemberProfileFactory().user
        _ticket(1, member, created=BEFORE, answered_after=HOUR, rating=1)  # November: not counted
        _ticket(2, member, created=FIRST, answered_after=2 * HOUR, rating=5)
        _ticket(3, member, created=FIRST, category=Category.POLICY, answered_after=6 * HOUR, rating=4)
        _ticket(4, member, created=LAST, category=Category.POLICY, answered_after=72 * HOUR)  # after its deadline
        _ticket(5, member, created=LAST, category=Category.CHILDCARE)  # not answered yet
        _ticket(6, member, created=AFTER, answered_after=HOUR)  # New Year's Day: not counted

        figures = inbox_figures(period=DECEMBER, using="default")

    values = by_label(figures)
    assert values[zh("Tickets submitted")] == 4
    assert values[zh("Tickets answered")] == 3
    assert values[zh("Median wait for the first answer (hours)")] == 6.0
    assert values[zh("Answered within the deadline")] == 0.6667
    assert values[zh("Average rating (1–5)")] == 4.5
    assert values[zh("Ratings given")] == 2
    categories = dict(values[zh("Tickets by category")])
    assert (categories[label(Category.FINANCE)], categories[label(Category.POLICY)],
            categories[label(Category.CHILDCARE)], sum(categories.values())) == (1, 2, 1, 4)
    shown = texts(figures)
    assert (shown[zh("Answered within the deadline")], shown[zh("Average rating (1–5)")]) == ("67%", "4.50")


def test_an_empty_inbox_period_shows_dashes_not_errors():
    with pinned():
        figures = inbox_figures(period=DECEMBER, using="default")

    shown = texts(figures)
    assert (shown[zh("Tickets submitted")], shown[zh("Median wait for the first answer (hours)")],
            shown[zh("Answered within the deadline")], shown[zh("Average rating (1–5)")]) == ("0", "—", "—", "—")


def _request(org, author, *, published) -> ServiceRequest:
    service_request = ServiceRequest.objects.create(
        organisation=org, author=author, category="technology", title="新材料表征合作", description="寻找专家。",
        field="advanced_materials", deadline=date(2027, 2, 1), status="published", published_at=published)
    return service_request


def _response(service_request, *, created, status=ResponseStatus.SENT, decided=None) -> RequestResponse:
    response = RequestResponse.objects.create(request=service_request, member=MemberProfileFactory().user,
                                              message="我可以帮忙。", status=status, consented_at=created,
                                              decided_at=decided)
    RequestResponse.objects.filter(pk=response.pk).update(created_at=created)
    return response


def _job(org, *, published) -> Job:
    return Job.objects.create(organisation=org, title="研发工程师", city="suzhou", description="负责研发。",
                              closes_on=date(2027, 2, 1), status=JobStatus.PUBLISHED, published_at=published)


def _application(job, *, created) -> Application:
    application = Application.objects.create(job=job, member=MemberProfileFactory().user, message="您好。")
    Application.objects.filter(pk=application.pk).update(created_at=created)
    return application


def test_requests_published_responded_accepted_jobs_and_applications():
    with pinned():
        org = organisation()
        author = representative(org)
        old = _request(org, author, published=BEFORE)
        december = _request(org, author, published=FIRST)
        _request(org, author, published=AFTER)
        _response(old, created=BEFORE, status=ResponseStatus.ACCEPTED, decided=FIRST)  # accepted in December
        _response(december, created=FIRST)
        _response(december, created=LAST, status=ResponseStatus.ACCEPTED, decided=AFTER)  # accepted in January
        _response(old, created=AFTER)
        job = _job(org, published=LAST)
        _job(org, published=BEFORE)
        _application(job, created=LAST)
        _application(job, created=AFTER)

        values = by_label(enterprise_figures(period=DECEMBER, using="default"))

    assert values == {
        zh("Service requests published"): 1,
        zh("Responses sent"): 2,
        zh("Requests that received a response"): 1,
        zh("Responses accepted"): 1,
        zh("Jobs published"): 1,
        zh("Job applications"): 1,
        zh("Service requests and jobs"): [(zh("Requests published"), 1), (zh("Responses sent"), 2),
                                          (zh("Responses accepted"), 1), (zh("Jobs published"), 1),
                                          (zh("Job applications"), 1)],
    }


def _call(*, opens_on, closes_on, status=CallStatus.PUBLISHED, published=None) -> Call:
    return Call.objects.create(kind=CallKind.CONTEST, title="相城区女性创新创业大赛", organiser="相城区妇联",
                               level=CallLevel.DISTRICT, summary="大赛简介", eligibility="会员", requirements="申报书",
                               opens_on=opens_on, closes_on=closes_on, status=status, published_at=published)


def _applied(call, *, submitted=None, status=CallApplicationStatus.SUBMITTED, decided=None) -> CallApplication:
    return CallApplication.objects.create(call=call, member=MemberProfileFactory().user, status=status,
                                          submitted_at=submitted, decided_at=decided,
                                          reason="材料不全" if status == CallApplicationStatus.NOT_SHORTLISTED else "")


def test_calls_open_on_the_last_day_applications_and_decisions():
    with pinned():
        closing = _call(opens_on=date(2026, 12, 1), closes_on=date(2026, 12, 31), published=FIRST)
        _call(opens_on=date(2026, 11, 1), closes_on=date(2026, 12, 30), published=BEFORE)  # closed a day early
        _call(opens_on=date(2027, 1, 1), closes_on=date(2027, 1, 31), published=LAST)  # opens the day after
        _call(opens_on=date(2026, 12, 1), closes_on=date(2026, 12, 31), status=CallStatus.DRAFT)
        _applied(closing, submitted=FIRST)
        _applied(closing, submitted=LAST, status=CallApplicationStatus.RECOMMENDED, decided=LAST)
        _applied(closing, submitted=FIRST, status=CallApplicationStatus.NOT_SHORTLISTED, decided=FIRST)
        _applied(closing, submitted=BEFORE, status=CallApplicationStatus.AWARDED, decided=LAST)
        _applied(closing, submitted=BEFORE, status=CallApplicationStatus.SELECTED, decided=AFTER)
        _applied(closing)  # started, never submitted

        values = by_label(calls_figures(period=DECEMBER, using="default"))

    S = CallApplicationStatus
    assert values == {
        zh("Calls open on the last day"): 1,
        zh("Calls published"): 2,
        zh("Applications submitted"): 3,
        zh("Recommended"): 1,
        zh("Selected or awarded"): 1,
        zh("Decisions by result"): [(label(S.SHORTLISTED), 0), (label(S.NOT_SHORTLISTED), 1),
                                    (label(S.RECOMMENDED), 1), (label(S.SELECTED), 0), (label(S.AWARDED), 1),
                                    (label(S.NOT_SELECTED), 0)],
    }
