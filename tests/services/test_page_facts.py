"""The top of a job's, a call's, a service request's and an offering's page is rendered once per
version, never shown stale, and the forms below it are each reader's own."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from members.models import Organisation
from services.models import Call, Job, Offering, OfferingMode
from services.page_facts import CALL_TEMPLATE, JOB_TEMPLATE, OFFERING_TEMPLATE, REQUEST_TEMPLATE
from tests.factories import MemberProfileFactory, StaffFactory, UserFactory
from tests.helpers import renders_of, squash, zh, zh_n
from xiangcheng.core.fragments import FIELDS_TEMPLATE

from . import job_helpers, request_support
from .call_helpers import a_call, approved
from .offering_factories import OfferingFactory, OfferingSlotFactory

pytestmark = pytest.mark.django_db


def facts(client, url: str, template: str, start: str, end: str) -> tuple[int, str]:
    """How many times the request rendered the page's facts, and their text."""
    count, page = renders_of(client, url, template)
    return count, squash(page.split(start)[1].split(end)[0])


def assert_closed_later(shown, closed: str, *, days: int) -> None:
    """The page does not say ``closed`` today and says it, rendered afresh, ``days`` later."""
    _, text = shown()
    assert closed not in text
    with time_machine.travel(timezone.now() + timedelta(days=days)):
        rendered_now, text = shown()
    assert rendered_now == 1 and closed in text


def job_facts(client, job) -> tuple[int, str]:
    return facts(client, job.get_absolute_url(), JOB_TEMPLATE, '<article class="event-page job-page', 'id="apply"')


def test_a_jobs_facts_are_kept_and_each_change_shows_at_once(client):
    org = job_helpers.organisation()
    job = job_helpers.published_job(org, job_helpers.representative(org), StaffFactory())
    client.force_login(MemberProfileFactory().user)

    first, text = job_facts(client, job)
    again, text_again = job_facts(client, job)
    assert (first, again) == (1, 0)
    assert text_again == text and "新材料研发工程师" in text and "苏州相城新材料有限公司" in text

    # Changes made without saving the row (bulk updates keep updated_at) show as well.
    Job.objects.filter(pk=job.pk).update(headcount=7, description="负责储能材料的研发。")
    Organisation.objects.filter(pk=org.pk).update(name="苏州相城新能源有限公司")
    rendered_now, text = job_facts(client, job)
    assert rendered_now == 1
    assert "储能材料" in text and "苏州相城新能源有限公司" in text and "新材料有限公司" not in text

    assert_closed_later(lambda: job_facts(client, job), zh("This job no longer takes applications."), days=40)


def test_the_application_form_is_kept_as_first_shown_and_shown_as_typed_after_an_error(client):
    org = job_helpers.organisation()
    job = job_helpers.published_job(org, job_helpers.representative(org), StaffFactory())
    client.force_login(MemberProfileFactory().user)

    first, _ = renders_of(client, job.get_absolute_url(), FIELDS_TEMPLATE)
    again, page = renders_of(client, job.get_absolute_url(), FIELDS_TEMPLATE)
    assert (first, again) == (1, 0)
    assert 'name="message"' in page

    response = client.post(reverse("services:job_apply", args=[job.pk]), {"message": "x" * 3000})
    assert response.status_code == 400
    assert "x" * 3000 in response.content.decode()


def call_facts(client, call) -> tuple[int, str]:
    return facts(client, call.get_absolute_url(), CALL_TEMPLATE, '<article class="event-page call-page', 'id="apply"')


def test_a_calls_facts_are_kept_and_each_change_shows_at_once(client):
    call = a_call(places=2)
    client.force_login(approved("lin"))

    first, text = call_facts(client, call)
    again, text_again = call_facts(client, call)
    assert (first, again) == (1, 0) and text_again == text and "青年女科学家推荐" in text

    Call.objects.filter(pk=call.pk).update(places=3, eligibility="相城区会员。")
    rendered_now, text = call_facts(client, call)
    places = zh_n("The district may recommend %(n)s member.", "The district may recommend %(n)s members.", 3)
    assert rendered_now == 1 and "相城区会员。" in text and places in text

    closed = zh("Applications closed on %(day)s.", day=call.closes_on.isoformat())
    assert_closed_later(lambda: call_facts(client, call), closed, days=12)


def test_her_response_form_offers_her_contacts_to_her_alone(client):
    org = request_support.organisation()
    service_request = request_support.published(org, author=request_support.representative(org, username="hr"))
    lin = UserFactory(username="lin", email="lin.private@example.cn", phone="13912345678", phone_verified=True)
    MemberProfileFactory(user=lin)
    wang = UserFactory(username="wang", email="wang.private@example.cn", phone="13800001111", phone_verified=True)
    MemberProfileFactory(user=wang)

    url = service_request.get_absolute_url()

    client.force_login(lin)
    first, facts_text = facts(client, url, REQUEST_TEMPLATE, "<h1>", "<form")
    again, _ = facts(client, url, REQUEST_TEMPLATE, "<h1>", "<form")
    hers = [renders_of(client, url, FIELDS_TEMPLATE) for _ in range(2)]
    client.force_login(wang)
    facts_for_wang, _ = facts(client, url, REQUEST_TEMPLATE, "<h1>", "<form")
    his = [renders_of(client, url, FIELDS_TEMPLATE) for _ in range(2)]

    assert (first, again, facts_for_wang) == (1, 0, 0) and "先进新材料研发合作" in facts_text
    # Each one's form is kept from the first time it was shown to them (facts() showed it).
    assert [count for count, _ in hers] == [0, 0] and [count for count, _ in his] == [0, 0]
    her_page, his_page = hers[1][1], his[1][1]
    assert "lin.private@example.cn" in her_page and "13912345678" in her_page
    assert "wang.private@example.cn" in his_page and "13800001111" in his_page
    assert "lin.private@example.cn" not in his_page and "13912345678" not in his_page


def offering_facts(client, offering) -> tuple[int, str]:
    return facts(client, offering.get_absolute_url(), OFFERING_TEMPLATE, '<article class="offering-page', 'id="')


def test_an_offerings_facts_are_kept_and_each_change_shows_at_once(client):
    offering = OfferingFactory(title="女企业家专属金融服务", provider="合作银行相城支行")
    OfferingSlotFactory(offering=offering)
    client.force_login(approved("lin"))

    first, text = offering_facts(client, offering)
    again, text_again = offering_facts(client, offering)
    assert (first, again) == (1, 0) and text_again == text
    assert "女企业家专属金融服务" in text and "合作银行相城支行" in text and zh("Provider") in text

    Offering.objects.filter(pk=offering.pk).update(provider="相城农商行", description="每周二上午面谈。",
                                                     mode=OfferingMode.APPOINTMENT)
    rendered_now, text = offering_facts(client, offering)
    assert rendered_now == 1
    assert "相城农商行" in text and "每周二上午面谈。" in text and "合作银行" not in text
    assert zh("By appointment") in text and zh("Time slots") not in text
