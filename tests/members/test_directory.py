"""The member directory: who is listed, what others may see, search, filters, paging, queries."""

import re

import pytest
from django.db import connection

from members.directory_cards import CARD_TEMPLATE
from members.models import City, Field, MemberProfile, Status, VisibleField
from members.queries import directory_profiles
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import queries_for, renders_of

pytestmark = pytest.mark.django_db

URL = "/members/directory/"
ALL_FIELDS = [v.value for v in VisibleField]


def names(qs) -> list[str]:
    return [p.real_name for p in qs]


def listed_names(response) -> list[str]:
    return [p.real_name for p in response.context["page"]]


@pytest.fixture
def viewer(client):
    """An approved member who is not listed herself, logged in."""
    profile = MemberProfileFactory(real_name="观察者", status=Status.APPROVED, listed_in_directory=False)
    client.force_login(profile.user)
    return profile


def test_only_approved_members_who_chose_to_be_listed_appear(client, viewer):
    MemberProfileFactory(real_name="甲-已批准")
    MemberProfileFactory(real_name="乙-不公开", listed_in_directory=False)
    MemberProfileFactory(real_name="丙-待审核", status=Status.PENDING)
    MemberProfileFactory(real_name="丁-未通过", status=Status.REJECTED, rejection_reason="资料不全")
    MemberProfileFactory(real_name="戊-未申请", status=Status.DRAFT)
    MemberProfileFactory(real_name="己-已停用", user=UserFactory(is_active=False))

    assert names(directory_profiles()) == ["甲-已批准"]
    response = client.get(URL)
    assert listed_names(response) == ["甲-已批准"]
    html = response.content.decode()
    for hidden in ["乙-不公开", "丙-待审核", "丁-未通过", "戊-未申请", "己-已停用", "观察者"]:
        assert hidden not in html


def test_search_by_name_organisation_and_tag(client, viewer):
    MemberProfileFactory(real_name="王静怡", organisation="苏州纳米所", expertise=["柔性电子"])
    MemberProfileFactory(real_name="李梦琪", organisation="相城区数字金融产业园", expertise=["区块链", "风控"])
    MemberProfileFactory(real_name="王雅琳", organisation="华为苏州研究所", expertise=["芯片设计"])

    assert listed_names(client.get(URL, {"q": "王"})) == ["王雅琳", "王静怡"]
    assert listed_names(client.get(URL, {"q": "纳米"})) == ["王静怡"]
    assert listed_names(client.get(URL, {"q": "区块链"})) == ["李梦琪"]
    assert listed_names(client.get(URL, {"q": "芯片设计"})) == ["王雅琳"]
    assert listed_names(client.get(URL, {"q": "不存在的关键词"})) == []


def test_filter_by_field_and_city(client, viewer):
    MemberProfileFactory(real_name="A", field=Field.AI, city=City.SUZHOU)
    MemberProfileFactory(real_name="B", field=Field.AI, city=City.SHANGHAI)
    MemberProfileFactory(real_name="C", field=Field.BIOMEDICINE, city=City.SUZHOU)

    assert listed_names(client.get(URL, {"field": "ai"})) == ["A", "B"]
    assert listed_names(client.get(URL, {"city": "suzhou"})) == ["A", "C"]
    assert listed_names(client.get(URL, {"field": "ai", "city": "shanghai"})) == ["B"]
    assert listed_names(client.get(URL, {"field": "biomedicine", "city": "shanghai"})) == []


