"""The XSS corpus (tests/xss_corpus.py) through every free-text field (tests/xss_world.py): member
pages, the admin's change lists and change pages, 我的消息 and the emails, and the exports stay
inert; the invisible characters that reorder text are gone once saved."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from services.models import CallApplicationStatus, TicketMessage
from tests.xss_corpus import CORPUS, INVISIBLE, MARKER, csv_problems, inert_problems, workbook_problems
from tests.xss_world import EXEMPT, FIELDS, exempt, text_fields, world

pytestmark = pytest.mark.django_db

PORTAL_APPS = ("core", "members", "events", "services", "matching")


# --- the table covers every free-text field ------------------------------------------------------

def test_every_free_text_field_is_in_the_corpus_table_or_exempt_with_a_reason():
    missing, stale = [], []
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label not in PORTAL_APPS:
            continue
        for name in text_fields(model):
            if name not in FIELDS.get(label, ()) and not exempt(label, name):
                missing.append(f"{label}.{name}")
    for label, names in FIELDS.items():
        model = apps.get_model(label)
        stale += [f"{label}.{name}" for name in names if name not in text_fields(model)]
    assert (missing, stale) == ([], [])
    assert all(reason.strip() for reason in EXEMPT.values())


# --- the check itself catches what it must -------------------------------------------------------

@pytest.mark.parametrize("page, problem", [
    ('<p><img src=x onerror="alert(\'XSS7\')"></p>', "an event handler"),
    ('<p title="" onmouseover="XSS7()">x</p>', "an event handler"),
    ("<script>XSS7()</script>", "<script> holds"),
    ('<a href=" JavaScript:XSS7()">x</a>', "a script or data URL"),
    ('<iframe src="data:text/html,XSS7"></iframe>', "a script or data URL"),
    ('<p style="x:expression(XSS7)">', "a style from user text"),
    ("<p>49XSS7</p>", "a template expression was evaluated"),
    ("<p>\u202eXSS7</p>", "an invisible character U+202E"),
    ('<input value="" xss7()="">', "has an attribute named"),
])
def test_the_check_finds_live_markup(page, problem):
    assert problem in "; ".join(inert_problems(f"<html><body>{page}</body></html>"))


def test_the_check_passes_escaped_text():
    escaped = "&lt;script&gt;alert(&quot;XSS7&quot;)&lt;/script&gt; &lt;a href=&quot;javascript:XSS7()&quot;&gt;"
    assert inert_problems(f'<html><body><p title="&quot;&gt;&lt;svg onload=XSS7()&gt;">{escaped}'
                          "{{ 7*7 }}XSS7</p></body></html>") == []


# --- every surface, for each corpus entry --------------------------------------------------------

def _member_pages(w) -> list[tuple[object, str]]:
    o = w.objects
    ticket, job = o["services.Ticket"], o["services.Job"]
    request, call = o["services.ServiceRequest"], o["services.Call"]
    org = o["members.Organisation"]
    return [
        (w.her, reverse("home")),
        (w.her, reverse("members:profile")),
        (w.peer, reverse("members:directory")),
        (w.rep, reverse("members:organisations")),
        (w.rep, reverse("members:organisation", args=[org.pk])),
        (w.her, reverse("events:list")),
        (w.her, reverse("events:detail", args=[o["events.Event"].pk])),
        (w.her, reverse("events:mine")),
        (w.her, reverse("services:tickets")),
        (w.her, reverse("services:ticket", args=[ticket.reference])),
        (w.her, reverse("services:jobs")),
        (w.her, reverse("services:job", args=[job.pk])),
        (w.her, reverse("services:my_applications")),
        (w.rep, reverse("services:organisation_jobs", args=[org.pk])),
        (w.her, reverse("offerings:list")),
        (w.her, reverse("offerings:detail", args=[o["services.Offering"].pk])),
        (w.her, reverse("services:requests")),
        (w.her, reverse("services:request", args=[request.pk])),
        (w.rep, reverse("services:organisation_request", args=[org.pk, request.pk])),
        (w.her, reverse("services:calls")),
        (w.her, reverse("services:call", args=[call.pk])),
        (w.her, reverse("services:my_calls")),
        (w.her, reverse("services:call_application", args=[o["services.CallApplication"].pk])),
        (w.her, reverse("matching:profile")),
        (w.peer, reverse("matching:suggestions")),
        (w.third, reverse("matching:introductions")),
        (w.her, reverse("stories:list")),
        (w.her, reverse("stories:detail", args=[o["core.Story"].pk])),
        (w.her, reverse("programmes:list")),
        (w.her, reverse("programmes:detail", args=["create"])),
        (w.admin, reverse("events:checkin_list", args=[o["events.Event"].pk])),
    ]


# Pages checked that show none of the texts (figures only), so need not show the marker.
FIGURES_ONLY = ("/admin/dashboard/", "/admin/members/user/")


def _admin_pages(w) -> list[str]:
    pages = []
    for obj in w.objects.values():
        model = type(obj)
        if model not in admin.site._registry:
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages += [reverse(f"{prefix}_change", args=[obj.pk]), reverse(f"{prefix}_changelist")]
    return pages


def _get(client, user, url) -> tuple[int, str]:
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


def _notices(w) -> list[tuple[object, str, object, dict]]:
    """(recipient, kind, target, data) of notices that quote a member's or staff's text."""
    o = w.objects
    ticket = o["services.Ticket"]
    hers = TicketMessage.objects.get(ticket=ticket, author=w.her)
    return [
        (w.her, "inbox.replied", ticket, {"message": o["services.TicketMessage"].pk}),
        (w.admin, "inbox.member_replied", ticket, {"message": hers.pk}),
        (w.rep, "jobs.applied", o["services.Application"], {}),
        (w.rep, "jobs.decided", o["services.Job"], {"outcome": "rejected", "reason": w.payload}),
        (w.her, "calls.status", o["services.CallApplication"],
         {"status": CallApplicationStatus.NOT_SHORTLISTED, "reason": w.payload}),
        (w.rep, "requests.response_received", o["services.RequestResponse"], {}),
        (w.third, "matching.request_received", o["matching.Introduction"], {}),
    ]


def _sent_and_listed(client, w) -> list[str]:
    """Each notice sent through the outbox: its email (subject on one line, plain text quoting the
    text) and its 我的消息 list and page (inert)."""
    from xiangcheng.core.outbox import KINDS, deliver, notify

    problems = []
    for recipient, kind, target, data in _notices(w):
        mail.outbox.clear()
        pk, _ = notify(kind=KINDS[kind], recipient=recipient, key=f"xss-{kind}", target=target, data=data)
        assert deliver(notice_id=pk), kind
        [email] = mail.outbox
        if "\n" in email.subject or "\r" in email.subject or INVISIBLE.search(email.subject + email.body):
            problems.append(f"{kind}: email {email.subject!r}")
        if MARKER not in email.subject + email.body:
            problems.append(f"{kind}: the email does not quote the text")
        for url in (reverse("notices:list"), reverse("notices:detail", args=[pk])):
            status, page = _get(client, recipient, url)
            problems += [f"{kind} {url}: {p}" for p in ([f"status {status}"] if status != 200 else [])]
            problems += [f"{kind} {url}: {p}" for p in inert_problems(page)]
    return problems


def _exports(client, w) -> list[str]:
    """The call applicants' export, the attendee lists and the dashboard's monthly report."""
    from xiangcheng.core.figures import Period
    from xiangcheng.core.reports import report_build, report_download, report_request

    client.force_login(w.admin)
    event = w.objects["events.Event"]
    applicants = client.post(reverse("admin:services_callapplication_changelist"), {
        "action": "export_applicants", "_selected_action": [w.objects["services.CallApplication"].pk]}).content
    attendees = client.get(reverse("admin:events_event_export", args=[event.pk, "xlsx"])).content
    attendees_csv = client.get(reverse("admin:events_event_export", args=[event.pk, "csv"])).content
    today = timezone.localdate()
    report = report_request(user=w.admin, period=Period(first=today - timedelta(days=60), last=today))
    report_build(report_id=report.pk)
    report.refresh_from_db()
    monthly = report_download(report=report, user=w.admin)
    problems = [f"applicants {p}" for p in workbook_problems(applicants)]
    problems += [f"attendees.xlsx {p}" for p in workbook_problems(attendees)]
    problems += [f"attendees.csv {p}" for p in csv_problems(attendees_csv)]
    problems += [f"monthly report {p}" for p in workbook_problems(monthly)]
    # The exports hold the text (after the guard): the check looked at the members' words.
    for name, data in (("applicants", applicants), ("attendees", attendees)):
        if MARKER.encode() not in _sheet_text(data):
            problems.append(f"{name}: the member's text is not in the export")
    return problems


def _sheet_text(data: bytes) -> bytes:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return " ".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row).encode()


@pytest.mark.parametrize("entry", list(CORPUS), ids=list(CORPUS))
def test_the_corpus_is_inert_everywhere(client, entry):
    """Member pages, admin change pages and lists, emails and 我的消息, exports: one world per entry."""
    w = world(CORPUS[entry])
    assert w.filled == set(FIELDS)
    statuses, shown, problems = [], [], []
    pages = [*_member_pages(w), *((w.admin, url) for url in _admin_pages(w)), (w.admin, reverse("dashboard:index"))]
    for user, url in pages:
        status, page = _get(client, user, url)
        statuses.append((url, user.username, status))
        shown.append((url, user.username, MARKER in page))
        problems += [f"{url} ({user.username}): {p}" for p in inert_problems(page)]
    failed = [each for each in statuses if each[2] != 200]
    assert failed == [], failed
    # Each page shows the corpus's text (as text): the check looked at it, not at an empty page.
    blank = [each[:2] for each in shown if not each[2] and each[0] not in FIGURES_ONLY]
    assert blank == [], blank
    assert problems == [], "\n".join(problems)
    notice_problems = _sent_and_listed(client, w)
    assert notice_problems == [], "\n".join(notice_problems)
    export_problems = _exports(client, w)
    assert export_problems == [], "\n".join(export_problems)
