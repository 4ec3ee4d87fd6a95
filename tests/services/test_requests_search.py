"""Members' list of service requests: filters, Chinese substring search on indexes, "for you"."""

import pytest
from django.db import connection
from django.urls import reverse

from members.models import Organisation, WomenLed
from services.models import ServiceRequest
from services.request_queries import requests_listed
from services.request_rows import ROW_TEMPLATE
from tests.factories import MemberProfileFactory
from tests.helpers import queries_for, renders_of, squash, zh

from .request_support import organisation, published, representative

pytestmark = pytest.mark.django_db
URL = reverse("services:requests")


@pytest.fixture
def viewer(client):
    profile = MemberProfileFactory(real_name="观察者", field="ai")
    client.force_login(profile.user)
    return profile


def titles(response) -> list[str]:
    return [r.title for r in response.context["page"]]


@pytest.fixture
def posted(db):
    suzhou = organisation(city="suzhou")
    shanghai = organisation(city="shanghai", name="上海某公司")
    rep, rep2 = representative(suzhou), representative(shanghai)
    published(suzhou, author=rep, title="先进新材料研发合作", field="advanced_materials", category="technology")
    published(suzhou, author=rep, title="招聘算法工程师", field="ai", category="talent",
              description="负责视觉算法的研发。")
    published(shanghai, author=rep2, title="融资对接", field="digital_finance", category="financing",
              description="希望对接关注新材料方向的投资机构。")


def test_search_finds_chinese_substrings_in_title_and_description(client, viewer, posted):
    assert titles(client.get(URL, {"q": "新材料"})) == ["融资对接", "先进新材料研发合作"]
    assert titles(client.get(URL, {"q": "算法"})) == ["招聘算法工程师"]
    assert titles(client.get(URL, {"q": "材新"})) == []  # every character, not the substring
    assert titles(client.get(URL, {"q": "100%"})) == []


def test_filters_by_category_field_and_city(client, viewer, posted):
    assert titles(client.get(URL, {"category": "talent"})) == ["招聘算法工程师"]
    assert titles(client.get(URL, {"field": "digital_finance"})) == ["融资对接"]
    assert titles(client.get(URL, {"city": "shanghai"})) == ["融资对接"]
    assert titles(client.get(URL, {"city": "suzhou", "category": "financing"})) == []


def test_her_field_comes_first(client, viewer, posted):
    # Newest first, but hers (artificial intelligence) before the rest.
    assert titles(client.get(URL)) == ["招聘算法工程师", "融资对接", "先进新材料研发合作"]


def test_pages_of_twenty(client, viewer):
    org = organisation()
    rep = representative(org)
    for n in range(45):
        published(org, author=rep, title=f"需求{n:02d}")
    first = client.get(URL)
    assert len(first.context["page"]) == 20
    assert first.context["page"].paginator.num_pages == 3
    assert len(client.get(URL, {"page": 3}).context["page"]) == 5


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_search_reads_the_character_indexes(viewer, posted):
    with connection.cursor() as cursor:
        # No other index left to find published rows by (dropped inside this test's transaction).
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'services_servicerequest' "
                       "AND indexdef NOT LIKE 'CREATE UNIQUE%%' AND indexname <> ALL(%s)",
                       [["requests_title_chars", "requests_description_chars"]])
        for (index,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{index}"')
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = _plan(requests_listed(q="新材料", her_field="ai"))
    for index in ["requests_title_chars", "requests_description_chars"]:
        assert f"Bitmap Index Scan on {index}" in plan, plan


def test_the_link_programme_page_lists_the_latest_open_requests(client, posted):
    html = client.get("/programmes/link/").content.decode()
    for title in ["先进新材料研发合作", "招聘算法工程师", "融资对接"]:
        assert title in html
    assert "先进新材料研发合作" not in client.get("/programmes/gather/").content.decode()


def test_staff_lists_keep_their_query_counts(client, posted, staff_in_group):
    from services import responses
    from services.models import ServiceRequest

    client.force_login(staff_in_group("qiye", "企业服务"))
    urls = [reverse("admin:services_servicerequest_changelist"), reverse("admin:services_requestresponse_changelist")]

    def add(n: int) -> None:
        target = ServiceRequest.objects.first()
        for profile in MemberProfileFactory.create_batch(n):
            responses.response_create(service_request=target, member=profile.user, message="你好")
        org = target.organisation
        for _ in range(n):
            published(org, author=target.author)

    add(5)
    with_five = [queries_for(client, url) for url in urls]
    add(45)
    assert [queries_for(client, url) for url in urls] == with_five


def rows_rendered(client, params=None) -> tuple[int, str]:
    count, page = renders_of(client, URL, ROW_TEMPLATE, params)
    return count, squash(page)


def test_rows_are_kept_rendered_and_what_a_row_shows_changes_it_at_once(client, viewer, posted):
    first, _ = rows_rendered(client)
    again, page = rows_rendered(client)
    searched, _ = rows_rendered(client, {"q": "新材料"})
    assert (first, again, searched) == (3, 0, 0)
    assert "上海某公司" in page

    # Changed without save() (no updated_at): the row's version is what it shows.
    Organisation.objects.filter(name="上海某公司").update(name="上海新材料投资", women_led=WomenLed.FOUNDER,
                                                       women_led_confirmed=True)
    ServiceRequest.objects.filter(title="先进新材料研发合作").update(title="新材料表征合作")
    changed, page = rows_rendered(client)

    assert changed == 2
    assert "上海新材料投资 " + zh("Founded by a woman") in page
    assert "新材料表征合作" in page and "先进新材料研发合作" not in page and "上海某公司" not in page
