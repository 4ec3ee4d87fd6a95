"""Staff and the admin: the portal's login (rate-limited), and two-factor authentication."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP, format_hotp_value, hotp_value
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD, StaffFactory
from tests.helpers import zh

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ACTIVATE = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"
REAUTHENTICATE = "/accounts/reauthenticate/"
# The start of a 30-second TOTP period, and the start of a later one.
NOW = datetime(2026, 12, 2, 2, 0, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)


def totp_code(secret: str, at: datetime) -> str:
    """The code an authenticator app shows at that moment."""
    return format_hotp_value(hotp_value(secret, int(at.timestamp()) // 30))


@pytest.fixture
def mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True


@pytest.fixture
def staff():
    return StaffFactory(username="shenhe")


def log_in(client, login: str, password: str = PASSWORD, next_url: str = "/admin/"):
    return client.post(f"{LOGIN}?next={next_url}", {"login": login, "password": password})


def test_the_admin_login_page_sends_staff_to_the_portal_login(client):
    response = client.get("/admin/login/?next=/admin/events/event/")
    assert (response.status_code, response.url) == (302, f"{LOGIN}?next=%2Fadmin%2Fevents%2Fevent%2F")
    response = client.get("/admin/")
    assert (response.status_code, response.url) == (302, "/admin/login/?next=/admin/")


def test_a_logged_in_member_who_is_not_staff_is_refused_at_the_admin_login(client, make_phone_user):
    client.force_login(make_phone_user("13812345678"))
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_admin_login_is_throttled_after_five_failures(client, staff):
    for _ in range(5):
        response = log_in(client, staff.email, "wrong-password")
        assert response.status_code == 200
    response = log_in(client, staff.email, PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [zh("Too many failed login attempts. Try again later.")]
    assert SESSION_KEY not in client.session
    assert client.get("/admin/").status_code == 302


def test_without_an_authenticator_staff_are_sent_to_set_one_up(client, staff, mfa_required):
    response = log_in(client, staff.email)
    assert (response.status_code, response.url) == (302, "/admin/")
    response = client.get("/admin/")
    assert (response.status_code, response.url) == (302, ACTIVATE)
    response = client.get("/admin/members/memberprofile/")
    assert (response.status_code, response.url) == (302, ACTIVATE)
    # The rest of the portal is open to her.
    assert client.get(reverse("members:profile")).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_after_activating_an_authenticator_app_she_opens_the_admin(client, staff, mfa_required):
    log_in(client, staff.email)
    # Setting up an authenticator asks for her password again first (allauth's reauthentication).
    response = client.get(ACTIVATE)
    assert (response.status_code, response.url) == (302, f"{REAUTHENTICATE}?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F")
    response = client.post(REAUTHENTICATE, {"password": PASSWORD, "next": ACTIVATE})
    assert (response.status_code, response.url) == (302, ACTIVATE)
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.content.decode()  # shown beside the QR code, to type in by hand

    wrong = client.post(ACTIVATE, {"code": "000000" if totp_code(secret, NOW) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=staff).exists()

    response = client.post(ACTIVATE, {"code": totp_code(secret, NOW)})
    assert (response.status_code, response.url) == (302, reverse("mfa_view_recovery_codes"))
    assert sorted(Authenticator.objects.filter(user=staff).values_list("type", flat=True)) == [
        Authenticator.Type.RECOVERY_CODES, Authenticator.Type.TOTP]
    codes_page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert reverse("admin:index") in codes_page  # "continue to the administration"
    assert client.get("/admin/").status_code == 200


def test_with_an_authenticator_the_login_asks_for_its_code(client, staff, mfa_required):
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(staff, secret)
    with time_machine.travel(LATER, tick=False):
        response = log_in(client, staff.email)
        assert (response.status_code, response.url) == (302, AUTHENTICATE)
        assert SESSION_KEY not in client.session
        assert client.post(AUTHENTICATE, {"code": "123456"}).status_code == 200
        assert SESSION_KEY not in client.session

        response = client.post(AUTHENTICATE, {"code": totp_code(secret, LATER)})
        assert (response.status_code, response.url) == (302, "/admin/")
        assert int(client.session[SESSION_KEY]) == staff.pk
        assert client.get("/admin/").status_code == 200


def test_the_demo_may_relax_the_requirement(client, staff, settings):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_production_requires_two_factor_for_staff():
    import importlib

    from xiangcheng.settings import base

    assert base.STAFF_MFA_REQUIRED is True  # the default
    source = importlib.util.find_spec("xiangcheng.settings.production").loader.get_source(
        "xiangcheng.settings.production")
    assert "\nSTAFF_MFA_REQUIRED = True\n" in source
