"""The access-control matrix: every URL pattern of the project, asked by seven kinds of user.

Each page is one ``Page`` line: the pattern's name, how to build its URL from the shared demo
world, and the expected answer for each of ``WHO`` — visitor, pending member, approved member
who is not the owner, the owner, another organisation's representative, staff without the
permission, staff with it — as seven codes: a status (200, 403, 404, 405 …), ``L`` for a
redirect to a login page, ``R`` for any other redirect. The test fails when a pattern of the
project has no line (a new page must say who may open it) and when a line names a pattern that
is gone. Admin's generated pages are covered by rule from the roles registry (``ADMIN_RULE``).

A POST-only endpoint is POSTed (empty form); whoever may not use it must leave every table of
the product as it was (the request's writes are recorded, and every request is rolled back).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_world import (
    ACCOUNTS,
    NO_ROLE,
    ROLE_LOGINS,
    WHO,
    Clients,
    World,
    account,
    request_status,
)
from xiangcheng.core import roles


@dataclass(frozen=True)
class Page:
    name: str  # the URL pattern's name (namespace:name), or its route when it has none
    url: Callable[[World], str]
    expect: str  # seven codes, one per WHO
    staff: str = roles.ADMINISTRATOR.name  # the role that is "staff with the permission"
    without: str = NO_ROLE  # the staff account that is "staff without the permission" (a role, or none)
    owner: str | Callable[[World], str] = ACCOUNTS["owner"]  # who owns the object the URL names
    method: str = "GET"
    own: bool = False  # a POST that acts on the asker's own records (her notices, her feed): anyone may write


def r(name: str, *args: Callable[[World], object]) -> Callable[[World], str]:
    """A URL builder: ``reverse(name)`` with arguments read from the world."""
    return lambda w: reverse(name, args=[arg(w) for arg in args])


ORG_REP = f"hr@xincai.{'demo.xcwomenstech.cn'}"
OPEN = "200 200 200 200 200 200 200"

# Every non-admin page of the project. One line per pattern; a new page adds its line here.
PAGES: list[Page] = [
    # --- kernel ----------------------------------------------------------------------------------
    Page("home", r("home"), OPEN),
    Page("programmes:list", r("programmes:list"), OPEN),
    Page("programmes:colours", r("programmes:colours"), OPEN),
    Page("programmes:detail", r("programmes:detail", lambda w: "create"), OPEN),
    Page("notices:list", r("notices:list"), "L 200 200 200 200 200 200"),
    Page("notices:read_all", r("notices:read_all"), "L R R R R R R", method="POST", own=True),
    Page("notices:detail", r("notices:detail", lambda w: w.notice.pk), "L 404 404 200 404 404 404"),
    Page("stories:list", r("stories:list"), OPEN),
    Page("stories:feed", r("stories:feed"), OPEN),
    Page("stories:detail", r("stories:detail", lambda w: w.story.pk), OPEN),
    Page("language", r("language"), OPEN),
    Page("set_language", r("set_language"), "R R R R R R R", method="POST"),
    Page("health_live", r("health_live"), OPEN),
    Page("health_ready", r("health_ready"), " ".join(["200|503"] * 7)),  # 503 without a Celery worker
    Page("bench_floor", r("bench_floor"), "404 404 404 404 404 404 404"),
    Page("media", lambda w: "/media/nothing-here.jpg", "404 404 404 404 404 404 404"),
    # --- accounts (allauth) ----------------------------------------------------------------------
    Page("account_signup", r("account_signup"), "200 R R R R R R"),
    Page("account_login", r("account_login"), "200 R R R R R R"),
    Page("account_logout", r("account_logout"), "R 200 200 200 200 200 200"),
    Page("account_inactive", r("account_inactive"), OPEN),
    Page("account_reauthenticate", r("account_reauthenticate"), "L 200 200 200 200 200 200"),
    Page("account_email", r("account_email"), "L 200 200 200 200 200 200"),
    Page("account_email_verification_sent", r("account_email_verification_sent"), OPEN),
    Page("account_change_password", r("account_change_password"), "L 200 200 200 200 200 200"),
    Page("account_set_password", r("account_set_password"), "L R R R R R R"),
    Page("account_reset_password", r("account_reset_password"), OPEN),
    Page("account_confirm_login_code", r("account_confirm_login_code"), "L R R R R R R"),
    Page("account_confirm_email", r("account_confirm_email", lambda w: "not-a-key"), OPEN),
    Page("account_verify_phone", r("account_verify_phone"), "L R R R R R R"),
    Page("account_change_phone", r("account_change_phone"), "L 200 200 200 200 200 200"),
    Page("account_reset_password_from_key_done", r("account_reset_password_from_key_done"), OPEN),
    Page("account_reset_password_from_key", r("account_reset_password_from_key", lambda w: "1", lambda w: "x-y"),
         OPEN),
    Page("account_reset_password_done", r("account_reset_password_done"), OPEN),
    Page("mfa_index", r("mfa_index"), "L 200 200 200 200 200 200"),
    Page("mfa_authenticate", r("mfa_authenticate"), "L R R R R R R"),
    Page("mfa_reauthenticate", r("mfa_reauthenticate"), "L R R R R R R"),
    Page("mfa_activate_totp", r("mfa_activate_totp"), "L R R R R R R"),
    Page("mfa_deactivate_totp", r("mfa_deactivate_totp"), "L 404 404 404 404 404 404"),
    Page("mfa_view_recovery_codes", r("mfa_view_recovery_codes"), "L 404 404 404 404 404 404"),
    Page("mfa_generate_recovery_codes", r("mfa_generate_recovery_codes"), "L R R R R R R"),
    Page("mfa_download_recovery_codes", r("mfa_download_recovery_codes"), "L 404 404 404 404 404 404"),
    # --- members ---------------------------------------------------------------------------------
    Page("members:profile", r("members:profile"), "L 200 200 200 200 200 200"),
    Page("members:photo_remove", r("members:photo_remove"), "L R R R R R R", method="POST", own=True),
    Page("members:photo", lambda w: reverse("members:photo", args=[w.photo_name()]),
         "404 404 200 200 404 404 200"),
    Page("members:directory", r("members:directory"), "L A 200 200 A A A"),
    Page("members:privacy", r("members:privacy"), OPEN),
    Page("members:phone_reset", r("members:phone_reset"), OPEN),
    Page("members:phone_reset_confirm", r("members:phone_reset_confirm"), "R R R R R R R"),
    Page("members:organisations", r("members:organisations"), "L 200 200 200 200 200 200"),
    Page("members:organisation_register", r("members:organisation_register"), "L 200 200 200 200 200 200"),
    Page("members:organisation", r("members:organisation", lambda w: w.organisation.pk),
         "L 404 404 200 404 404 404", owner=ORG_REP),
    Page("members:organisation_edit", r("members:organisation_edit", lambda w: w.organisation.pk),
         "L 404 404 200 404 404 404", owner=ORG_REP),
    Page("members:organisation_invite", r("members:organisation_invite", lambda w: w.organisation.pk),
         "L 404 404 R 404 404 404",
         owner=ORG_REP),
    Page("members:invitation_revoke", r("members:invitation_revoke", lambda w: w.invitation.organisation_id,
                                        lambda w: w.invitation.pk),
         "L 404 404 R 404 404 404", owner=ORG_REP, method="POST"),
    Page("members:representative_remove", r("members:representative_remove", lambda w: w.organisation.pk,
                                            lambda w: w.representative.pk),
         "L 404 404 404 404 404 404", owner=ORG_REP, method="POST"),
    Page("members:organisation_leave", r("members:organisation_leave", lambda w: w.organisation.pk),
         "L 404 404 R 404 404 404",
         owner=ORG_REP, method="POST"),
    Page("members:invitation", r("members:invitation", lambda w: w.invitation.token),
         "L 200 200 200 200 200 200"),
    Page("members:story_features", r("members:story_features"), "L 200 200 200 200 200 200"),
    Page("members:story_feature", r("members:story_feature", lambda w: w.story_feature.pk),
         "L 404 404 200 404 404 404"),
    Page("members:story_feature_answer", r("members:story_feature_answer", lambda w: w.story_feature.pk),
         "L R R R R R R",
         method="POST"),
    Page("members:story_feature_withdraw", r("members:story_feature_withdraw", lambda w: w.story_feature.pk),
         "L 404 404 R 404 404 404",
         method="POST"),
    Page("members:consents", r("members:consents"), "L 200 200 200 200 200 200"),
    Page("members:consent_withdraw", r("members:consent_withdraw", lambda w: "directory", lambda w: "listed"),
         "L R R R R R R",
         method="POST", own=True),
    Page("members:my_data", r("members:my_data"), "L 200 200 200 200 200 200"),
    Page("members:data_export_new", r("members:data_export_new"), "L R R R R R R", method="POST", own=True),
    Page("members:data_export_file", r("members:data_export_file", lambda w: w.data_export.pk),
         "L 404 404 200 404 404 404"),
    Page("members:account_delete", r("members:account_delete"), "L 200 200 200 200 200 200"),
    Page("members:account_deleted", r("members:account_deleted"), OPEN),
    Page("members:privacy_accept", r("members:privacy_accept"), "L R R R R R R", method="POST", own=True),
    # --- events ----------------------------------------------------------------------------------
    Page("events:list", r("events:list"), OPEN),
    Page("events:past", r("events:past"), OPEN),
    Page("events:mine", r("events:mine"), "L 200 200 200 200 200 200"),
    Page("events:detail", r("events:detail", lambda w: w.event.pk), OPEN),
    Page("events:sign_up", r("events:sign_up", lambda w: w.event.pk), "L 400 R R 400 400 400", method="POST", own=True),
    Page("events:ics", r("events:ics", lambda w: w.event.pk), OPEN),
    Page("events:checkin_list", r("events:checkin_list", lambda w: w.event.pk),
         "L 403 403 403 403 403 200", staff="活动管理员"),
    Page("events:cancel", r("events:cancel", lambda w: w.registration.pk), "L 404 404 200 404 404 404"),
    Page("events:ticket", r("events:ticket", lambda w: w.registration.pk), "L 404 404 200 404 404 404"),
    Page("events:feed", r("events:feed", lambda w: "not-a-token"), "404 404 404 404 404 404 404"),
    Page("events:feed_reset", r("events:feed_reset"), "L R R R R R R", method="POST", own=True),
    Page("events:checkin", r("events:checkin", lambda w: w.checkin_token()),
         "L 403 403 200 403 403 200", staff="活动管理员"),
    # --- services: the 巾帼管家 inbox --------------------------------------------------------------
    Page("services:tickets", r("services:tickets"), "L 200 200 200 200 200 200"),
    Page("services:new", r("services:new"), "L 200 200 200 200 200 200"),
    Page("services:ticket", r("services:ticket", lambda w: w.ticket.reference),
         "L 404 404 200 404 404 404", staff="管家客服"),
    Page("services:reply", r("services:reply", lambda w: w.ticket.reference),
         "L 404 404 400 404 404 404", staff="管家客服", method="POST"),
    Page("services:close", r("services:close", lambda w: w.ticket.reference),
         "L 404 404 R 404 404 404", staff="管家客服", method="POST"),
    Page("services:reopen", r("services:reopen", lambda w: w.ticket.reference),
         "L 404 404 R 404 404 404", staff="管家客服",
         method="POST"),
    Page("services:rate", r("services:rate", lambda w: w.ticket.reference),
         "L 404 404 400 404 404 404", staff="管家客服", method="POST"),
    Page("services:attachment", r("services:attachment", lambda w: w.ticket.reference, lambda w: w.ticket_attachment.pk),
         "L 404 404 200 404 404 200", staff="管家客服", without="管理员"),
    # --- services: jobs --------------------------------------------------------------------------
    Page("services:jobs", r("services:jobs"), OPEN),
    Page("services:my_applications", r("services:my_applications"), "L 200 200 200 200 200 200"),
    Page("services:job", r("services:job", lambda w: w.job.pk), OPEN),
    Page("services:job_apply", r("services:job_apply", lambda w: w.job.pk),
         "L A 400 400 A A A", method="POST", own=True),
    Page("services:job_cv", r("services:job_cv", lambda w: w.job_application.cv.name),
         "L 404 404 200 404 404 200",
         staff="企业服务", without="管理员", owner=ORG_REP),
    Page("services:application_status", r("services:application_status", lambda w: w.job_application.pk),
         "L 404 404 R 404 404 404",
         owner=ORG_REP, method="POST"),
    Page("services:organisation_jobs", r("services:organisation_jobs", lambda w: w.organisation.pk),
         "L 404 404 200 404 404 404",
         owner=ORG_REP),
    Page("services:job_applications",
         r("services:job_applications", lambda w: w.organisation.pk, lambda w: w.job.pk),
         "L 404 404 200 404 404 404",
         owner=ORG_REP),
    Page("services:job_new", r("services:job_new", lambda w: w.organisation.pk),
         "L 404 404 200 404 404 404", owner=ORG_REP),
    Page("services:job_edit", r("services:job_edit", lambda w: w.organisation.pk, lambda w: w.job.pk),
         "L 404 404 200 404 404 404",
         owner=ORG_REP),
    Page("services:job_submit", r("services:job_submit", lambda w: w.organisation.pk, lambda w: w.job.pk),
         "L 404 404 R 404 404 404",
         owner=ORG_REP, method="POST"),
    Page("services:job_close", r("services:job_close", lambda w: w.organisation.pk, lambda w: w.job.pk),
         "L 404 404 R 404 404 404",
         owner=ORG_REP, method="POST"),
    # --- services: service requests --------------------------------------------------------------
    Page("services:requests", r("services:requests"), "200 A 200 200 A A A"),
    Page("services:request_digest", r("services:request_digest"), "L 200 200 200 200 200 200"),
    Page("services:request_digest_stop", r("services:request_digest_stop", lambda w: "not-a-token"),
         "400 400 400 400 400 400 400"),
    Page("services:request", r("services:request", lambda w: w.service_request.pk), "200 A 200 200 A A A"),
    Page("services:request_respond", r("services:request_respond", lambda w: w.service_request.pk),
         "200 A 400 R A A A",
         method="POST", own=True),
    Page("services:organisation_requests", r("services:organisation_requests", lambda w: w.organisation.pk),
         "L 404 404 200 404 404 404",
         owner=ORG_REP),
    Page("services:organisation_request_new", r("services:organisation_request_new", lambda w: w.organisation.pk),
         "L 404 404 200 404 404 404", owner=ORG_REP),
    Page("services:organisation_request", r("services:organisation_request", lambda w: w.organisation.pk,
                                            lambda w: w.service_request.pk),
         "L 404 404 200 404 404 404", owner=ORG_REP),
    Page("services:organisation_request_edit", r("services:organisation_request_edit", lambda w: w.organisation.pk,
                                                 lambda w: w.service_request.pk),
         "L 404 404 200 404 404 404", owner=ORG_REP),
    Page("services:organisation_request_submit", r("services:organisation_request_submit",
                                                   lambda w: w.organisation.pk, lambda w: w.service_request.pk),
         "L 404 404 R 404 404 404",
         owner=ORG_REP, method="POST"),
    Page("services:organisation_request_close", r("services:organisation_request_close",
                                                  lambda w: w.organisation.pk, lambda w: w.service_request.pk),
         "L 404 404 R 404 404 404",
         owner=ORG_REP, method="POST"),
    Page("services:request_response_accept", r("services:request_response_accept", lambda w: w.organisation.pk,
                                               lambda w: w.service_request.pk, lambda w: w.response.pk),
         "L 404 404 R 404 404 404",
         owner=ORG_REP, method="POST"),
    Page("services:request_response_decline", r("services:request_response_decline", lambda w: w.organisation.pk,
                                                lambda w: w.service_request.pk, lambda w: w.response.pk),
         "L 404 404 R 404 404 404",
         owner=ORG_REP, method="POST"),
    # --- services: calls -------------------------------------------------------------------------
    Page("services:calls", r("services:calls"), OPEN),
    Page("services:my_calls", r("services:my_calls"), "L 200 200 200 200 200 200"),
    Page("services:call", r("services:call", lambda w: w.call.pk), OPEN),
    Page("services:call_apply", r("services:call_apply", lambda w: w.call.pk),
         "L A 200 200 A A A", method="POST", own=True),
    Page("services:call_application", r("services:call_application", lambda w: w.call_application.pk),
         "L 404 404 200 404 404 404",
         staff="申报评审"),
    Page("services:call_withdraw", r("services:call_withdraw", lambda w: w.call_application.pk),
         "L 404 404 R 404 404 404",
         staff="申报评审", method="POST"),
    Page("services:call_attachment", r("services:call_attachment", lambda w: w.call_attachment.pk),
         "L 404 404 200 404 404 200",
         staff="申报评审", without="管理员"),
    Page("services:call_attachment_delete", r("services:call_attachment_delete", lambda w: w.call_attachment.pk),
         "L 404 404 R 404 404 404", staff="申报评审", method="POST"),
    Page("services:call_following", r("services:call_following"), "L 200 200 200 200 200 200"),
    Page("services:call_following_stop", r("services:call_following_stop", lambda w: "not-a-token"),
         "400 400 400 400 400 400 400"),
    # --- services: the federation's offerings ----------------------------------------------------
    Page("offerings:list", r("offerings:list"), "L A 200 200 A A A"),
    Page("offerings:mine", r("offerings:mine"), "L A 200 200 A A A"),
    Page("offerings:cancel", r("offerings:cancel", lambda w: w.slot_booking.pk),
         "L A 404 R A A A", method="POST"),
    Page("offerings:book", r("offerings:book", lambda w: w.slot.pk), "L A R R A A A", method="POST", own=True),
    Page("offerings:detail", r("offerings:detail", lambda w: w.offering.pk), "L A 200 200 A A A"),
    Page("offerings:appointment", r("offerings:appointment", lambda w: w.offering.pk), "L A 404 404 A A A"),
    # --- matching (遇见) -------------------------------------------------------------------------
    Page("matching:landing", r("matching:landing"), OPEN),
    Page("matching:join", r("matching:join"), "L A R R R R R"),
    Page("matching:profile", r("matching:profile"), "L A 200 200 R R R"),
    Page("matching:leave", r("matching:leave"), "L A 200 200 R R R"),
    Page("matching:suggestions", r("matching:suggestions"), "R R 200 200 R R R"),
    Page("matching:request", r("matching:request", lambda w: w.match_profile.pk), "L A 200 R A A A"),
    Page("matching:introductions", r("matching:introductions"), "L A 200 200 A A A"),
    Page("matching:introduction_accept", r("matching:introduction_accept", lambda w: w.introduction.pk),
         "L A 404 200 A A A",
         method="POST"),
    Page("matching:introduction_decline", r("matching:introduction_decline", lambda w: w.introduction.pk),
         "L A 404 R A A A",
         method="POST"),
    Page("matching:introduction_withdraw", r("matching:introduction_withdraw", lambda w: w.introduction.pk),
         "L A 404 404 A A A",
         method="POST"),
    Page("matching:alone_join", r("matching:alone_join"), "L A R R 200 200 200"),
    Page("matching:alone_profile", r("matching:alone_profile"), "L A R R R R R"),
    Page("matching:block", r("matching:block", lambda w: w.match_profile.pk), "L A 200 200 A A A"),
    Page("matching:blocked", r("matching:blocked"), "L A 200 200 A A A"),
    Page("matching:unblock", r("matching:unblock", lambda w: w.block.pk), "L A 404 R A A A", method="POST"),
    Page("matching:report", r("matching:report", lambda w: w.match_profile.pk), "L A 200 200 A A A"),
    # --- staff pages in admin --------------------------------------------------------------------
    Page("dashboard:index", r("dashboard:index"), "L L L L L 403 200"),
    Page("dashboard:report_new", r("dashboard:report_new"), "L L L L L 403 R", method="POST"),
    Page("dashboard:report", r("dashboard:report", lambda w: w.dashboard_report.pk), "L L L L L 403 200"),
    Page("dashboard:report_file", r("dashboard:report_file", lambda w: w.dashboard_report.pk),
         "L L L L L 403 R"),
    Page("admin:view_on_site", lambda w: reverse("admin:view_on_site", args=[w.content_type_id("events.event"),
                                                                           w.event.pk]), "L L L L L R R"),
    Page("admin:index", r("admin:index"), "L L L L L 200 200"),
    Page("admin:login", r("admin:login"), "L 403 403 403 403 R R"),
    Page("admin:logout", r("admin:logout"), "R R R R R 405 405"),  # a POST would sign the client out
    Page("admin:password_change", r("admin:password_change"), "L L L L L 200 200"),
    Page("admin:password_change_done", r("admin:password_change_done"), "L L L L L 200 200"),
    Page("admin:autocomplete", r("admin:autocomplete"), "L L L L L 403 403"),
    Page("admin:jsi18n", r("admin:jsi18n"), "L L L L L 200 200"),
    Page("admin:app_list", r("admin:app_list", lambda w: "members"), "L L L L L 404 200"),
    Page("admin/(?P<url>.*)$", lambda w: "/admin/no-such-page/", "L L L L L 404 404"),
    Page("admin:auth_user_password_change", r("admin:auth_user_password_change", lambda w: w.owner.pk),
         "L L L L L 403 403"),
    Page("admin:events_event_export", r("admin:events_event_export", lambda w: w.event.pk, lambda w: "xlsx"),
         "L L L L L 404 200",
         staff="活动管理员"),
    Page("admin:services_callapplication_attachment", r("admin:services_callapplication_attachment",
                                                        lambda w: w.call_application.pk,
                                                        lambda w: w.call_attachment.pk), "L L L L L 404 200",
         staff="申报评审", without="管理员"),
]


# --- admin's generated pages, by rule ---------------------------------------------------------------
ADMIN_VIEWS = ("changelist", "add", "change", "delete", "history")


def admin_models():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def role_holding(codename: str, app_label: str) -> str | None:
    """The first role (in the registry's order) granted this permission, if any."""
    return next((name for name, each in roles.ROLES.items() if (app_label, codename) in each.permissions), None)


def admin_rule_names() -> set[str]:
    """The pattern names (or routes) admin generates for its registered models."""
    names = set()
    for model, _model_admin in admin_models():
        opts = model._meta
        names |= {f"admin:{opts.app_label}_{opts.model_name}_{view}" for view in ADMIN_VIEWS}
        names.add(f"admin/{opts.app_label}/{opts.model_name}/<path:object_id>/")
    return names


# --- the project's patterns -------------------------------------------------------------------------
def pattern_keys(patterns=None, prefix: str = "", namespace: str | None = None) -> set[str]:
    """Every URL pattern of the project, by ``namespace:name``, or by its full route if unnamed."""
    keys = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            keys |= pattern_keys(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                keys.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
            else:
                keys.add(prefix + str(pattern.pattern))
    return keys


def test_every_url_pattern_has_an_entry_and_every_entry_a_pattern():
    listed = [page.name for page in PAGES]
    assert len(listed) == len(set(listed)), "a pattern has two lines"
    covered = set(listed) | admin_rule_names()
    project = pattern_keys()
    assert sorted(project - covered) == [], "these pages have no line in PAGES: add one"
    assert sorted(covered - project) == [], "these lines name no pattern any more: remove them"


# --- asking ---------------------------------------------------------------------------------------
def login_of(page: Page, who: str, world: World) -> str | None:
    if who == "visitor":
        return None
    if who == "owner":
        return page.owner if isinstance(page.owner, str) else page.owner(world)
    if who == "staff":
        return ROLE_LOGINS.get(page.without, NO_ROLE)
    if who == "staff+":
        return ROLE_LOGINS[page.staff]
    return ACCOUNTS[who]


def ask(page: Page, world: World, clients: Clients) -> tuple[str, dict[str, list[str]]]:
    url = page.url(world)
    codes, writes = [], {}
    for who in WHO:
        answer = request_status(clients(login_of(page, who, world)), page.method, url)
        codes.append(answer.code())
        if answer.writes:
            writes[who] = answer.writes
    return " ".join(codes), writes


# Admin pages that answer otherwise than the registry's grants say, each with its reason.
# (model label, view) -> code for "staff with the permission".
ADMIN_EXCEPTIONS: dict[tuple[str, str], str] = {}
ADMIN_WHO = ("visitor", "member", "staff", "staff+")


def admin_expectations(model, *, exists: bool) -> dict[str, str]:
    """What each of ADMIN_WHO gets on each of the model's admin views, from the registry. Without
    a row to open, admin sends whoever may see the model back to its index (``R``), and the
    history page does so before it asks for any permission."""
    opts = model._meta
    holder = role_holding(f"view_{opts.model_name}", opts.app_label)
    grants = roles.ROLES[holder].permissions if holder else set()
    expected = {}
    for view in ADMIN_VIEWS:
        needed = {"add": "add", "delete": "delete"}.get(view, "view")
        allowed = holder is not None and (opts.app_label, f"{needed}_{opts.model_name}") in grants
        with_permission = ADMIN_EXCEPTIONS.get((opts.label, view), "200" if allowed else "403")
        if not exists and view in ("change", "delete", "history"):
            with_permission = "R" if allowed or view == "history" else "403"
        expected[view] = f"L L {'R' if not exists and view == 'history' else '403'} {with_permission}"
    return expected


def first_row(model, model_admin, login: str):
    """The pk of the first row admin lists to whoever may see the model, or None."""
    request = RequestFactory().get("/admin/")
    request.user = account(login)
    return model_admin.get_queryset(request).order_by("pk").values_list("pk", flat=True).first()


def admin_url(model, view: str, pk) -> str:
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_{view}"
    if view in ("changelist", "add"):
        return reverse(name)
    return reverse(name, args=[pk if pk is not None else 0])


@pytest.mark.django_db
def test_every_page_answers_each_kind_of_user_as_its_line_says(world):
    clients = Clients()
    answers, expected, writes, allowed_writes = {}, {}, {}, {}
    for page in PAGES:
        answer, wrote = ask(page, world, clients)
        allowed_writes.update({(page.name, who): tables for who, tables in wrote.items() if who == "owner"})
        answers[page.name] = " ".join(want if got in want.split("|") else got
                                      for got, want in zip(answer.split(), page.expect.split(), strict=True))
        expected[page.name] = page.expect
        if page.method == "POST" and not page.own:
            # Only the object's owner (or staff with the permission) changes anything.
            writes.update({(page.name, who): tables for who, tables in wrote.items() if who not in ("owner", "staff+")})
    assert answers == expected
    assert writes == {}
    # The recorder sees writes: the owner's own POSTs change her objects.
    assert allowed_writes[("matching:introduction_decline", "owner")] == ["matching_introduction"]


@pytest.mark.django_db
def test_admin_pages_of_every_model_answer_as_the_roles_registry_grants(world):
    clients = Clients()
    answers, expected = {}, {}
    for model, model_admin in admin_models():
        opts = model._meta
        holder = role_holding(f"view_{opts.model_name}", opts.app_label)
        logins = [None, ACCOUNTS["member"], NO_ROLE, ROLE_LOGINS[holder] if holder else NO_ROLE]
        pk = first_row(model, model_admin, logins[-1])
        for view, codes in admin_expectations(model, exists=pk is not None).items():
            url = admin_url(model, view, pk)
            answers[(opts.label, view)] = " ".join(request_status(clients(login), "GET", url).code() for login in logins)
            expected[(opts.label, view)] = codes
    assert answers == expected
