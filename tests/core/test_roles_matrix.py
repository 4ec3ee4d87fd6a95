"""Least privilege, proved: what each staff role sees and may do in admin and on the staff pages.

One row per role (the registry's, plus staff in no role at all): the admin change lists that
answer 200 and, for each, which of add / change / delete admin offers her; and the staff pages
she may open. A permission granted by mistake — or a new model admin that answers a role it
should not — changes a row and fails the test. The grants themselves are checked against the
registry in test_roles.py; this test checks what admin and the pages make of them.
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from tests.access_world import NO_ROLE, ROLE_LOGINS, Clients, account, request_status
from xiangcheng.core import roles

# model label -> the letters admin offers: v(iew) a(dd) c(hange) d(elete).
ROLE_ADMIN: dict[str, dict[str, str]] = {
    "审核员": {"core.Notice": "vc", "members.MemberProfile": "v"},
    "管理员": {
        "core.AuditEvent": "v", "core.Notice": "v", "core.Programme": "v", "core.Story": "v",
        "events.Event": "v", "events.Registration": "v", "events.Venue": "v", "members.Consent": "v",
        "members.MemberProfile": "v", "members.Organisation": "v", "members.OrganisationInvitation": "v",
        "members.User": "v", "services.Application": "v", "services.Call": "v",
        "services.CallApplication": "v", "services.CannedReply": "v", "services.CategorySla": "v",
        "services.Job": "v", "services.Offering": "v", "services.OfferingAppointment": "v",
        "services.OfferingSlot": "v", "services.SlotBooking": "v", "services.Ticket": "v",
    },
    "活动管理员": {
        "core.Notice": "vc", "core.Programme": "v", "events.Event": "vac", "events.Registration": "vc",
        "events.Venue": "vac",
    },
    "管家客服": {"services.CannedReply": "v", "services.Ticket": "vc"},
    "管家主管": {
        "core.Notice": "vc", "services.CannedReply": "vacd", "services.CategorySla": "vac",
        "services.Ticket": "vc",
    },
    "企业服务": {
        "core.Notice": "vc", "members.Organisation": "vc", "members.OrganisationInvitation": "v",
        "services.Application": "v", "services.Job": "v", "services.Offering": "vacd",
        "services.OfferingAppointment": "v", "services.OfferingSlot": "vacd",
        "services.RequestResponse": "v", "services.ServiceRequest": "vc", "services.SlotBooking": "v",
    },
    "申报评审": {"services.Call": "vac", "services.CallApplication": "vc"},
    "遇见审核": {
        "matching.Introduction": "v", "matching.MatchProfile": "v", "matching.NameCheck": "v",
        "matching.Report": "v",
    },
    "宣传编辑": {"core.Notice": "vc", "core.Story": "vacd"},
    NO_ROLE: {},
}

# The staff pages outside admin's model pages: name -> (URL builder).
STAFF_PAGES = {
    "admin": lambda w: reverse("admin:index"),
    "dashboard": lambda w: reverse("dashboard:index"),
    "check-in list": lambda w: reverse("events:checkin_list", args=[w.event.pk]),
    "check-in scan": lambda w: reverse("events:checkin", args=[w.checkin_token()]),
    "event export": lambda w: reverse("admin:events_event_export", args=[w.event.pk, "xlsx"]),
    "call file": lambda w: reverse("admin:services_callapplication_attachment",
                                   args=[w.call_application.pk, w.call_attachment.pk]),
    "audit trail": lambda w: reverse("admin:core_auditevent_changelist"),
}
# role -> the staff pages that answer 200 (every other answers 403 or 404).
ROLE_PAGES: dict[str, set[str]] = {
    "审核员": {"admin"},
    "管理员": {"admin", "dashboard", "event export", "audit trail"},
    "活动管理员": {"admin", "check-in list", "check-in scan", "event export"},
    "管家客服": {"admin"},
    "管家主管": {"admin"},
    "企业服务": {"admin"},
    "申报评审": {"admin", "call file"},
    "遇见审核": {"admin"},
    "宣传编辑": {"admin"},
    NO_ROLE: {"admin"},
}


def offered(user) -> dict[str, str]:
    """What admin offers her, per registered model: the letters of the permissions it grants."""
    request = RequestFactory().get("/admin/")
    request.user = user
    found = {}
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        letters = "".join(letter for letter, allowed in (
            ("v", model_admin.has_view_permission(request)), ("a", model_admin.has_add_permission(request)),
            ("c", model_admin.has_change_permission(request)), ("d", model_admin.has_delete_permission(request)),
        ) if allowed)
        if letters:
            found[model._meta.label] = letters
    return found


def test_the_table_names_every_role():
    assert set(ROLE_ADMIN) == set(ROLE_PAGES) == {*roles.ROLES, NO_ROLE}
    assert set(ROLE_LOGINS) == set(roles.ROLES)


@pytest.mark.django_db
def test_each_role_sees_and_may_do_exactly_its_row(world):
    clients = Clients()
    logins = {**ROLE_LOGINS, NO_ROLE: NO_ROLE}
    admin_rows, page_rows = {}, {}
    for name, login in logins.items():
        user = account(login)
        admin_rows[name] = offered(user)
        for label in admin_rows[name]:  # what admin offers, its change list really answers
            app_label, model_name = label.lower().split(".")
            url = reverse(f"admin:{app_label}_{model_name}_changelist")
            assert request_status(clients(login), "GET", url).code() == "200", (name, label)
        page_rows[name] = {page for page, url in STAFF_PAGES.items()
                           if request_status(clients(login), "GET", url(world)).code() == "200"}
    assert admin_rows == ROLE_ADMIN
    assert page_rows == ROLE_PAGES
