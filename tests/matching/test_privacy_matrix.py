"""遇见's privacy matrix: who sees the other side's contact details, at each state of a 相遇
request, on every 遇见 page and admin list she can open — visitors, members outside 遇见, a
stranger in 遇见, the two people themselves, staff without the 遇见 permission and its moderators.

Lin (a) asks Zhou (b), sharing her email; Zhou accepts, sharing her mobile. Only then, and only on
the other side's 我的相遇, does a shared contact appear: Lin sees Zhou's mobile, Zhou sees Lin's
email, nobody sees an unshared one, and no one else sees any."""

import pytest
from allauth.account.models import EmailAddress

from matching import introductions as rules
from matching.models import Introduction
from matching.suggestions import suggestions_refresh
from tests.factories import MemberProfileFactory
from xiangcheng.core.roles import MATCH_MODERATOR, REVIEWER

from .helpers import opted_in

pytestmark = pytest.mark.django_db

MEMBER_PAGES = ["/meet/", "/meet/profile/", "/meet/suggestions/", "/meet/introductions/?tab=sent",
                "/meet/introductions/?tab=received", "/meet/introductions/?tab=connected", "/messages/"]
STAFF_PAGES = ["/admin/matching/introduction/", "/admin/matching/matchprofile/", "/admin/matching/report/",
               "/admin/core/notice/"]
VIEWERS = ["visitor", "outsider", "stranger", "a", "b", "staff", "moderator"]


def reachable(user, *, phone: str):
    """An approved member with a verified email and a verified mobile."""
    user.phone, user.phone_verified = phone, True
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


@pytest.fixture
def people(staff_in_group):
    a = opted_in(reachable(MemberProfileFactory(status="approved", real_name="林晓雯").user, phone="13900000001"))
    b = opted_in(reachable(MemberProfileFactory(status="approved", real_name="周怡然").user, phone="13900000002"))
    stranger = opted_in(reachable(MemberProfileFactory(status="approved").user, phone="13900000003"))
    outsider = reachable(MemberProfileFactory(status="approved").user, phone="13900000004")
    for profile in (a, b, stranger):
        suggestions_refresh(profile=profile)
    return {"a": a.user, "b": b.user, "stranger": stranger.user, "outsider": outsider, "visitor": None,
            "staff": staff_in_group("reviewer", REVIEWER.name),
            "moderator": staff_in_group("moderator", MATCH_MODERATOR.name), "profiles": (a, b)}


def seen(client, viewer, introduction: Introduction | None) -> tuple[str, dict[str, int]]:
    """Every 遇见 page and staff list the viewer opens, as one text, and each one's status."""
    client.logout()
    if viewer is not None:
        client.force_login(viewer)
    pages = MEMBER_PAGES + STAFF_PAGES
    if introduction is not None:
        pages += [f"/meet/introductions/{introduction.pk}/{action}/" for action in ("accept", "decline", "withdraw")]
        pages += [f"/admin/matching/introduction/{introduction.pk}/change/"]
    text, statuses = "", {}
    for page in pages:
        response = client.get(page)
        statuses[page] = response.status_code
        if response.status_code == 200:
            text += response.content.decode()
    return text, statuses


def contacts_seen(text: str, people: dict, viewer: str) -> set[str]:
    """Which of a's and b's contacts appear, leaving out the viewer's own (she may see herself)."""
    found = set()
    for who in ("a", "b"):
        if who == viewer:
            continue
        user = people[who]
        if user.email in text:
            found.add(f"{who}.email")
        if user.phone in text:
            found.add(f"{who}.phone")
    return found


EXPECTED_ACCEPTED = {"a": {"b.phone"}, "b": {"a.email"}}


@pytest.mark.parametrize("state", ["before any request", "pending", "declined", "accepted", "withdrawn"])
def test_a_contact_appears_only_to_the_other_side_once_accepted_and_only_if_shared(client, people, state):
    a, b = people["profiles"]
    introduction = None
    if state != "before any request":
        introduction = rules.introduction_send(sender=a.user, profile_id=b.pk, message="想认识一下", shares=["email"])
    if state == "accepted":
        rules.introduction_accept(pk=introduction.pk, user=b.user, shares=["phone"])
    elif state == "declined":
        rules.introduction_decline(pk=introduction.pk, user=b.user)
    elif state == "withdrawn":
        rules.introduction_withdraw(pk=introduction.pk, user=a.user)

    shown = {viewer: contacts_seen(seen(client, people[viewer], introduction)[0], people, viewer)
             for viewer in VIEWERS}

    expected = EXPECTED_ACCEPTED if state == "accepted" else {}
    assert shown == {viewer: expected.get(viewer, set()) for viewer in VIEWERS}


def test_who_opens_which_page_while_a_request_waits(client, people):
    a, b = people["profiles"]
    introduction = rules.introduction_send(sender=a.user, profile_id=b.pk, message="想认识一下", shares=["email"])
    pk = introduction.pk
    detail = f"/admin/matching/introduction/{pk}/change/"

    pages = {viewer: seen(client, people[viewer], introduction) for viewer in VIEWERS}
    statuses = {viewer: pages[viewer][1] for viewer in VIEWERS}

    answer = {f"/meet/introductions/{pk}/{action}/": statuses for action in ("accept", "decline", "withdraw")}
    assert {viewer: [statuses[viewer][page] for page in answer] for viewer in VIEWERS} == {
        "visitor": [302, 302, 302],
        "outsider": [404, 404, 404],  # a member outside 遇见: not hers
        "stranger": [404, 404, 404],
        "a": [404, 404, 200],  # she withdraws her own request; she cannot answer it
        "b": [200, 200, 404],  # she answers it; she cannot withdraw it
        "staff": [200, 200, 200],  # staff are not members: the members-only page, nothing of the request
        "moderator": [200, 200, 200],
    }
    # Her message is read by the two of them alone: not by the moderators, nor anyone else.
    assert {viewer for viewer in VIEWERS if "想认识一下" in pages[viewer][0]} == {"a", "b"}
    assert {viewer: (statuses[viewer]["/admin/matching/introduction/"], statuses[viewer][detail])
            for viewer in VIEWERS} == {
        "visitor": (302, 302), "outsider": (302, 302), "stranger": (302, 302), "a": (302, 302), "b": (302, 302),
        "staff": (403, 403), "moderator": (200, 200),
    }

