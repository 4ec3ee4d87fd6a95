"""遇见 introductions' pages: the request form (bad input keeps her input, nothing saved), 我的相遇's
tabs (a constant number of queries at 5 and 50 rows), answers and withdrawing asked first, another
member's introduction answering 404 for every action, contacts on the page only once connected,
and the read-only admin list for 遇见审核."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from matching import introductions as rules
from matching.models import Introduction, IntroductionStatus, Purpose
from matching.profiles import match_leave
from matching.suggestions import suggestions_refresh
from tests.factories import MemberProfileFactory
from xiangcheng.core.roles import ADMINISTRATOR, MATCH_MODERATOR

from .helpers import opted_in, zh

pytestmark = pytest.mark.django_db

S = IntroductionStatus
LIST = "/meet/introductions/"


def member(**profile):
    return MemberProfileFactory(status="approved", **profile).user


def send(a, b, **kwargs):
    return rules.introduction_send(sender=a.user, profile_id=b.pk, message=kwargs.pop("message", "你好"), **kwargs)


def test_she_asks_from_her_suggestions_and_sees_it_waiting(client):
    her = opted_in(member())
    other = opted_in(member(real_name="周怡然"))
    suggestions_refresh(profile=her)
    client.force_login(her.user)

    suggestions = client.get("/meet/suggestions/").content.decode()
    assert f'href="/meet/request/{other.pk}/"' in suggestions
    form = client.get(f"/meet/request/{other.pk}/")
    assert form.status_code == 200
    assert list(form.context["form"].fields["share"].choices) == [
        ("email", zh("My email address (%(email)s)") % {"email": her.user.email})]
    response = client.post(f"/meet/request/{other.pk}/", {"message": "想认识一下", "share": ["email"]})

    assert response.url == "/meet/introductions/?tab=sent"
    introduction = Introduction.objects.get()
    assert (introduction.sender, introduction.recipient, introduction.message, introduction.sender_shares_email,
            introduction.sender_shares_phone, introduction.status) == (
        her.user, other.user, "想认识一下", True, False, S.PENDING)
    page = client.get(response.url).content.decode()
    assert "周怡然" in page and zh("Waiting for an answer") in page


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"message": "字" * 201}, "message", "The message may have at most %(count)d characters."),
    ({"message": ""}, "message", "Write a short message to introduce yourself."),
    ({"message": "你好", "share": ["fax"]}, "share", "Choose the contacts to share from the list."),
])
def test_bad_input_is_refused_with_a_clear_message_keeping_her_input(client, data, field, message):
    her, other = opted_in(member()), opted_in(member())
    client.force_login(her.user)

    response = client.post(f"/meet/request/{other.pk}/", data)

    assert response.status_code == 200
    expected = zh(message) % {"count": 200} if "%(count)d" in message else zh(message)
    assert response.context["form"].errors[field] == [expected]
    assert response.context["form"]["message"].value() == data["message"]
    assert Introduction.objects.count() == 0


def test_the_eleventh_request_of_the_day_is_refused_on_the_form(client):
    her = opted_in(member())
    others = [opted_in(member()) for _ in range(11)]
    for other in others[:10]:
        send(her, other)
    client.force_login(her.user)

    response = client.post(f"/meet/request/{others[10].pk}/", {"message": "你好"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [zh(
        "You have sent %(count)d 相遇 requests today, the most for one day. You can send more tomorrow.")
        % {"count": 10}]
    assert response.context["form"]["message"].value() == "你好"


def test_forged_and_foreign_ids_answer_404(client):
    a, b, stranger = opted_in(member()), opted_in(member()), opted_in(member())
    single = opted_in(member(), purposes=[Purpose.FRIENDSHIP])
    introduction = send(a, b)
    client.force_login(stranger.user)

    assert client.get("/meet/request/999999/").status_code == 404
    assert client.get(f"/meet/request/{single.pk}/").status_code == 404  # the other circle
    assert client.get(f"/meet/request/{stranger.pk}/").status_code == 404  # herself
    for action in ("accept", "decline", "withdraw"):
        assert client.get(f"{LIST}{introduction.pk}/{action}/").status_code == 404
        assert client.post(f"{LIST}{introduction.pk}/{action}/").status_code == 404
        assert client.post(f"{LIST}999999/{action}/").status_code == 404
    # Each side only the actions that are hers.
    client.force_login(a.user)
    assert client.post(f"{LIST}{introduction.pk}/accept/").status_code == 404
    assert client.post(f"{LIST}{introduction.pk}/decline/").status_code == 404
    client.force_login(b.user)
    assert client.post(f"{LIST}{introduction.pk}/withdraw/").status_code == 404
    introduction.refresh_from_db()
    assert introduction.status == S.PENDING


def test_answers_and_withdrawing_are_asked_first(client):
    a, b = opted_in(member()), opted_in(member())
    introduction = send(a, b)
    client.force_login(b.user)
    assert zh("Yes, decline") in client.get(f"{LIST}{introduction.pk}/decline/").content.decode()
    client.force_login(a.user)
    assert zh("Yes, withdraw") in client.get(f"{LIST}{introduction.pk}/withdraw/").content.decode()
    introduction.refresh_from_db()
    assert introduction.status == S.PENDING

    assert client.post(f"{LIST}{introduction.pk}/withdraw/").url == f"{LIST}?tab=sent"
    introduction.refresh_from_db()
    assert introduction.status == S.WITHDRAWN


def test_a_declined_request_still_looks_waiting_to_the_sender(client):
    a, b = opted_in(member()), opted_in(member())
    introduction = send(a, b)
    client.force_login(b.user)
    assert client.post(f"{LIST}{introduction.pk}/decline/").url == f"{LIST}?tab=received"
    assert zh("You declined") in client.get(f"{LIST}?tab=received").content.decode()

    client.force_login(a.user)
    page = client.get(f"{LIST}?tab=sent").content.decode()
    assert zh("Waiting for an answer") in page
    assert zh("You declined") not in page and zh("Declined") not in page


def asked_one_with_a_mobile(phone: str):
    """A asks B, who has a verified mobile number, sharing her email: (A, B, the request)."""
    a_user, b_user = member(), member()
    b_user.phone, b_user.phone_verified = phone, True
    b_user.save()
    return a_user, b_user, send(opted_in(a_user), opted_in(b_user), shares=["email"])


def test_contacts_appear_on_the_page_only_once_connected(client):
    a_user, b_user, introduction = asked_one_with_a_mobile("13900001111")

    client.force_login(b_user)
    before = client.get(f"{LIST}?tab=received").content.decode() + client.get(
        f"{LIST}{introduction.pk}/accept/").content.decode()
    assert a_user.email not in before
    client.force_login(a_user)
    assert "13900001111" not in client.get(f"{LIST}?tab=sent").content.decode()

    client.force_login(b_user)
    assert client.post(f"{LIST}{introduction.pk}/accept/", {"share": ["phone"]}).url == f"{LIST}?tab=connected"
    assert a_user.email in client.get(f"{LIST}?tab=connected").content.decode()
    client.force_login(a_user)
    connected = client.get(f"{LIST}?tab=connected").content.decode()
    assert "13900001111" in connected and b_user.email not in connected


@pytest.mark.parametrize("tab", ["sent", "received", "connected"])
def test_each_tab_keeps_its_query_count_at_5_and_50_rows(client, tab):
    counts = []
    for rows in (5, 50):
        her = opted_in(member())
        for _ in range(rows):
            # Written directly: fifty requests from her would pass the daily limit.
            other = member()
            sender, recipient = (her.user, other) if tab == "sent" else (other, her.user)
            Introduction.objects.create(
                sender=sender, recipient=recipient, message="你好", sender_shares_email=True,
                recipient_shares_email=True, status=S.ACCEPTED if tab == "connected" else S.PENDING)
        client.force_login(her.user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{LIST}?tab={tab}")
        assert len(response.context["rows"]) == min(rows, 20)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_members_who_have_not_joined_are_sent_to_the_landing_page(client):
    client.force_login(member())
    assert client.get(LIST).url == "/meet/"


def test_the_moderator_reads_who_asked_whom_without_message_or_contacts(client, staff_in_group):
    a = opted_in(member(real_name="林晓雯"))
    b = opted_in(member(real_name="周怡然"))
    introduction = send(a, b, message="想聊聊薄膜材料", shares=["email"])
    rules.introduction_accept(pk=introduction.pk, user=b.user, shares=["email"])
    client.force_login(staff_in_group("moderator", MATCH_MODERATOR.name))

    listed = client.get("/admin/matching/introduction/")
    detail = client.get(f"/admin/matching/introduction/{introduction.pk}/change/")
    assert (listed.status_code, detail.status_code) == (200, 200)
    for text in (listed.content.decode(), detail.content.decode()):
        assert "林晓雯 → 周怡然" in text or ("林晓雯" in text and "周怡然" in text)
        assert "想聊聊薄膜材料" not in text
    # The list shows no contact; the object's own history names who acted, as every audited model's does.
    for secret in (a.user.email, b.user.email):
        assert secret not in listed.content.decode()
    assert client.post(f"/admin/matching/introduction/{introduction.pk}/delete/").status_code == 403
    perms = Group.objects.get(name=MATCH_MODERATOR.name).permissions.values_list("codename", flat=True)
    assert "view_introduction" in perms


def test_staff_without_the_permission_see_no_introductions(client, staff_in_group):
    a, b = opted_in(member()), opted_in(member())
    introduction = send(a, b)
    client.force_login(staff_in_group("admin", ADMINISTRATOR.name))
    assert client.get("/admin/matching/introduction/").status_code == 403
    assert client.get(f"/admin/matching/introduction/{introduction.pk}/change/").status_code == 403


def test_a_connection_who_left_shows_as_left_without_contacts(client):
    a, b = opted_in(member()), opted_in(member(real_name="周怡然"))
    introduction = send(a, b, shares=["email"])
    rules.introduction_accept(pk=introduction.pk, user=b.user, shares=["email"])
    match_leave(user=b.user)
    client.force_login(a.user)

    page = client.get(f"{LIST}?tab=connected").content.decode()

    with translation.override("zh-hans"):
        left = str(rules.SEEN_LABELS[rules.LEFT])
    assert "周怡然" in page and left in page
    assert b.user.email not in page
    assert Introduction.objects.get().status == S.ACCEPTED


def test_a_row_is_rendered_once_but_the_contacts_in_it_are_never_kept(client):
    from django.core.cache import cache

    from matching.introduction_rows import ROW_TEMPLATE
    from tests.helpers import renders_of
    from xiangcheng.core.redis_cache import redis_client

    a_user, b_user, introduction = asked_one_with_a_mobile("13900002222")
    rules.introduction_accept(pk=introduction.pk, user=b_user, shares=["phone"])
    client.force_login(a_user)
    url = f"{LIST}?tab=connected"

    assert renders_of(client, url, ROW_TEMPLATE)[0] == 1
    count, page = renders_of(client, url, ROW_TEMPLATE)
    assert (count, "<dd>13900002222</dd>" in page) == (0, True)
    kept = [cache.get(key.decode().split(":", 2)[2]) for key in redis_client().keys(cache.make_key("fragment:*"))]
    assert kept and not any("13900002222" in html for html in kept)

    # Her number, no longer verified, is gone from the kept row at once.
    b_user.phone_verified = False
    b_user.save()
    count, page = renders_of(client, url, ROW_TEMPLATE)
    assert (count, "13900002222" in page, zh("She chose not to share contact details.") in page) == (1, False, True)


def test_a_shared_address_is_read_with_the_rows_and_gone_once_it_is_no_longer_verified(client):
    from allauth.account.models import EmailAddress

    from members.models import User

    a, b = opted_in(member()), opted_in(member(real_name="周怡然"))
    introduction = send(a, b, shares=["email"])
    rules.introduction_accept(pk=introduction.pk, user=b.user, shares=["email"])
    client.force_login(a.user)
    url = f"{LIST}?tab=connected"

    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    asking = [q["sql"] for q in queries.captured_queries if "account_emailaddress" in q["sql"]]

    assert f"<dd>{b.user.email}</dd>" in page
    # Whether her address is verified is a column of the rows' own statement.
    assert len(asking) == 1 and asking[0].startswith('SELECT "matching_introduction"')
    EmailAddress.objects.filter(user=b.user).update(verified=False)
    assert b.user.email not in client.get(url).content.decode()
    EmailAddress.objects.filter(user=b.user).update(verified=True)
    assert f"<dd>{b.user.email}</dd>" in client.get(url).content.decode()
    # A new address, not verified yet: neither it nor the old one is shown.
    User.objects.filter(pk=b.user.pk).update(email="zhou.new@example.com")
    page = client.get(url).content.decode()
    assert "zhou.new@example.com" not in page and b.user.email not in page
