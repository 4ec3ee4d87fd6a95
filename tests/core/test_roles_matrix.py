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

# role -> model label -> the admin actions offered on the models she may see (delete_selected only
# with the delete permission). Models she may not see answer 403 before any action is offered.
ROLE_ACTIONS: dict[str, dict[str, list[str]]] = {
    "审核员": {
        "core.Notice": ["retry"],
        "members.MemberProfile": ["approve", "reject"],
    },
    "管理员": {},
    "活动管理员": {
        "core.Notice": ["retry"],
        "events.Event": ["cancel_events", "copy_events", "publish_events"],
        "events.Registration": ["approve", "reject"],
    },
    "管家客服": {
        "services.Ticket": ["assign_to_me"],
    },
    "管家主管": {
        "core.Notice": ["retry"],
        "services.CannedReply": ["delete_selected"],
        "services.Ticket": ["assign_to_me"],
    },
    "企业服务": {
        "core.Notice": ["retry"],
        "members.Organisation": ["confirm_women_led", "reject", "verify", "withdraw_women_led"],
        "services.Job": ["publish", "reject"],
        "services.Offering": ["delete_selected", "publish", "withdraw"],
        "services.OfferingSlot": ["delete_selected"],
        "services.ServiceRequest": ["publish", "reject"],
    },
    "申报评审": {
        "services.Call": ["cancel", "publish"],
        "services.CallApplication": ["export_applicants", "recommend", "record_awarded", "record_not_selected",
                                     "record_selected", "refuse", "shortlist", "start_review"],
    },
    "遇见审核": {
        "matching.NameCheck": ["reject", "verify"],
        "matching.Report": ["dismiss", "suspend", "warn"],
    },
    "宣传编辑": {
        "core.Notice": ["retry"],
        "core.Story": ["delete_selected", "publish_stories", "unpublish_stories"],
    },
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
    # Members' files, on the pages their owners use: only the roles that handle them open them.
    "inbox file": lambda w: reverse("services:attachment", args=[w.ticket.reference, w.ticket_attachment.pk]),
    "application file": lambda w: reverse("services:call_attachment", args=[w.call_attachment.pk]),
    "CV": lambda w: reverse("services:job_cv", args=[w.job_application.cv.name]),
}
# role -> the staff pages that answer 200 (every other answers 403 or 404).
ROLE_PAGES: dict[str, set[str]] = {
    "审核员": {"admin"},
    "管理员": {"admin", "dashboard", "event export", "audit trail"},
    "活动管理员": {"admin", "check-in list", "check-in scan", "event export"},
    "管家客服": {"admin", "inbox file"},
    "管家主管": {"admin", "inbox file"},
    "企业服务": {"admin", "CV"},
    "申报评审": {"admin", "call file", "application file"},
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


def actions_offered(user) -> dict[str, list[str]]:
    """The admin actions offered to her, per registered model she may see that has any."""
    request = RequestFactory().get("/admin/")
    request.user = user
    found = {}
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        if not model_admin.has_view_or_change_permission(request):
            continue
        if names := sorted(model_admin.get_actions(request)):
            found[model._meta.label] = names
    return found


def test_the_table_names_every_role():
    assert set(ROLE_ADMIN) == set(ROLE_PAGES) == set(ROLE_ACTIONS) == {*roles.ROLES, NO_ROLE}
    assert set(ROLE_LOGINS) == set(roles.ROLES)


@pytest.mark.django_db
def test_each_role_sees_and_may_do_exactly_its_row(world):
    clients = Clients()
    logins = {**ROLE_LOGINS, NO_ROLE: NO_ROLE}
    admin_rows, page_rows, action_rows = {}, {}, {}
    for name, login in logins.items():
        user = account(login)
        admin_rows[name] = offered(user)
        action_rows[name] = actions_offered(user)
        for label in admin_rows[name]:  # what admin offers, its change list really answers
            app_label, model_name = label.lower().split(".")
            url = reverse(f"admin:{app_label}_{model_name}_changelist")
            assert request_status(clients(login), "GET", url).code() == "200", (name, label)
        page_rows[name] = {page for page, url in STAFF_PAGES.items()
                           if request_status(clients(login), "GET", url(world)).code() == "200"}
    assert admin_rows == ROLE_ADMIN
    assert page_rows == ROLE_PAGES
    assert action_rows == ROLE_ACTIONS