def test_a_hidden_field_is_neither_searchable_nor_shown(client, viewer):
    visible_except = [f for f in ALL_FIELDS if f not in {"organisation", "expertise", "field", "city", "bio"}]
    MemberProfileFactory(
        real_name="赵敏", organisation="保密研究院甲", expertise=["隐藏标签"], field=Field.AI,
        city=City.NANJING, bio="这段简介不公开", visible_fields=visible_except,
    )
    MemberProfileFactory(real_name="钱琳", organisation="公开研究院乙", field=Field.BLOCKCHAIN, city=City.WUXI)

    assert listed_names(client.get(URL, {"q": "保密研究院"})) == []
    assert listed_names(client.get(URL, {"q": "隐藏标签"})) == []
    assert listed_names(client.get(URL, {"field": "ai"})) == []
    assert listed_names(client.get(URL, {"city": "nanjing"})) == []
    assert listed_names(client.get(URL, {"q": "赵敏"})) == ["赵敏"]
    assert listed_names(client.get(URL, {"q": "公开研究院"})) == ["钱琳"]

    html = client.get(URL).content.decode()
    assert "赵敏" in html
    assert "公开研究院乙" in html
    for secret in ["保密研究院甲", "隐藏标签", "这段简介不公开"]:
        assert secret not in html
    # Her field and city are not shown: each name appears once, as an option of the filters.
    assert html.count("人工智能") + html.count("Artificial intelligence") == 1
    assert html.count("南京") + html.count("Nanjing") == 1


def test_contact_details_never_appear(client, viewer):
    people = [
        ("13811112222", "xiaowen.lin.private@example.cn"),
        ("15933334444", "yutong.zhou.private@example.cn"),
    ]
    for phone, email in people:
        user = UserFactory(phone=phone, phone_verified=True, email=email)
        MemberProfileFactory(user=user, visible_fields=ALL_FIELDS)
    response = client.get(URL)
    assert len(listed_names(response)) == 2
    html = response.content.decode()
    for phone, email in people:
        assert phone not in html
        assert email not in html
        assert email.split("@")[0] not in html


def test_pagination_twenty_per_page(client, viewer):
    MemberProfileFactory.create_batch(45)
    first = client.get(URL)
    assert len(first.context["page"]) == 20
    assert first.context["page"].paginator.num_pages == 3
    second = client.get(URL, {"page": 2})
    third = client.get(URL, {"page": 3})
    assert len(third.context["page"]) == 5
    seen = listed_names(first) + listed_names(second) + listed_names(third)
    assert len(seen) == 45
    assert len(set(seen)) == 45
    assert seen == sorted(seen)
    # Out-of-range pages show the last page rather than an error.
    assert listed_names(client.get(URL, {"page": 99})) == listed_names(third)
    # Page links keep the search.
    html = client.get(URL, {"q": "会员", "page": 2}).content.decode()
    assert re.search(r'href="\?[^"]*q=%E4%BC%9A%E5%91%98[^"]*page=3"', html)


