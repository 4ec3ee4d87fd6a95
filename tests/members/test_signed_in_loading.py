"""The signed-in account for each request (``members.backends``): one query for her account and
her profile, the objects the same as the ORM's, and no account for a closed or unknown one."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.backends import TOTP_ACTIVE, AuthenticationBackend, ModelBackend, signed_in_account
from members.models import MemberProfile, User
from members.staff_mfa import staff_needs_authenticator
from tests.factories import MemberProfileFactory, StaffFactory
from xiangcheng.core.roles import INBOX_AGENT, REVIEWER

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_her_account_and_profile_come_in_one_query_as_the_orm_reads_them():
    profile = MemberProfileFactory(status="approved", real_name="林晓")
    expected = User.objects.select_related("profile").get(pk=profile.user_id)

    with CaptureQueriesContext(connection) as queries:
        user = signed_in_account(profile.user_id)
        name = user.profile.real_name
        back = user.profile.user

    assert len(queries) == 1
    assert name == "林晓"
    assert back is user
    assert _values(user) == _values(expected)
    assert _values(user.profile) == _values(expected.profile)
    assert user._state.adding is False and user.profile._state.adding is False
    assert user._state.db == user.profile._state.db == "default"


def test_an_account_without_a_profile_has_none_without_a_second_query():
    staff = StaffFactory()

    with CaptureQueriesContext(connection) as queries:
        user = signed_in_account(staff.pk)
        with pytest.raises(MemberProfile.DoesNotExist):
            user.profile  # noqa: B018

    assert len(queries) == 1
    assert user == staff and user.is_staff


@pytest.mark.parametrize("backend", [AuthenticationBackend, ModelBackend])
def test_a_closed_or_unknown_account_is_not_signed_in(backend):
    profile = MemberProfileFactory(status="approved")
    User.objects.filter(pk=profile.user_id).update(is_active=False)

    assert signed_in_account(profile.user_id).is_active is False
    assert backend().get_user(profile.user_id) is None
    assert backend().get_user(profile.user_id + 1000) is None


def test_a_signed_in_page_reads_her_account_with_one_query(client):
    profile = MemberProfileFactory(status="approved", real_name="林晓")
    client.force_login(profile.user, backend=settings.AUTHENTICATION_BACKENDS[0])

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/members/profile/")

    assert response.status_code == 200
    assert "林晓" in response.content.decode()
    assert len([q for q in queries if 'FROM "members_user" u' in q["sql"]]) == 1
    assert not [q for q in queries if 'FROM "members_memberprofile"' in q["sql"] and "u." not in q["sql"]]


def test_a_request_carries_her_account_itself_not_a_proxy_and_a_visitor_none(client):
    profile = MemberProfileFactory(status="approved")
    visitor = client.get("/members/privacy/")
    client.force_login(profile.user, backend=settings.AUTHENTICATION_BACKENDS[0])
    signed_in = client.get("/members/profile/")

    assert (type(visitor.wsgi_request.user), type(signed_in.wsgi_request.user)) == (AnonymousUser, User)
    assert signed_in.wsgi_request.user.pk == profile.user_id


# --- her permissions ------------------------------------------------------------------------------

def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)  # as her next request loads her: nothing cached on her


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_her_permissions_her_own_and_her_groups_in_one_query_as_djangos_backend_reads_them(backend):
    staff = StaffFactory(username="two-groups", groups=[REVIEWER.name, INBOX_AGENT.name])
    staff.user_permissions.add(Permission.objects.get(codename="view_event"),
                               Permission.objects.get(codename="view_ticket"))  # also her group's
    expected = DjangoModelBackend().get_all_permissions(_fresh(staff))

    user = _fresh(staff)
    with CaptureQueriesContext(connection) as queries:
        read = backend().get_all_permissions(user)
        again = backend().get_all_permissions(user)

    assert len(queries) == 1
    assert read == expected
    assert {"events.view_event", "services.view_ticket", "members.view_memberprofile"} <= read
    assert again is read
    assert user.has_perm("events.view_event") and not user.has_perm("events.delete_event")


def test_a_signed_in_member_of_staff_brings_her_permissions_with_her_account_as_djangos_backend_reads_them():
    staff = StaffFactory(username="signed-in", groups=[REVIEWER.name, INBOX_AGENT.name])
    staff.user_permissions.add(Permission.objects.get(codename="view_event"))
    closed = StaffFactory(username="closed", groups=[REVIEWER.name], is_active=False)
    root = User.objects.create_superuser("root", "root@example.com", "x" * 20)
    member = MemberProfileFactory(status="approved").user

    user = signed_in_account(staff.pk)
    with CaptureQueriesContext(connection) as queries:
        read = ModelBackend().get_all_permissions(user)
        allowed, refused = user.has_perm("events.view_event"), user.has_perm("events.delete_event")

    assert (len(queries), allowed, refused) == (0, True, False)
    assert read == DjangoModelBackend().get_all_permissions(_fresh(staff))
    # Asked as before of anyone else: a superuser holds every permission, the rest none.
    assert [hasattr(signed_in_account(other.pk), "_perm_cache") for other in (closed, root, member)] == [
        False, False, False]


def test_permissions_follow_her_groups_and_none_for_a_closed_or_anonymous_account():
    staff = StaffFactory(username="moving", groups=[REVIEWER.name])
    assert not _fresh(staff).has_perm("services.view_ticket")

    staff.groups.add(Group.objects.get(name=INBOX_AGENT.name))
    assert _fresh(staff).has_perm("services.view_ticket")
    staff.groups.clear()
    assert ModelBackend().get_all_permissions(_fresh(staff)) == set()

    staff.groups.add(Group.objects.get(name=INBOX_AGENT.name))
    staff.is_active = False
    staff.save()
    assert ModelBackend().get_all_permissions(_fresh(staff)) == set()
    assert ModelBackend().get_all_permissions(AnonymousUser()) == set()


def test_a_superuser_holds_every_permission():
    root = User.objects.create_superuser("root", "root@example.com", "x" * 20)
    assert ModelBackend().get_all_permissions(_fresh(root)) == DjangoModelBackend().get_all_permissions(_fresh(root))
    assert len(ModelBackend().get_all_permissions(_fresh(root))) == Permission.objects.count()


def test_whether_staff_have_an_authenticator_app_comes_with_the_account_as_allauth_answers_it(settings):
    """Asked of staff only; an authenticator of another type (recovery codes) is not an app."""
    settings.STAFF_MFA_REQUIRED = True
    member = MemberProfileFactory(status="approved").user
    without, with_codes, with_app = StaffFactory(), StaffFactory(), StaffFactory()
    Authenticator.objects.create(user=with_codes, type=Authenticator.Type.RECOVERY_CODES, data={})
    Authenticator.objects.create(user=with_app, type=Authenticator.Type.TOTP, data={})
    Authenticator.objects.create(user=member, type=Authenticator.Type.TOTP, data={})

    loaded = {user: signed_in_account(user.pk) for user in (member, without, with_codes, with_app)}

    assert [getattr(loaded[user], TOTP_ACTIVE) for user in (member, without, with_codes, with_app)] == [
        None, False, False, True]
    for user in (without, with_codes, with_app):
        assert getattr(loaded[user], TOTP_ACTIVE) == is_mfa_enabled(user, [Authenticator.Type.TOTP])
    with CaptureQueriesContext(connection) as queries:
        needs = [staff_needs_authenticator(loaded[user]) for user in (without, with_codes, with_app)]
    assert needs == [True, True, False]
    assert len(queries) == 0
    # An account not loaded for a request is asked afresh.
    assert staff_needs_authenticator(User.objects.get(pk=with_app.pk)) is False
