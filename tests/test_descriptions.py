"""Every public page describes itself to search engines and link previews: exactly one
<meta name="description">, in the page's language, its own (not the site's generic one) and
different from every other page's."""

import re
from datetime import timedelta
from html import unescape

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.template.defaultfilters import truncatechars
from django.test import Client, RequestFactory
from django.utils import timezone, translation
from django.views import defaults

from tests.events.factories import EventFactory, programme
from tests.factories import UserFactory
from tests.helpers import zh

pytestmark = pytest.mark.django_db

META = re.compile(r'<meta name="description" content="([^"]*)">')
SITE_WIDE = ("The portal of the Xiangcheng District Women Science & Technology Workers' Alliance, guided by the "
             "district Women's Federation, Suzhou.")


def description(html: str) -> str:
    """The page's one description (fails on none or several)."""
    found = META.findall(html)
    assert len(found) == 1, found
    return unescape(found[0])


def get(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url, follow=True)
    assert response.status_code == status, url
    return response.content.decode()


@pytest.fixture
def pages(client):
    """url → its description, for every public page (and the error pages), in Chinese."""
    gather, link = programme("gather"), programme("link")
    salon = EventFactory(title="产业资源对接沙龙", programme=gather, description="与园区企业面对面交流产业资源。" * 20)
    roundtable = EventFactory(title="科企会客厅", programme=link, description="女性科技企业与投资机构面对面。")
    start = timezone.now() - timedelta(days=30)
    EventFactory(title="往期沙龙", starts_at=start, ends_at=start + timedelta(hours=2),
                 registration_opens_at=start - timedelta(days=5), registration_closes_at=start - timedelta(hours=1))
    user = UserFactory()
    key = default_token_generator.make_token(user)
    urls = ["/", "/programmes/", "/programmes/gather/", "/programmes/link/", "/events/", "/events/past/",
            f"/events/{salon.pk}/", f"/events/{roundtable.pk}/", "/members/privacy/", "/accounts/login/",
            "/accounts/signup/", "/accounts/password/reset/", "/accounts/password/reset/done/",
            f"/accounts/password/reset/key/{user_pk_to_url_str(user)}-{key}/",
            "/accounts/password/reset/key/done/", "/members/password/reset-by-sms/"]
    described = {url: description(get(client, url)) for url in urls}
    described["404"] = description(get(client, "/no-such-page/", status=404))
    request = RequestFactory().get("/")
    request.user = user
    for name, response in [("400", defaults.bad_request(request, Exception())),
                           ("403", defaults.permission_denied(request, Exception())),
                           ("500", defaults.server_error(request))]:
        described[name] = description(response.content.decode())
    return {"described": described, "salon": salon, "gather": gather}


def test_every_public_page_has_its_own_description(pages):
    described = pages["described"]

    assert [url for url, text in described.items() if not text.strip()] == []
    with translation.override(settings.LANGUAGE_CODE):
        generic = translation.gettext(SITE_WIDE)
    assert [url for url, text in described.items() if text == generic] == []
    # No two pages share one.
    assert len(set(described.values())) == len(described)


def test_the_descriptions_say_what_each_page_is_in_chinese(pages):
    described = pages["described"]
    gather, salon = pages["gather"], pages["salon"]

    assert described["/events/"] == zh(
        "Upcoming salons, training, contests and camps of the alliance: when, where, seats left, and how to sign up.")
    assert described["/accounts/login/"] == zh(
        "Log in to the alliance's portal with your email address or mainland mobile number.")
    assert described["/members/password/reset-by-sms/"] == zh(
        "Joined with your mobile number? Enter it and we will text you a code.")
    # A programme's page is described by its own words; an event's by its own, cut short.
    with translation.override(settings.LANGUAGE_CODE):  # the ellipsis is the language's
        programme_text, event_text = truncatechars(gather.description, 120), truncatechars(salon.description, 120)
    assert described["/programmes/gather/"] == f"{gather.name} · {gather.slogan} · {programme_text}"
    when = timezone.localtime(salon.starts_at).strftime("%Y-%m-%d %H:%M")
    assert described[f"/events/{salon.pk}/"] == f"{salon.title} · {when} · {event_text}"
    assert len(event_text) < len(salon.description)


def test_a_description_follows_the_page_s_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert description(get(client, "/accounts/signup/")) == (
        "Join the alliance: sign up with an email address or a mainland mobile number, then tell us about your work.")
    assert description(get(client, "/")).startswith("Join the Xiangcheng District Women Science & Technology")


def test_a_member_page_without_its_own_description_has_the_site_s(client):
    client.force_login(UserFactory())
    with translation.override(settings.LANGUAGE_CODE):
        assert description(get(client, "/accounts/email/")) == translation.gettext(SITE_WIDE)
