"""The membership's and the organisations' dashboard figures, counted around local midnights."""

from datetime import date

import pytest

from members.figures import members_figures, organisations_figures
from members.models import (
    AccountErasure,
    Category,
    City,
    Field,
    MemberProfile,
    Organisation,
    OrganisationStatus,
    Status,
    User,
)
from tests.core.dashboard_support import AFTER, BEFORE, DECEMBER, FIRST, LAST, by_label, pinned
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import label, zh
from xiangcheng.core.figures import Period

pytestmark = pytest.mark.django_db


def _profile(*, created, reviewed=None, **fields) -> MemberProfile:
    profile = MemberProfileFactory(**fields)
    MemberProfile.objects.filter(pk=profile.pk).update(created_at=created, reviewed_at=reviewed)
    return profile


@pytest.fixture
def members():
    with pinned():
        _profile(created=BEFORE, reviewed=BEFORE)  # approved in November: a member at the end, not new
        _profile(created=BEFORE, reviewed=FIRST, category=Category.ENTREPRENEUR, city=City.SHANGHAI)
        _profile(created=FIRST, reviewed=LAST, field=Field.BIOMEDICINE)
        _profile(created=LAST, reviewed=AFTER)  # approved on New Year's Day: not yet at the end
        _profile(created=FIRST, status=Status.PENDING)
        _profile(created=FIRST, reviewed=LAST, status=Status.REJECTED, rejection_reason="材料不全")
        _profile(created=AFTER, status=Status.PENDING)  # created after the period: not counted
        yield


def test_members_by_status_category_field_and_city_at_the_end_of_the_period(members):
    figures = by_label(members_figures(period=DECEMBER, using="default"))

    assert figures[zh("Approved members at the end of the period")] == 3
    assert figures[zh("New members in the period")] == 2
    assert dict(figures[zh("Members by status")]) == {
        label(Status.DRAFT): 0, label(Status.PENDING): 1, label(Status.APPROVED): 4, label(Status.REJECTED): 1}
    categories = dict(figures[zh("Members by category")])
    assert (categories[label(Category.RESEARCHER)], categories[label(Category.ENTREPRENEUR)], sum(categories.values())) \
        == (2, 1, 3)
    fields = dict(figures[zh("Members by field")])
    assert (fields[label(Field.ADVANCED_MATERIALS)], fields[label(Field.BIOMEDICINE)], sum(fields.values())) == (2, 1, 3)
    cities = dict(figures[zh("Members by city")])
    assert (cities[label(City.SUZHOU)], cities[label(City.SHANGHAI)], sum(cities.values())) == (2, 1, 3)
    # Every choice is listed, in the choices' order, zero or not.
    assert [name for name, _n in figures[zh("Members by city")]] == [str(label(c)) for c in City]


def test_a_deleted_account_counts_until_the_day_she_deleted_it():
    with pinned():
        _profile(created=BEFORE, reviewed=BEFORE)  # still a member
        left = _profile(created=BEFORE, reviewed=BEFORE)  # deleted her account in December
        later = _profile(created=BEFORE, reviewed=BEFORE)  # deleted it on New Year's Day
        closed = _profile(created=BEFORE, reviewed=BEFORE)  # closed by staff
        for profile, when in ((left, LAST), (later, AFTER)):
            AccountErasure.objects.create(user=profile.user, requested_at=when)
        User.objects.filter(pk__in=[left.user_id, later.user_id, closed.user_id]).update(is_active=False)

        figures = by_label(members_figures(period=DECEMBER, using="default"))

    assert figures[zh("Approved members at the end of the period")] == 2
    assert dict(figures[zh("Members by status")])[label(Status.APPROVED)] == 2
    assert sum(count for _name, count in figures[zh("Members by city")]) == 2
    assert figures[zh("Accounts deleted in the period")] == 1


def test_new_members_per_month_over_two_months(members):
    period = Period(first=date(2026, 11, 1), last=date(2026, 12, 31))

    figures = by_label(members_figures(period=period, using="default"))

    assert figures[zh("New members per month")] == [("2026-11", 1), ("2026-12", 2)]
    assert figures[zh("New members in the period")] == 3


def test_organisations_registered_and_verified_in_the_period():
    with pinned():
        owner = UserFactory()
        rows = [("91320507MA1XXXXX01", OrganisationStatus.VERIFIED, BEFORE, BEFORE),
                ("91320507MA1XXXXX02", OrganisationStatus.VERIFIED, FIRST, LAST),
                ("91320507MA1XXXXX03", OrganisationStatus.VERIFIED, LAST, AFTER),
                ("91320507MA1XXXXX04", OrganisationStatus.PENDING, FIRST, None)]
        for code, status, created, reviewed in rows:
            organisation = Organisation.objects.create(
                name=f"相城科技{code[-2:]}", credit_code=code, kind="enterprise", industry=Field.ADVANCED_MATERIALS,
                size="small", city=City.SUZHOU, address="相城大道 1 号", public_contact="0512-0000",
                status=status, registered_by=owner)
            Organisation.objects.filter(pk=organisation.pk).update(created_at=created, reviewed_at=reviewed)

        figures = by_label(organisations_figures(period=DECEMBER, using="default"))

    assert figures == {zh("Organisations registered in the period"): 3,
                       zh("Organisations verified in the period"): 1,
                       zh("Verified organisations at the end of the period"): 2}
