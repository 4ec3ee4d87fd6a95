"""Members browse and respond; the organisation accepts or declines; contacts only by consent and
only after acceptance, on the two sides' pages and nowhere else."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Status
from services import responses
from services.models import RequestResponse, ResponseStatus
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import email_subject, messages_of, queries_for, statements_of, zh, zh_n
from xiangcheng.core import audit
from xiangcheng.core.models import Notice

from .request_support import moderator, organisation, published, representative

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
HER_EMAIL, HER_PHONE = "lin.private@example.cn", "13912345678"
REP_EMAIL, REP_PHONE = "hr.private@xiancai.example.cn", "13800005555"
SECRETS = [HER_EMAIL, HER_PHONE, REP_EMAIL, REP_PHONE]


@pytest.fixture
def org():
    return organisation()


@pytest.fixture
def rep(org):
    return representative(org, username="hr", email=REP_EMAIL, phone=REP_PHONE, phone_verified=True)


@pytest.fixture
def her(db):
    user = UserFactory(username="lin", email=HER_EMAIL, phone=HER_PHONE, phone_verified=True)
    MemberProfileFactory(user=user, real_name="林晓雯", job_title="高级工程师", field="advanced_materials")
    return user


@pytest.fixture
def service_request(org, rep):
    return published(org, author=rep)


def respond(client, service_request, follow=False, **data):
    return client.post(reverse("services:request_respond", args=[service_request.pk]),
                       {"message": "我在功能薄膜表征方面有十年经验。", **data}, follow=follow)


def dashboard(service_request) -> str:
    return reverse("services:organisation_request", args=[service_request.organisation_id, service_request.pk])


def assert_no_contacts(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_contacts_only_by_consent_and_only_after_acceptance(client, her, rep, service_request, committed,
                                                            outbox, sms_outbox):
    client.force_login(her)
    # Nothing is ticked for her: both boxes are offered unticked.
    form = client.get(service_request.get_absolute_url()).content.decode()
    assert 'name="share_email"' in form and 'name="share_phone"' in form and "checked" not in form
    with committed():
        assert respond(client, service_request, share_email="on").status_code == 302
    answer = RequestResponse.objects.get()
    assert (answer.share_email, answer.share_phone, answer.status) == (True, False, ResponseStatus.SENT)
    assert [(e.label, e.actor_id) for e in audit.history(answer)] == [("created", her.pk)]

    # Before acceptance the organisation sees her name, job title and field, and no contact.
    client.force_login(rep)
    page = client.get(dashboard(service_request)).content.decode()
    assert "林晓雯" in page and "高级工程师" in page
    assert_no_contacts(page)
    accept_url = reverse("services:request_response_accept", args=[service_request.organisation_id,
                                                                   service_request.pk, answer.pk])
    confirm = client.get(accept_url).content.decode()
    assert 'name="share_email"' in confirm and "checked" not in confirm
    answer.refresh_from_db()
    assert answer.status == ResponseStatus.SENT  # asking is not accepting
    with committed():
        client.post(accept_url, {"share_phone": "on"})
    answer.refresh_from_db()
    assert (answer.status, answer.decided_by, answer.org_share_email, answer.org_share_phone) == (
        ResponseStatus.ACCEPTED, rep, False, True)

    # After it: he sees her email (shared), not her mobile (not shared) …
    page = client.get(dashboard(service_request)).content.decode()
    assert HER_EMAIL in page and HER_PHONE not in page
    # … and she sees his mobile (shared), not his email.
    client.force_login(her)
    page = client.get(service_request.get_absolute_url()).content.decode()
    assert REP_PHONE in page and REP_EMAIL not in page

    # Both were told, and no notice, email or SMS carries a contact.
    accepted = Notice.objects.filter(kind="requests.response_accepted")
    assert sorted(accepted.values_list("recipient_id", flat=True)) == sorted([her.pk, rep.pk])
    for notice in Notice.objects.all():
        assert_no_contacts(notice.subject + notice.body + notice.url)
    accepted_subject = email_subject("Service request %(title)s: %(what)s", title=service_request.title,
                                     what=zh("the response was accepted"))
    assert sorted(m.to[0] for m in outbox if m.subject == accepted_subject) == sorted([HER_EMAIL, REP_EMAIL])
    assert zh("The contact details each side agreed to share are on the page.") in [
        m for m in outbox if m.subject == accepted_subject][0].body
    for message in outbox:
        assert_no_contacts(message.subject + message.body)
    for sms in sms_outbox:
        assert_no_contacts(sms.text + str(sms.params))


def test_nobody_else_sees_contacts(client, her, rep, service_request, org):
    answer = responses.response_create(service_request=service_request, member=her, message="你好",
                                       share_email=True, share_phone=True)
    responses.response_accept(response=answer, representative=rep, share_email=True, share_phone=True)
    other_member = MemberProfileFactory().user
    colleague_elsewhere = representative(organisation(name="别家"))
    staff = moderator()
    for viewer in [other_member, colleague_elsewhere, staff]:
        assert responses.contacts_shown(responses=[answer], viewer=viewer) == {answer.pk: []}
    # Pages of other people: the list, another member's view of the request, staff admin lists.
    client.force_login(other_member)
    assert_no_contacts(client.get(reverse("services:requests")).content.decode())
    assert_no_contacts(client.get(service_request.get_absolute_url()).content.decode())
    # Staff lists name people by their member name (the audit history on a change page names
    # accounts as the whole trail does: staff only).
    client.force_login(staff)
    for url in [reverse("admin:services_requestresponse_changelist"),
                reverse("admin:services_servicerequest_changelist")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_contacts(response.content.decode())
    # And the organisation's own list page shows counts, not people.
    client.force_login(rep)
    assert_no_contacts(client.get(reverse("services:organisation_requests", args=[org.pk])).content.decode())


def test_the_form_names_her_address_only_while_verified_read_with_the_request(client, her, service_request):
    client.force_login(her)
    with CaptureQueriesContext(connection) as asked:
        page = client.get(service_request.get_absolute_url()).content.decode()
    label = zh("My email address (%(email)s)") % {"email": HER_EMAIL}
    assert label in page and 'name="share_email"' in page
    # Her account, then the request, her response and her address, sent together (besides the
    # audit trail's context, reset as the request ends).
    tables = [t for q in asked.captured_queries for t in ("members_user", "services_servicerequest",
                                                         "services_requestresponse", "account_emailaddress")
              if f'FROM "{t}"' in q["sql"]]
    assert tables == ["members_user", "services_servicerequest", "services_requestresponse", "account_emailaddress"]
    # The last three in one round trip: none answered when sent.
    assert statements_of(client, service_request.get_absolute_url(), (
        "services_servicerequest", "services_requestresponse", "account_emailaddress", "members_user")) == [
        ("members_user", True), ("services_servicerequest", False), ("services_requestresponse", False),
        ("account_emailaddress", False)]

    EmailAddress.objects.filter(user=her).update(verified=False)
    page = client.get(service_request.get_absolute_url()).content.decode()
    assert HER_EMAIL not in page and 'name="share_email"' not in page and 'name="share_phone"' in page
    # Posted anyway, the box is not a field of her form: her address is not shared.
    respond(client, service_request, share_email="on")
    assert RequestResponse.objects.get(member=her).share_email is False


def test_an_unverified_contact_cannot_be_shared(client, service_request, rep):
    user = UserFactory(phone="13700001111", phone_verified=False)
    MemberProfileFactory(user=user)
    answer = responses.response_create(service_request=service_request, member=user, message="你好",
                                       share_email=True, share_phone=True)
    assert (answer.share_email, answer.share_phone) == (True, False)


def test_one_response_per_member(client, her, service_request):
    client.force_login(her)
    respond(client, service_request)
    again = respond(client, service_request, follow=True)
    assert messages_of(again)[-1] == zh("You have already responded to this request.")
    assert RequestResponse.objects.count() == 1
    with pytest.raises(responses.ResponseError):
        responses.response_create(service_request=service_request, member=her, message="再来一次")


def test_an_empty_message_is_refused_and_nothing_saved(client, her, service_request):
    client.force_login(her)
    response = respond(client, service_request, message="", share_email="on")
    assert response.status_code == 400
    assert RequestResponse.objects.count() == 0


def test_declining_asks_first_and_tells_her_without_contacts(client, her, rep, service_request, committed, outbox):
    answer = responses.response_create(service_request=service_request, member=her, message="你好", share_email=True)
    client.force_login(rep)
    url = reverse("services:request_response_decline", args=[service_request.organisation_id, service_request.pk,
                                                             answer.pk])
    assert client.get(url).status_code == 200
    with committed():
        client.post(url)
    answer.refresh_from_db()
    assert answer.status == ResponseStatus.DECLINED
    assert responses.contacts_shown(responses=[answer], viewer=rep) == {answer.pk: []}
    assert [m.to for m in outbox if m.to == [HER_EMAIL]] == [[HER_EMAIL]]
    with pytest.raises(responses.ResponseError):
        responses.response_accept(response=answer, representative=rep)


def test_visitors_and_members_not_yet_approved_see_a_clear_page(client, service_request):
    page = client.get(reverse("services:requests")).content.decode()
    assert zh("Service requests are for approved members of the alliance. Log in, or join the alliance to see "
              "and respond to them.") in page
    assert service_request.title not in client.get(service_request.get_absolute_url()).content.decode()
    pending = MemberProfileFactory(status=Status.PENDING).user
    client.force_login(pending)
    assert service_request.title not in client.get(reverse("services:requests")).content.decode()


def test_a_closed_request_is_gone_except_for_who_responded(client, her, rep, service_request, org):
    from services import requests

    responses.response_create(service_request=service_request, member=her, message="你好")
    requests.request_close(service_request=service_request, actor=rep)
    other = MemberProfileFactory().user
    client.force_login(other)
    assert client.get(service_request.get_absolute_url()).status_code == 404
    assert list(client.get(reverse("services:requests")).context["page"]) == []
    client.force_login(her)
    assert client.get(service_request.get_absolute_url()).status_code == 200
    assert respond(client, service_request).status_code == 302
    assert RequestResponse.objects.count() == 1


def test_the_page_closes_at_the_end_of_the_deadline_day_in_xiangcheng(client, her, org, rep):
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        due = published(org, author=rep, deadline=date(2027, 3, 1))
        responses.response_create(service_request=due, member=her, message="你好")
    other = MemberProfileFactory().user
    closed = zh("This request is no longer open.")

    # 23:59 local on the deadline day (15:59 UTC): open to every member.
    with time_machine.travel(datetime(2027, 3, 1, 23, 59, tzinfo=SHANGHAI), tick=False):
        client.force_login(other)
        html = client.get(due.get_absolute_url()).content.decode()
        assert due.title in html and closed not in html
    # 00:20 local the next day (UTC still 1 March), before the expiry job: gone for her who did not
    # respond; she who did still reads it, marked no longer open.
    with time_machine.travel(datetime(2027, 3, 2, 0, 20, tzinfo=SHANGHAI), tick=False):
        client.force_login(other)
        assert client.get(due.get_absolute_url()).status_code == 404
        client.force_login(her)
        html = client.get(due.get_absolute_url()).content.decode()
        assert due.title in html and closed in html


def test_only_an_approved_member_responds_whoever_calls(service_request):
    for account in [MemberProfileFactory(status=Status.PENDING).user, MemberProfileFactory(status=Status.REJECTED, rejection_reason="资料不全").user,
                    UserFactory()]:
        with pytest.raises(responses.ResponseError) as refused:
            responses.response_create(service_request=service_request, member=account, message="你好",
                                      share_email=True)
        assert str(refused.value) == zh("Service requests are for approved members of the alliance.")
    assert RequestResponse.objects.count() == 0
    assert Notice.objects.filter(kind="requests.response_received").count() == 0


def test_a_representative_cannot_respond_to_her_own_organisation(rep, service_request):
    MemberProfileFactory(user=rep)
    with pytest.raises(responses.ResponseError):
        responses.response_create(service_request=service_request, member=rep, message="自己")


def _responses(service_request, n: int) -> None:
    for profile in MemberProfileFactory.create_batch(n):
        answer = responses.response_create(service_request=service_request, member=profile.user, message="你好",
                                           share_email=True)
        if profile.pk % 2:
            responses.response_accept(response=answer, representative=service_request.author, share_email=True)


def test_the_dashboard_and_lists_keep_their_query_counts(client, org, rep, her):
    service_request = published(org, author=rep)
    lists = [(rep, dashboard(service_request)), (rep, reverse("services:organisation_requests", args=[org.pk])),
             (her, reverse("services:requests"))]

    def counts():
        found = []
        for user, url in lists:
            client.force_login(user)
            found.append(queries_for(client, url))
        return found

    _responses(service_request, 5)
    for _ in range(4):
        published(org, author=rep)
    with_five = counts()
    _responses(service_request, 45)
    for _ in range(45):
        published(org, author=rep)
    assert counts() == with_five


def test_the_organisations_list_counts_responses_as_they_come_and_are_answered(client, her, rep, service_request, org):
    listing = reverse("services:organisation_requests", args=[org.pk])

    def meta() -> str:
        client.force_login(rep)
        html = client.get(listing).content.decode()
        return html.split('class="ticket-meta muted">', 1)[1].split("</span>", 1)[0]

    assert meta().startswith(zh_n("%(n)s response", "%(n)s responses", 0))
    client.force_login(her)
    respond(client, service_request, share_email="on")
    counted = meta()
    assert counted.startswith(zh_n("%(n)s response", "%(n)s responses", 1) + " · "
                              + zh_n("%(n)s to answer", "%(n)s to answer", 1))

    answer = RequestResponse.objects.get()
    responses.response_decline(response=answer, representative=rep)
    assert zh_n("%(n)s to answer", "%(n)s to answer", 1) not in meta()
