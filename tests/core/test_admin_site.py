"""The staff site's app list and navigation sidebar (xiangcheng/core/admin_site.py): worked out once
per permissions and language, and always what Django itself would show her on that page."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.models import Group, Permission
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from xiangcheng.core.roles import ENTERPRISE_SERVICE, INBOX_AGENT, REVIEWER

pytestmark = pytest.mark.django_db

SIDEBAR = re.compile(r'<button class="sticky toggle-nav-sidebar".*?</nav>', re.S)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sidebar(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    found = SIDEBAR.findall(response.content.decode())
    assert len(found) == 1
    return found[0]


def _djangos_sidebar(user, url: str) -> str:
    """Django's own sidebar for her on that page: its app list worked out afresh, its template."""
    request = RequestFactory().get(url)
    request.user = user
    with translation.override("zh-hans"):
        apps = AdminSite.get_app_list(admin.site, request)
        return SIDEBAR.findall(render_to_string("admin/nav_sidebar.html", {"available_apps": apps,
                                                                          "request": request}))[0]


def test_each_role_sees_djangos_sidebar_for_her_permissions_and_page(staff_in_group):
    reviewer = staff_in_group("shenhe", REVIEWER.name)
    agent = staff_in_group("kefu", INBOX_AGENT.name)
    members = reverse("admin:members_memberprofile_changelist")
    tickets = reverse("admin:services_ticket_changelist")

    for user, url in [(reviewer, members), (agent, tickets), (reviewer, members), (agent, tickets + "?o=1")]:
        client = _signed_in(user)
        kept = _sidebar(client, url)
        assert kept == _djangos_sidebar(user, url)

    # What one role may open is never in the other's sidebar, however often both were shown.
    assert members in _sidebar(_signed_in(reviewer), members)
    assert tickets not in _sidebar(_signed_in(reviewer), members)
    assert tickets in _sidebar(_signed_in(agent), tickets)
    assert members not in _sidebar(_signed_in(agent), tickets)


def test_the_current_page_is_marked_in_the_kept_sidebar(staff_in_group):
    both = staff_in_group("both", REVIEWER.name, ENTERPRISE_SERVICE.name)
    client = _signed_in(both)
    members = reverse("admin:members_memberprofile_changelist")
    organisations = reverse("admin:members_organisation_changelist")

    on_members, on_organisations = _sidebar(client, members), _sidebar(client, organisations)

    assert f'<a href="{members}" aria-current="page">' in on_members
    assert f'<a href="{organisations}" aria-current="page">' not in on_members
    assert f'<a href="{organisations}" aria-current="page">' in on_organisations
    assert on_organisations == _djangos_sidebar(both, organisations)


def test_a_permission_granted_shows_at_once(staff_in_group):
    clerk = staff_in_group("clerk2", REVIEWER.name)
    tickets = reverse("admin:services_ticket_changelist")
    members = reverse("admin:members_memberprofile_changelist")
    assert tickets not in _sidebar(_signed_in(clerk), members)

    group = Group.objects.create(name="临时")
    group.permissions.add(Permission.objects.get(codename="view_ticket"))
    clerk.groups.add(group)
    clerk = type(clerk).objects.get(pk=clerk.pk)  # as her next request loads her

    assert tickets in _sidebar(_signed_in(clerk), members)
    assert _sidebar(_signed_in(clerk), members) == _djangos_sidebar(clerk, members)


def test_the_app_list_is_worked_out_once_per_permissions_and_language(staff_in_group):
    reviewer = staff_in_group("shenhe2", REVIEWER.name)
    same = staff_in_group("shenhe3", REVIEWER.name)
    agent = staff_in_group("kefu2", INBOX_AGENT.name)

    def app_list(user, language="zh-hans"):
        request = RequestFactory().get("/admin/")
        request.user = type(user).objects.get(pk=user.pk)
        with translation.override(language):
            return admin.site.get_app_list(request)

    first = app_list(reviewer)
    assert app_list(reviewer) is first
    assert app_list(same) is first  # the same role: the same permissions
    assert app_list(agent) is not first
    assert app_list(agent) != first
    # Django sorts the apps by their names in the language of the day.
    assert app_list(reviewer, "en") is not first