def test_search_finds_any_substring_ignoring_case_only_where_she_shows_it(client, viewer):
    MemberProfileFactory(real_name="欧阳晓雯", organisation="EDA工具实验室")
    MemberProfileFactory(real_name="张晓", organisation="某芯片EDA公司",
                         visible_fields=[f for f in ALL_FIELDS if f != "organisation"])
    MemberProfileFactory(real_name="晓雯", listed_in_directory=False)

    assert listed_names(client.get(URL, {"q": "阳晓"})) == ["欧阳晓雯"]  # inside the name
    assert listed_names(client.get(URL, {"q": "晓"})) == ["张晓", "欧阳晓雯"]
    assert listed_names(client.get(URL, {"q": "eda"})) == ["欧阳晓雯"]  # not her hidden organisation
    assert listed_names(client.get(URL, {"q": "晓晓"})) == []  # every character, but not the substring
    assert listed_names(client.get(URL, {"q": "100%"})) == []  # LIKE's wildcards are plain characters


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of test rows would be read sequentially anyway; what is checked here is that
        # the queries' SQL is the indexes' expressions, so the planner can use them at volume.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_directory_reads_its_indexes(viewer):
    # Enough listed members, none matching the search, with fresh statistics: each search index
    # is partial over listed members, so on a few rows the planner may read one of them whole as
    # the list of listed members and filter, depending on statistics it last gathered.
    MemberProfileFactory.create_batch(200)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE members_memberprofile")
    with connection.cursor() as cursor:
        # Nor a sort after another index: on these rows the planner's choice between the two
        # turns on statistics; only an index in the directory's own order can avoid the sort.
        cursor.execute("SET LOCAL enable_sort = off")
    assert "Index Scan using directory_by_name" in _plan(directory_profiles()[:20])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = on")

    with connection.cursor() as cursor:
        # With no other index left to find listed members by (dropped inside this test's
        # transaction), the search can only be planned on the three search indexes.
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'members_memberprofile' "
                       "AND indexdef NOT LIKE 'CREATE UNIQUE%%' AND indexname <> ALL(%s)",
                       [["directory_name_chars", "directory_organisation_chars", "directory_tags"]])
        for (index,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{index}"')
        cursor.execute("SET LOCAL enable_indexscan = off")  # nor a whole unique index read in full
        # Nor one search index read whole as "the listed members": after a long run the search
        # indexes carry the pages of every row earlier tests wrote and rolled back, which makes
        # a lookup look dearer than reading one whole. Rebuilt (inside this test's transaction)
        # they hold the rows that are there, as they would in production.
        # Reading one whole still filters every listed member, which at volume costs far more than
        # on these 200 rows: each row's filter is priced as such.
        for index in ["directory_name_chars", "directory_organisation_chars", "directory_tags"]:
            cursor.execute(f'REINDEX INDEX "{index}"')
        cursor.execute("ANALYZE members_memberprofile")
        cursor.execute("SET LOCAL cpu_operator_cost = 1")
    plan = _plan(directory_profiles(q="王"))

    for index in ["directory_name_chars", "directory_organisation_chars", "directory_tags"]:
        assert f"Bitmap Index Scan on {index}" in plan, plan


def test_the_number_of_queries_does_not_grow_with_the_members_listed(client, viewer, media_root):
    MemberProfileFactory.create_batch(5)
    assert len(client.get(URL).context["page"]) == 5
    with_five = queries_for(client, URL)

    MemberProfileFactory.create_batch(45)
    # 50 listed, 20 on the page: more rows per page must not mean more queries either.
    assert len(client.get(URL).context["page"]) == 20
    with_fifty = queries_for(client, URL)
    assert with_five == with_fifty


def test_a_photo_is_shown_only_when_she_chose_to_show_it(client, viewer):
    shown = MemberProfileFactory(avatar_thumb="avatars/thumbs/" + "a" * 32 + ".jpg")
    MemberProfileFactory(avatar_thumb="avatars/thumbs/" + "b" * 32 + ".jpg",
                         visible_fields=[f for f in ALL_FIELDS if f != "avatar"])
    html = client.get(URL).content.decode()
    # Served by the view that checks who asks, never from /media/.
    assert f'src="/members/photos/{shown.avatar_thumb.name}"' in html
    assert "/media/" not in html
    assert "b" * 32 not in html


def test_an_account_deactivated_by_staff_leaves_the_directory(client, viewer):
    profile = MemberProfileFactory(real_name="庚-在列")
    assert listed_names(client.get(URL)) == ["庚-在列"]
    profile.user.is_active = False
    profile.user.save(update_fields=["is_active"])
    assert listed_names(client.get(URL)) == []
    assert listed_names(client.get(URL, {"q": "庚"})) == []


def test_cards_are_kept_rendered_and_a_field_she_hides_disappears_at_once(client, viewer):
    profile = MemberProfileFactory(real_name="辛-在列", job_title="首席科学家", bio="做材料表征。")
    MemberProfileFactory(real_name="壬-在列")
    first, _ = renders_of(client, URL, CARD_TEMPLATE)
    again, html = renders_of(client, URL, CARD_TEMPLATE)
    assert (first, again) == (2, 0)
    assert "首席科学家" in html and "做材料表征。" in html

    # Changed without save(): the card's version is what it may show and what she chose to show.
    MemberProfile.objects.filter(pk=profile.pk).update(
        visible_fields=[f for f in ALL_FIELDS if f not in {"job_title", "bio"}])
    hidden, html = renders_of(client, URL, CARD_TEMPLATE)

    assert hidden == 1
    assert "辛-在列" in html and "首席科学家" not in html and "做材料表征。" not in html
