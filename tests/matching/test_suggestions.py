"""遇见's suggestions: scoring and its reasons, the 交友 circle kept apart, who is never suggested,
the refresh after she changes her profile, the nightly chunks, and her page (privacy, query count)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from matching import personal_data, suggestions
from matching.cards import CARD_TEMPLATE, cards_of, suggestion_cards
from matching.models import MatchProfile, MatchStatus, Purpose, Suggestion
from matching.profiles import MatchDetails, match_edit, match_leave
from matching.scoring import Reason, reasons_text, score, stored_reasons_text
from matching.suggestions import active_profile_chunks, suggestions_refresh
from matching.tasks import refresh_all_suggestions
from members.models import City, Field
from tests.factories import MemberProfileFactory
from tests.helpers import renders_of, statements_of

from .helpers import opted_in, zh

pytestmark = pytest.mark.django_db


def member(**profile):
    return MemberProfileFactory(status="approved", **profile).user


def test_reasons_are_exact_in_chinese_and_mentoring_is_a_complement():
    her = opted_in(member(), purposes=[Purpose.SEEK_MENTOR], cities=[City.SUZHOU], interests=["人工智能"],
                   fields=[Field.AI])
    mentor = opted_in(member(), purposes=[Purpose.OFFER_MENTORING], cities=[City.SUZHOU, City.WUXI],
                      interests=["人工智能", "摄影"], fields=[Field.ADVANCED_MATERIALS])

    scored = score(her=her, candidate=mentor)
    back = score(her=mentor, candidate=her)

    assert scored.reasons == [Reason("city", ("suzhou",)), Reason("interests", ("人工智能",)), Reason("she_mentors")]
    assert scored.score == 1 + 3 + 5
    assert reasons_text(scored.reasons) == " · ".join([
        zh("Both in %(items)s") % {"items": zh("Suzhou")},
        zh("Both interested in %(items)s") % {"items": "人工智能"},
        zh("She is willing to mentor; you are looking for a mentor"),
    ])
    assert back.reasons[-1] == Reason("she_seeks_mentor")
    assert back.score == scored.score


def test_stored_reasons_are_put_into_words_in_the_language_of_each_reader():
    stored = [Reason("city", ("suzhou",)).as_json(), Reason("fields", ("ai", "unknown")).as_json(),
              {"code": "a-newer-code", "items": []}]

    with translation.override("zh-hans"):
        chinese = stored_reasons_text(stored)
        assert stored_reasons_text(stored) == chinese
    with translation.override("en"):
        english = stored_reasons_text(stored)

    assert chinese == " · ".join([zh("Both in %(items)s") % {"items": zh("Suzhou")},
                                  zh("Both working in %(items)s") % {"items": f"{zh('Artificial intelligence')}、unknown"}])
    assert english == "Both in Suzhou · Both working in Artificial intelligence、unknown"


def test_a_cards_labels_are_in_the_language_of_each_reader():
    her = opted_in(member(), purposes=[Purpose.NETWORKING], cities=[City.SUZHOU], fields=[Field.AI])
    other = MemberProfileFactory(field=Field.AI).user
    opted_in(other, purposes=[Purpose.NETWORKING, Purpose.OFFER_MENTORING], cities=[City.SUZHOU, City.WUXI])
    suggestions_refresh(profile=her)

    with translation.override("zh-hans"):
        chinese = cards_of(viewer=her)[0]
    with translation.override("en"):
        english = cards_of(viewer=her)[0]
    with translation.override("zh-hans"):
        assert cards_of(viewer=her)[0] == chinese

    assert (chinese.purposes, chinese.cities, chinese.field) == (
        (zh("Industry networking"), zh("Willing to mentor")), (zh("Suzhou"), zh("Wuxi")), zh("Artificial intelligence"))
    assert (english.purposes, english.cities, english.field) == (
        ("Industry networking", "Willing to mentor"), ("Suzhou", "Wuxi"), "Artificial intelligence")


def test_two_mentees_are_not_complements():
    her = opted_in(member(), purposes=[Purpose.SEEK_MENTOR], interests=["甲"], fields=[], cities=[City.WUXI])
    other = opted_in(member(), purposes=[Purpose.SEEK_MENTOR], interests=["乙"], fields=[], cities=[City.SHANGHAI])

    assert score(her=her, candidate=other) is None


def test_the_best_twenty_are_stored_in_a_deterministic_order():
    her = opted_in(member(), interests=["人工智能", "新材料"], fields=[Field.AI], cities=[City.SUZHOU])
    strong = opted_in(member(), interests=["人工智能", "新材料"], fields=[Field.AI], cities=[City.SUZHOU])
    others = [opted_in(member(), interests=["人工智能"], fields=[], cities=[City.WUXI]) for _ in range(22)]

    assert suggestions_refresh(profile=her) == 20
    first = list(Suggestion.objects.filter(profile=her).order_by("-score", "candidate_id")
                 .values_list("candidate_id", "score"))
    suggestions_refresh(profile=her)
    again = list(Suggestion.objects.filter(profile=her).order_by("-score", "candidate_id")
                 .values_list("candidate_id", "score"))

    expected = [(strong.pk, 3 * 2 + 2 + 1 + 2)] + [(o.pk, 3 + 2) for o in others[:19]]
    assert first == again == expected


def test_the_friendship_circle_is_kept_apart_both_ways():
    single = opted_in(member(), purposes=[Purpose.NETWORKING, Purpose.FRIENDSHIP])
    another = opted_in(member(), purposes=[Purpose.FRIENDSHIP])
    colleague = opted_in(member(), purposes=[Purpose.NETWORKING])

    for profile in (single, another, colleague):
        suggestions_refresh(profile=profile)

    def suggested(p):
        return set(Suggestion.objects.filter(profile=p).values_list("candidate_id", flat=True))

    assert (suggested(single), suggested(another), suggested(colleague)) == ({another.pk}, {single.pk}, set())
    assert Reason("purposes", ("friendship",)) in score(her=single, candidate=another).reasons


def test_suspended_and_departed_members_are_never_suggested():
    her = opted_in(member())
    suspended = opted_in(member())
    leaving = opted_in(member())
    suggestions_refresh(profile=her)
    MatchProfile.objects.filter(pk=suspended.pk).update(status=MatchStatus.SUSPENDED)
    match_leave(user=leaving.user)

    shown_now = [card.candidate_id for card in cards_of(viewer=her)]
    suggestions_refresh(profile=her)

    assert shown_now == []
    assert Suggestion.objects.filter(profile=her).count() == 0


def test_candidates_come_by_what_they_share_then_oldest_first_for_a_whole_chunk(monkeypatch):
    monkeypatch.setattr(suggestions, "CANDIDATES_MAX", 4)
    her = opted_in(member(), interests=["人工智能"], fields=[Field.AI], cities=[City.SUZHOU])
    city_only = opted_in(member(), interests=["摄影"], fields=[Field.BIOMEDICINE], cities=[City.SUZHOU])
    interest_only = opted_in(member(), interests=["人工智能"], fields=[Field.BIOMEDICINE], cities=[City.WUXI])
    field_and_city = opted_in(member(), interests=["摄影"], fields=[Field.AI], cities=[City.SUZHOU])
    nothing = opted_in(member(), interests=["摄影"], fields=[Field.BIOMEDICINE], cities=[City.WUXI])
    everything = [opted_in(member(), interests=["人工智能"], fields=[Field.AI], cities=[City.SUZHOU])
                  for _ in range(2)]
    # Without fields of her own: her tiers are interests and cities only.
    no_fields = opted_in(member(), interests=["摄影"], fields=[], cities=[City.WUXI])
    single = opted_in(member(), purposes=[Purpose.FRIENDSHIP], interests=["人工智能"], fields=[Field.AI],
                      cities=[City.SUZHOU])
    other_single = opted_in(member(), purposes=[Purpose.FRIENDSHIP], interests=["摄影"], fields=[],
                            cities=[City.SUZHOU])

    found = suggestions.candidate_ids([her, no_fields, single])

    assert found == {
        her.pk: [everything[0].pk, everything[1].pk, interest_only.pk, field_and_city.pk],
        # interests and city, then interests alone (oldest first), then the city alone
        no_fields.pk: [nothing.pk, city_only.pk, field_and_city.pk, interest_only.pk],
        single.pk: [other_single.pk],
    }
    assert city_only.pk not in found[her.pk]


def test_her_edit_refreshes_her_suggestions_after_the_commit(django_capture_on_commit_callbacks):
    her = opted_in(member(), interests=["摄影"], fields=[], cities=[City.WUXI])
    other = opted_in(member(), interests=["人工智能"], fields=[], cities=[City.SHANGHAI])
    assert Suggestion.objects.filter(profile=her).count() == 0

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        match_edit(user=her.user, details=MatchDetails(purposes=[Purpose.NETWORKING], cities=[City.WUXI],
                                                       interests=["人工智能"]))

    assert len(callbacks) == 1
    assert list(Suggestion.objects.filter(profile=her).values_list("candidate_id", flat=True)) == [other.pk]


def test_the_nightly_run_covers_every_active_profile_in_chunks():
    profiles = [opted_in(member()) for _ in range(3)]
    MatchProfile.objects.filter(pk=profiles[1].pk).update(status=MatchStatus.SUSPENDED)

    assert active_profile_chunks(size=1) == [[profiles[0].pk], [profiles[2].pk]]


def test_the_nightly_task_refreshes_everyone_taking_part():
    first, second = opted_in(member()), opted_in(member())

    assert refresh_all_suggestions.delay().get() == 1  # one chunk (eager here; a worker in production)

    assert sorted(Suggestion.objects.values_list("profile_id", "candidate_id")) == [
        (first.pk, second.pk), (second.pk, first.pk)]


def test_the_page_keeps_its_query_count_at_5_and_50_rows(client):
    counts = []
    for rows in (5, 50):
        her = opted_in(member(), interests=[f"兴趣{rows}"])
        for _ in range(rows):
            opted_in(member(), interests=[f"兴趣{rows}"])
        suggestions_refresh(profile=her)
        client.force_login(her.user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/meet/suggestions/")
        assert len(response.context["suggestions"]) == min(rows, 20)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # Her account, then her match profile with her suggestions and who is excluded since, in one
    # round trip.
    assert statements_of(client, "/meet/suggestions/", ("members_user", "matching_matchprofile", "matching_suggestion")) == [
        ("members_user", True), ("matching_matchprofile", False), ("matching_suggestion", False),
        ("matching_matchprofile", False)]


def test_the_page_shows_reasons_and_no_contact_details(client):
    her = opted_in(member(), purposes=[Purpose.SEEK_MENTOR], interests=["人工智能"], cities=[City.SUZHOU])
    mentor_user = member(real_name="林晓雯", organisation="某某材料研究院", job_title="研究员", visible_fields=[])
    mentor_user.phone, mentor_user.phone_verified = "13912345678", True
    mentor_user.save()
    opted_in(mentor_user, purposes=[Purpose.OFFER_MENTORING], interests=["人工智能"], cities=[City.SUZHOU])
    suggestions_refresh(profile=her)
    client.force_login(her.user)

    page = client.get("/meet/suggestions/").content.decode()

    assert "林晓雯" in page
    assert zh("She is willing to mentor; you are looking for a mentor") in page
    for secret in (mentor_user.email, "13912345678", "某某材料研究院", "研究员"):
        assert secret not in page


def test_members_who_have_not_joined_get_the_landing_page(client):
    client.force_login(member())
    assert client.get("/meet/suggestions/").url == "/meet/"
    client.logout()
    assert client.get("/meet/suggestions/").url == "/meet/"


def test_what_she_chose_to_show_is_shown_and_friendship_details_stay_in_the_circle(client):
    her = opted_in(member(), purposes=[Purpose.FRIENDSHIP], interests=["徒步"])
    other_user = member(real_name="孙悦", job_title="芯片验证工程师", visible_fields=["job_title"])
    opted_in(other_user, purposes=[Purpose.FRIENDSHIP], interests=["徒步"], age_min=28, age_max=36,
             age_visibility="circle", hometown="江苏南通", hometown_visibility="connected")
    suggestions_refresh(profile=her)
    client.force_login(her.user)

    [card] = cards_of(viewer=her, suggestions=client.get("/meet/suggestions/").context["suggestions"])

    assert (card.name, card.job_title, card.age_range, card.hometown) == ("孙悦", "芯片验证工程师", "28–36", "")


def card_of(page: str) -> str:
    return page.split('<li class="member-card suggestion"')[1].split("</li>")[0]


def test_a_card_is_rendered_once_and_a_change_to_what_it_shows_or_to_her_standing_shows_at_once(client):
    her = opted_in(member(), interests=["人工智能"], cities=[City.SUZHOU])
    other = opted_in(member(real_name="林晓雯"), interests=["人工智能"], cities=[City.SUZHOU],
                     introduction="做材料研究")
    suggestions_refresh(profile=her)
    client.force_login(her.user)

    first, page = renders_of(client, "/meet/suggestions/", CARD_TEMPLATE)
    again, page_again = renders_of(client, "/meet/suggestions/", CARD_TEMPLATE)
    assert (first, again) == (1, 0)
    assert card_of(page_again) == card_of(page)
    assert "做材料研究" in page and zh("Ask to meet") in page

    MatchProfile.objects.filter(pk=other.pk).update(introduction="做新能源电池研究")
    rendered, page = renders_of(client, "/meet/suggestions/", CARD_TEMPLATE)
    assert rendered == 1 and "做新能源电池研究" in page and "做材料研究" not in page

    # Suspended, she still sees her suggestions but may not ask anyone to meet.
    MatchProfile.objects.filter(pk=her.pk).update(status=MatchStatus.SUSPENDED)
    rendered, page = renders_of(client, "/meet/suggestions/", CARD_TEMPLATE)
    assert rendered == 1 and "林晓雯" in page and zh("Ask to meet") not in page


def test_a_kept_card_names_whether_its_reader_is_in_the_circle():
    # Two readers of the same stored suggestion, one in the 交友 circle and one not: the card kept
    # for the first (her age range shown to the circle) is never the one the second is given.
    single = opted_in(member(), purposes=[Purpose.FRIENDSHIP], interests=["徒步"])
    opted_in(member(real_name="孙悦"), purposes=[Purpose.NETWORKING, Purpose.FRIENDSHIP], interests=["徒步"],
             age_min=28, age_max=36, age_visibility="circle")
    suggestions_refresh(profile=single)
    [shown] = suggestions.suggestions_for(profile=single)
    outside = MatchProfile(user_id=single.user_id, purposes=[Purpose.NETWORKING], status=MatchStatus.ACTIVE)

    with translation.override("zh-hans"):
        in_circle = suggestion_cards(viewer=single, suggestions=[shown])
        not_in_circle = suggestion_cards(viewer=outside, suggestions=[shown])

    age = zh("Seeks age %(range)s") % {"range": "28–36"}
    assert "孙悦" in in_circle and age in in_circle
    assert "孙悦" in not_in_circle and age not in not_in_circle


def test_her_export_lists_her_suggestions_by_the_name_her_page_shows_and_why():
    her = opted_in(member(), purposes=[Purpose.SEEK_MENTOR], interests=["人工智能"], cities=[City.SUZHOU])
    mentor = opted_in(member(real_name="林晓雯"), purposes=[Purpose.OFFER_MENTORING], interests=["人工智能"],
                      cities=[City.SUZHOU])
    suggestions_refresh(profile=her)
    stored = Suggestion.objects.get(profile=her)

    with translation.override("zh-hans"):
        rows, files = personal_data.suggestions(her.user)
        why = reasons_text(score(her=her, candidate=mentor).reasons)

    assert rows == [{"person": "林晓雯", "why": why, "computed_at": stored.computed_at}]
    assert files == []
