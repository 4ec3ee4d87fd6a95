"""Service requests: who posts, the lifecycle, staff moderation, the edit that waits for review,
ownership (404), and expiry after the deadline day."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from members.models import OrganisationStatus
from services import requests, responses
from services.models import RequestResponse, RequestStatus, ResponseStatus, ServiceRequest
from services.tasks import expire_service_requests
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import messages_of, zh, zh_n
from xiangcheng.core import audit

from .request_support import form_data, moderator, organisation, published, representative, request_data

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def org():
    return organisation()


@pytest.fixture
def rep(org):
    return representative(org, username="hr", email="hr@xiancai.example.cn")


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


def new_url(org):
    return reverse("services:organisation_request_new", args=[org.pk])


def test_a_representative_posts_a_draft_then_sends_it_for_review(rep_client, org, rep):
    response = rep_client.post(new_url(org), {**form_data(), "save": ""})
    service_request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("services:organisation_request", args=[org.pk, service_request.pk])
    assert (service_request.status, service_request.author, service_request.programme.slug) == (
        RequestStatus.DRAFT, rep, "link")

    rep_client.post(reverse("services:organisation_request_submit", args=[org.pk, service_request.pk]))
    service_request.refresh_from_db()
    assert service_request.status == RequestStatus.PENDING
    assert [(e.label, e.actor_id) for e in audit.history(service_request)] == [
        ("created", rep.pk), ("pending", rep.pk)]

    listing = rep_client.get(reverse("services:organisation_requests", args=[org.pk]))
    assert [r.title for r in listing.context["page"]] == ["先进新材料研发合作"]


def test_bad_input_keeps_the_form_and_saves_nothing(rep_client, org):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = rep_client.post(new_url(org), {**form_data(deadline=yesterday), "title": "", "submit": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert zh("The deadline cannot be in the past.") in html
    assert "寻找新材料表征方面的专家合作。" in html
    assert ServiceRequest.objects.count() == 0


def test_an_unverified_organisation_cannot_post(client):
    pending = organisation(verified=False)
    user = representative(pending)
    client.force_login(user)
    assert client.get(new_url(pending)).status_code == 404
    assert client.post(new_url(pending), form_data()).status_code == 404
    listing = client.get(reverse("services:organisation_requests", args=[pending.pk]))
    assert listing.status_code == 200
    assert zh("Your organisation can post service requests once staff have verified it.") in listing.content.decode()
    assert ServiceRequest.objects.count() == 0


def test_another_organisations_requests_and_responses_answer_404(rep_client, org):
    other = organisation(name="别家公司")
    theirs = published(other, author=representative(other))
    member = UserFactory(email="lin@example.cn", phone="13912345678", phone_verified=True)
    MemberProfileFactory(user=member, real_name="林晓雯")
    answer = responses.response_create(service_request=theirs, member=member, message="你好",
                                       share_email=True, share_phone=True)
    request_urls = [other.pk, theirs.pk]
    decide_urls = [reverse(name, args=[*request_urls, answer.pk])
                   for name in ["services:request_response_accept", "services:request_response_decline"]]
    for url in [reverse("services:organisation_requests", args=[other.pk]),
                reverse("services:organisation_request_new", args=[other.pk]),
                reverse("services:organisation_request", args=request_urls),
                reverse("services:organisation_request_edit", args=request_urls),
                reverse("services:organisation_request_close", args=request_urls),
                *decide_urls,
                # Her organisation's pk with the other's request and its real response: still not hers.
                reverse("services:organisation_request", args=[org.pk, theirs.pk]),
                reverse("services:request_response_accept", args=[org.pk, theirs.pk, answer.pk])]:
        got = rep_client.get(url)
        assert got.status_code == 404, url
        assert "林晓雯" not in got.content.decode()
    for url in [reverse("services:organisation_request_close", args=request_urls), *decide_urls]:
        posted = rep_client.post(url, {"share_email": "on", "share_phone": "on"})
        assert posted.status_code == 404, url
        assert "lin@example.cn" not in posted.content.decode() and "13912345678" not in posted.content.decode()
    theirs.refresh_from_db()
    answer.refresh_from_db()
    assert theirs.status == RequestStatus.PUBLISHED
    assert (answer.status, answer.decided_by, answer.org_share_email, answer.org_share_phone) == (
        ResponseStatus.SENT, None, False, False)
    assert [e.label for e in audit.history(answer)] == ["created"]


def test_staff_publish_and_reject_in_bulk_with_a_reason(client, org, rep, committed, outbox):
    first, second = (requests.request_create(organisation=org, author=rep, data=request_data(title=t), submit=True)
                     for t in ["先进新材料研发合作", "高校专利成果转化"])
    staff = moderator()
    client.force_login(staff)
    changelist = reverse("admin:services_servicerequest_changelist")
    assert client.get(changelist, {"review": "awaiting"}).status_code == 200

    # Rejecting asks for the reason on a page of its own first.
    ask = client.post(changelist, {"action": "reject", "_selected_action": [second.pk]})
    assert ask.status_code == 200
    assert "高校专利成果转化" in ask.content.decode()
    with committed():
        client.post(changelist, {"action": "publish", "_selected_action": [first.pk]})
        client.post(changelist, {"action": "reject", "_selected_action": [second.pk], "reason": "描述过于简单"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.rejection_reason) == (
        RequestStatus.PUBLISHED, RequestStatus.REJECTED, "描述过于简单")
    assert [(e.label, e.actor_id, e.reason) for e in audit.history(second)][-1] == ("rejected", staff.pk, "描述过于简单")
    subjects = sorted(m.subject for m in outbox)
    assert len(subjects) == 2
    assert [m.to for m in outbox] == [[rep.email], [rep.email]]
    assert any("描述过于简单" in m.body for m in outbox)


def test_a_request_whose_deadline_has_passed_is_not_published(client, org, rep, committed, outbox):
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        late, late_too = (requests.request_create(organisation=org, author=rep, submit=True,
                                                  data=request_data(title=title, deadline=date(2027, 3, 2)))
                          for title in ["三月二日截止", "也是三月二日截止"])
        in_time = requests.request_create(organisation=org, author=rep, submit=True,
                                          data=request_data(title="四月截止", deadline=date(2027, 4, 1)))
    staff = moderator()
    client.force_login(staff)
    # 00:20 local on 3 March (UTC still 2 March): the deadline day of the first two has ended.
    with time_machine.travel(datetime(2027, 3, 3, 0, 20, tzinfo=SHANGHAI), tick=False), committed():
        answer = client.post(reverse("admin:services_servicerequest_changelist"),
                             {"action": "publish", "_selected_action": [late.pk, late_too.pk, in_time.pk]},
                             follow=True)
    assert messages_of(answer) == [
        zh_n("%(n)d request published.", "%(n)d requests published.", 1),
        zh_n("%(n)d request was not published: its deadline has passed. It stays awaiting review; "
             "ask the organisation for a new deadline, or do not publish it.",
             "%(n)d requests were not published: their deadline has passed. They stay awaiting review; "
             "ask the organisation for a new deadline, or do not publish them.", 2)]
    assert dict(ServiceRequest.objects.values_list("title", "status")) == {
        "三月二日截止": RequestStatus.PENDING, "也是三月二日截止": RequestStatus.PENDING,
        "四月截止": RequestStatus.PUBLISHED}
    assert ServiceRequest.objects.get(pk=late.pk).published_at is None
    assert [e.label for e in audit.history(late)] == ["created", "pending"]
    assert len(outbox) == 1  # only the published one's organisation was told


def test_a_request_of_an_organisation_no_longer_verified_is_gone(client, org, rep):
    service_request = published(org, author=rep)
    member = MemberProfileFactory().user
    client.force_login(member)
    assert client.get(service_request.get_absolute_url()).status_code == 200
    for status, reason in [(OrganisationStatus.PENDING, ""), (OrganisationStatus.REJECTED, "证照过期")]:
        # A name or code change sends it back to review; or staff reject it.
        type(org).objects.filter(pk=org.pk).update(status=status, rejection_reason=reason)
        assert list(client.get(reverse("services:requests")).context["page"]) == []
        assert client.get(service_request.get_absolute_url()).status_code == 404
        assert client.post(reverse("services:request_respond", args=[service_request.pk]),
                           {"message": "你好", "share_email": "on"}).status_code == 404
        assert not service_request.is_open()
        with pytest.raises(responses.ResponseError) as refused:
            responses.response_create(service_request=service_request, member=member, message="你好")
        assert str(refused.value) == zh("This request no longer takes responses.")
    assert RequestResponse.objects.count() == 0
    # Verified again: it is back.
    type(org).objects.filter(pk=org.pk).update(status=OrganisationStatus.VERIFIED, rejection_reason="")
    assert [r.pk for r in client.get(reverse("services:requests")).context["page"]] == [service_request.pk]


def test_an_edit_to_a_published_request_waits_for_review_and_the_public_copy_stays(
        client, rep_client, org, rep, committed):
    service_request = published(org, author=rep)
    edit = reverse("services:organisation_request_edit", args=[org.pk, service_request.pk])
    rep_client.post(edit, {**form_data(title="先进新材料研发合作（第二期）"), "submit": ""})
    service_request.refresh_from_db()
    assert service_request.status == RequestStatus.PUBLISHED
    assert service_request.title == "先进新材料研发合作"
    assert service_request.pending_changes == {"title": "先进新材料研发合作（第二期）"}
    # Her form shows her edit; members still see the public copy.
    assert "先进新材料研发合作（第二期）" in rep_client.get(edit).content.decode()
    listing = reverse("services:organisation_requests", args=[org.pk])
    waiting = zh("edit awaiting review")
    assert waiting in rep_client.get(listing).content.decode()

    staff = moderator()
    client.force_login(staff)
    page = client.get(reverse("admin:services_servicerequest_change", args=[service_request.pk])).content.decode()
    assert "先进新材料研发合作（第二期）" in page and 'class="pending-edit"' in page
    with committed():
        client.post(reverse("admin:services_servicerequest_changelist"),
                    {"action": "publish", "_selected_action": [service_request.pk]})
    service_request.refresh_from_db()
    assert (service_request.title, service_request.pending_changes) == ("先进新材料研发合作（第二期）", {})
    assert service_request.status == RequestStatus.PUBLISHED
    assert waiting not in rep_client.get(listing).content.decode()


def test_a_rejected_edit_leaves_the_published_copy(org, rep):
    service_request = published(org, author=rep)
    requests.request_edit(service_request=service_request, author=rep, data=request_data(title="改过的标题"))
    requests.requests_reject(request_ids=[service_request.pk], reviewer=moderator(), reason="标题不清楚")
    service_request.refresh_from_db()
    assert (service_request.status, service_request.title, service_request.pending_changes) == (
        RequestStatus.PUBLISHED, "先进新材料研发合作", {})


def test_closing_asks_first_then_closes(rep_client, org, rep):
    service_request = published(org, author=rep)
    url = reverse("services:organisation_request_close", args=[org.pk, service_request.pk])
    assert zh("Close this request? Members will no longer see it or respond.") in rep_client.get(url).content.decode()
    service_request.refresh_from_db()
    assert service_request.status == RequestStatus.PUBLISHED
    rep_client.post(url)
    service_request.refresh_from_db()
    assert service_request.status == RequestStatus.CLOSED
    with pytest.raises(requests.RequestError):
        requests.request_edit(service_request=service_request, author=rep, data=request_data())


def test_a_verification_withdrawn_stops_posting_but_not_reading(rep_client, org, rep):
    service_request = published(org, author=rep)
    type(org).objects.filter(pk=org.pk).update(status=OrganisationStatus.REJECTED, rejection_reason="证照过期")
    assert rep_client.get(reverse("services:organisation_request", args=[org.pk, service_request.pk])).status_code == 200
    assert rep_client.get(reverse("services:organisation_request_edit",
                                  args=[org.pk, service_request.pk])).status_code == 404


def test_expiry_after_the_deadline_day_in_xiangcheng(org, rep):
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        due_today = published(org, author=rep, deadline=date(2027, 3, 1), title="今天截止")
        later = published(org, author=rep, deadline=date(2027, 3, 2), title="明天截止")
        assert due_today.is_open()
    # 23:59 local on the deadline day: still open.
    with time_machine.travel(datetime(2027, 3, 1, 23, 59, tzinfo=SHANGHAI), tick=False):
        assert expire_service_requests.delay().get() == 0
        assert set(ServiceRequest.objects.open().values_list("title", flat=True)) == {"今天截止", "明天截止"}
    # 00:20 local the next day (UTC still 1 March): the first has expired, in one statement.
    with time_machine.travel(datetime(2027, 3, 2, 0, 20, tzinfo=SHANGHAI), tick=False):
        assert not due_today.is_open()
        assert list(ServiceRequest.objects.open().values_list("title", flat=True)) == ["明天截止"]
        assert expire_service_requests.delay().get() == 1
        assert expire_service_requests.delay().get() == 0  # idempotent
    due_today.refresh_from_db()
    later.refresh_from_db()
    assert (due_today.status, later.status) == (RequestStatus.EXPIRED, RequestStatus.PUBLISHED)
    last = audit.history(due_today)[-1]
    assert (last.label, last.reason) == ("expired", "The deadline passed")
