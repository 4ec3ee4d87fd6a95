"""Staff admin: counts, attendee exports, copying, bulk approval, cancelling events."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from events import booking, changes, checkin
from events.models import Event, EventStatus, Registration, RegistrationStatus
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import messages_of, queries_for, squash, zh, zh_n
from xiangcheng.core import audit
from xiangcheng.core.changelists import ManyChoicesListFilter

from .factories import EventFactory, RegistrationFactory
from .helpers import admin_event_data, event_notices

pytestmark = pytest.mark.django_db

S = RegistrationStatus
CHANGELIST = "/admin/events/event/"


def cells(response, column: str) -> list[str]:
    return [squash(c) for c in re.findall(rf'<t[dh] class="field-{column}[^"]*">(.*?)</t[dh]>', response.content.decode(), re.S)]


def header() -> list[str]:
    return [zh("Name"), zh("Organisation"), zh("Status"), zh("Signed up at"), zh("Children"),
            zh("Children's ages"), zh("Checked in at")]


def stamp(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def salon(event_manager):
    """A salon with childcare: 林晓雯 confirmed with two children and checked in, 周雨桐 confirmed,
    王芳 waitlisted; and 陈静 confirmed at another event."""
    event = EventFactory(title="产业资源对接沙龙", capacity=2, childcare_offered=True, childcare_places=4)
    lin = booking.sign_up(event_id=event.pk, user=MemberProfileFactory(real_name="林晓雯", organisation="苏大材料学院").user,
                          children_ages=[4, 7], children_consent=True)
    zhou = booking.sign_up(event_id=event.pk, user=MemberProfileFactory(real_name="周雨桐", organisation="相城科技").user)
    wang = booking.sign_up(event_id=event.pk, user=MemberProfileFactory(real_name="王芳", organisation="元和街道").user)
    chen = booking.sign_up(event_id=EventFactory().pk, user=MemberProfileFactory(real_name="陈静").user)
    checkin.check_in(registration=lin, staff=event_manager)
    lin.refresh_from_db()
    return {"event": event, "lin": lin, "zhou": zhou, "wang": wang, "elsewhere": chen}


# The event list -------------------------------------------------------------------------


def test_changelist_shows_counts_per_event(manager_client, salon):
    event = salon["event"]
    RegistrationFactory(event=event, status=S.PENDING)
    RegistrationFactory(event=event, status=S.CANCELLED)
    quiet = EventFactory(title="科企会客厅", starts_at=event.starts_at + timedelta(days=1))

    response = manager_client.get(CHANGELIST)
    assert response.status_code == 200
    rows = [(e.pk, e.seats.confirmed, e.waitlist_count, e.pending_count, e.attended_count)
            for e in response.context["cl"].result_list]
    assert sorted(rows) == sorted([(event.pk, 2, 1, 1, 1), (quiet.pk, 0, 0, 0, 0),
                                   (salon["elsewhere"].event_id, 1, 0, 0, 0)])
    columns = ["title", "n_confirmed", "n_waitlisted", "n_pending", "n_attended"]
    table = list(zip(*(cells(response, column) for column in columns), strict=True))
    assert sorted(table) == sorted([("产业资源对接沙龙", "2", "1", "1", "1"), ("科企会客厅", "0", "0", "0", "0"),
                                    (salon["elsewhere"].event.title, "1", "0", "0", "0")])


def test_changelist_filters_by_status_and_childcare(manager_client, salon):
    draft = EventFactory(title="草稿沙龙", status=EventStatus.DRAFT)
    plain = salon["elsewhere"].event
    assert [e.pk for e in manager_client.get(CHANGELIST, {"status__exact": "draft"}).context["cl"].result_list] == [
        draft.pk]
    childcare = manager_client.get(CHANGELIST, {"childcare_offered__exact": "1"}).context["cl"].result_list
    assert [e.pk for e in childcare] == [salon["event"].pk]
    assert plain.pk not in [e.pk for e in childcare]


def test_change_page_lists_the_registrations_inline(manager_client, salon):
    response = manager_client.get(reverse("admin:events_event_change", args=[salon["event"].pk]))
    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0]
    assert [form.original.pk for form in inline] == [salon["lin"].pk, salon["zhou"].pk, salon["wang"].pk]


def test_registration_admin_filters_by_checked_in(manager_client, salon):
    response = manager_client.get("/admin/events/registration/", {"checked_in_at__isempty": "0"})
    assert [r.pk for r in response.context["cl"].result_list] == [salon["lin"].pk]


# Exports --------------------------------------------------------------------------------


def test_export_xlsx_has_the_header_and_a_row_with_childcare(manager_client, salon):
    event = salon["event"]
    response = manager_client.get(reverse("admin:events_event_export", args=[event.pk, "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    today = timezone.localtime().strftime("%Y%m%d")
    assert response["Content-Disposition"] == f'attachment; filename="event-{event.pk}-attendees-{today}.xlsx"'

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == zh("Attendees")
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    lin, zhou, wang = salon["lin"], salon["zhou"], salon["wang"]
    assert rows == [
        header(),
        ["林晓雯", "苏大材料学院", zh("Confirmed"), stamp(lin.created_at), 2, "4, 7", stamp(lin.checked_in_at)],
        ["周雨桐", "相城科技", zh("Confirmed"), stamp(zhou.created_at), 0, None, None],
        ["王芳", "元和街道", zh("On the waitlist"), stamp(wang.created_at), 0, None, None],
    ]


def test_export_csv_has_a_bom_the_header_and_the_rows(manager_client, salon):
    event = salon["event"]
    response = manager_client.get(reverse("admin:events_event_export", args=[event.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    lin = salon["lin"]
    assert rows[0] == header()
    assert rows[1] == ["林晓雯", "苏大材料学院", zh("Confirmed"), stamp(lin.created_at), "2", "4, 7",
                       stamp(lin.checked_in_at)]
    assert [r[0] for r in rows[1:]] == ["林晓雯", "周雨桐", "王芳"]


def test_exports_never_turn_member_text_into_formulas(manager_client):
    event = EventFactory()
    name = '=HYPERLINK("http://evil.example","点我")'
    RegistrationFactory(event=event, user=MemberProfileFactory(real_name=name, organisation="+86-512 实验室").user)

    xlsx = manager_client.get(reverse("admin:events_event_export", args=[event.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    # Both formats: after the usual guard, a quote (xiangcheng.core.spreadsheets).
    assert [(c.value, c.data_type) for c in sheet[2][:2]] == [("'" + name, "s"), ("'+86-512 实验室", "s")]

    rows = list(csv.reader(io.StringIO(manager_client.get(
        reverse("admin:events_event_export", args=[event.pk, "csv"])).content.decode("utf-8-sig"))))
    assert rows[1][:2] == ["'" + name, "'+86-512 实验室"]


def test_export_needs_view_permission(client, salon):
    url = reverse("admin:events_event_export", args=[salon["event"].pk, "csv"])
    client.force_login(UserFactory(is_staff=True))  # staff, but no events permission
    assert client.get(url).status_code == 404
    client.force_login(salon["lin"].user)  # a member: not staff
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, f"/admin/login/?next={url}")


def test_export_of_an_unknown_format_or_event_is_404(manager_client, salon):
    assert manager_client.get(f"/admin/events/event/{salon['event'].pk}/export.pdf").status_code == 404
    assert manager_client.get("/admin/events/event/987654/export.csv").status_code == 404


# Actions --------------------------------------------------------------------------------


def action(client, url, name, pks, follow=False):
    return client.post(url, {"action": name, "_selected_action": [str(pk) for pk in pks]}, follow=follow)


def test_copy_action_creates_a_draft_copy(manager_client, salon):
    event = salon["event"]
    response = action(manager_client, CHANGELIST, "copy_events", [event.pk])
    copy = Event.objects.exclude(pk=event.pk).get(title=zh("%(title)s (copy)", title=event.title))
    assert (response.status_code, response["Location"]) == (302, reverse("admin:events_event_change", args=[copy.pk]))
    assert copy.status == EventStatus.DRAFT
    same = ["programme_id", "kind", "description", "venue_id", "starts_at", "ends_at", "capacity", "audience",
            "requires_approval", "waitlist_enabled", "reminder_offsets", "childcare_offered", "childcare_places"]
    assert [getattr(copy, f) for f in same] == [getattr(event, f) for f in same]
    assert copy.registrations.count() == 0
    event.refresh_from_db()
    assert (event.status, event.registrations.count()) == (EventStatus.PUBLISHED, 3)


def test_copy_action_with_several_events_says_how_many(manager_client):
    events = EventFactory.create_batch(2)
    response = action(manager_client, CHANGELIST, "copy_events", [e.pk for e in events], follow=True)
    assert messages_of(response) == [zh_n("%(n)d event copied.", "%(n)d events copied.", 2)]
    assert Event.objects.filter(status=EventStatus.DRAFT).count() == 2


def test_bulk_approve_and_reject_from_the_registration_admin(manager_client):
    event = EventFactory(capacity=2, requires_approval=True)
    regs = [booking.sign_up(event_id=event.pk, user=MemberProfileFactory().user) for _ in range(4)]
    url = "/admin/events/registration/"

    response = action(manager_client, url, "approve", [r.pk for r in regs[:3]], follow=True)
    assert messages_of(response) == [zh_n("%(n)d sign-up decided.", "%(n)d sign-ups decided.", 3)]
    response = action(manager_client, url, "reject", [regs[3].pk], follow=True)
    assert messages_of(response) == [zh_n("%(n)d sign-up decided.", "%(n)d sign-ups decided.", 1)]
    for r in regs:
        r.refresh_from_db()
    assert [r.status for r in regs] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.REJECTED]
    assert [list(event_notices(registration=r).order_by("pk").values_list("kind", flat=True)) for r in regs] == [
        ["events.pending", "events.approved"], ["events.pending", "events.approved"],
        ["events.pending", "events.waitlisted"], ["events.pending", "events.rejected"]]
    # Who decided each one is in the audit trail: the member of staff who pressed the button.
    manager = int(manager_client.session["_auth_user_id"])
    assert [[(e.label, e.actor_id) for e in audit.history(r)] for r in regs] == [
        [("created", None), ("confirmed", manager)], [("created", None), ("confirmed", manager)],
        [("created", None), ("waitlisted", manager)], [("created", None), ("rejected", manager)]]


def test_cancel_action_cancels_published_events_and_tells_registrants(manager_client, salon):
    event = salon["event"]
    draft = EventFactory(status=EventStatus.DRAFT)
    response = action(manager_client, CHANGELIST, "cancel_events", [event.pk, draft.pk], follow=True)
    assert messages_of(response) == [zh_n("%(n)d registrant told.", "%(n)d registrants told.", 3)]
    event.refresh_from_db()
    draft.refresh_from_db()
    assert (event.status, draft.status) == (EventStatus.CANCELLED, EventStatus.DRAFT)
    assert sorted(event_notices(kind="cancelled").values_list("target_id", flat=True)) == sorted(
        [salon["lin"].pk, salon["zhou"].pk, salon["wang"].pk])
    # Cancelling again tells nobody twice.
    response = action(manager_client, CHANGELIST, "cancel_events", [event.pk], follow=True)
    assert messages_of(response) == [zh_n("%(n)d registrant told.", "%(n)d registrants told.", 0)]
    assert event_notices(kind="cancelled").count() == 3
    # The audit trail has the one cancellation, by her; the draft was not touched.
    manager = int(manager_client.session["_auth_user_id"])
    assert [(e.label, e.actor_id) for e in audit.history(event)] == [("created", None), ("cancelled", manager)]
    assert [e.label for e in audit.history(draft)] == ["created"]


# --- the status moves only through publish and cancel ---------------------------------------------

def test_the_status_cannot_be_edited_in_the_form(manager_client, salon):
    event = salon["event"]
    url = reverse("admin:events_event_change", args=[event.pk])

    response = manager_client.post(url, admin_event_data(event, status=EventStatus.CANCELLED))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    assert event_notices(kind="cancelled").count() == 0
    assert 'name="status"' not in manager_client.get(url).content.decode()


def test_a_new_event_is_a_draft_whatever_is_posted(manager_client):
    data = admin_event_data(EventFactory(), title="新的沙龙", status=EventStatus.PUBLISHED)  # no registrations

    response = manager_client.post(reverse("admin:events_event_add"), data)

    assert response.status_code == 302
    assert Event.objects.get(title="新的沙龙").status == EventStatus.DRAFT


def test_the_publish_action_publishes_drafts_only(manager_client, salon):
    draft = EventFactory(status=EventStatus.DRAFT, title="草稿")
    cancelled = EventFactory(status=EventStatus.CANCELLED, title="已取消")

    response = action(manager_client, CHANGELIST, "publish_events", [draft.pk, cancelled.pk, salon["event"].pk],
                      follow=True)

    assert messages_of(response) == [zh_n("%(n)d event published.", "%(n)d events published.", 1)]
    assert [Event.objects.get(pk=e.pk).status for e in (draft, cancelled, salon["event"])] == [
        EventStatus.PUBLISHED, EventStatus.CANCELLED, EventStatus.PUBLISHED]
    manager = int(manager_client.session["_auth_user_id"])
    assert [(e.label, e.actor_id) for e in audit.history(draft)] == [("created", None), ("published", manager)]


def test_publishing_or_cancelling_in_the_wrong_state_is_refused():
    published = EventFactory()
    draft = EventFactory(status=EventStatus.DRAFT)

    with pytest.raises(changes.EventChangeError) as refused:
        changes.event_publish(event=published)
    assert str(refused.value) == zh("Only a draft can be published.")
    with pytest.raises(changes.EventChangeError) as refused:
        changes.event_cancel(event=draft)
    assert str(refused.value) == zh("Only a published event can be cancelled.")
    assert [Event.objects.get(pk=e.pk).status for e in (published, draft)] == [
        EventStatus.PUBLISHED, EventStatus.DRAFT]


# The registration list at volume ----------------------------------------------------------

REGISTRATIONS = "/admin/events/registration/"


def _event_choices(response) -> list[str]:
    spec = next(s for s in response.context["cl"].filter_specs if getattr(s, "parameter_name", "") == "event__id__exact")
    return [str(name) for _, name in spec.lookup_choices]


def test_the_event_filter_lists_the_events_around_today_and_the_one_chosen(manager_client):
    now = timezone.now()

    def event(title, days):
        starts = now + timedelta(days=days)
        return EventFactory(title=title, starts_at=starts, registration_opens_at=starts - timedelta(days=30))

    old, recent, soon = event("三年前的沙龙", -15), event("上周的沙龙", -13), event("下月的培训", 29)
    event("明年的大赛", 31)
    for event in [old, recent, old]:
        RegistrationFactory(event=event)

    def choice(event) -> str:
        return f"{event.title} ({timezone.localtime(event.starts_at):%Y-%m-%d})"

    assert _event_choices(manager_client.get(REGISTRATIONS)) == [choice(recent), choice(soon)]
    chosen = manager_client.get(REGISTRATIONS, {"event__id__exact": old.pk})
    assert _event_choices(chosen) == [choice(old), choice(recent), choice(soon)]
    assert [r.event_id for r in chosen.context["cl"].result_list] == [old.pk, old.pk]
    # Any other event is found by its title.
    found = manager_client.get(REGISTRATIONS, {"q": "三年前"})
    assert [r.event_id for r in found.context["cl"].result_list] == [old.pk, old.pk]
    # A value that is no event's id is the admin's "invalid filter" redirect, not an error page.
    assert manager_client.get(REGISTRATIONS, {"event__id__exact": "x"})["Location"] == f"{REGISTRATIONS}?e=1"


def test_the_event_filters_links_are_djangos_built_once(manager_client):
    now = timezone.now()
    events = [EventFactory(title=f"沙龙{n}", starts_at=now + timedelta(days=n),
                           registration_opens_at=now - timedelta(days=1)) for n in (1, 2, 3)]
    RegistrationFactory(event=events[0])

    def both(params) -> tuple[list, list]:
        cl = manager_client.get(REGISTRATIONS, params).context["cl"]
        spec = next(s for s in cl.filter_specs if getattr(s, "parameter_name", "") == "event__id__exact")
        return list(spec.choices(cl)), list(admin.SimpleListFilter.choices(spec, cl))

    for params in ({}, {"status__exact": "confirmed", "q": "沙龙 & 培训", "o": "-2"},
                   {"event__id__exact": events[1].pk, "checked_in_at__isempty": "1"},
                   {"q": ManyChoicesListFilter._CHOICE}):  # the stand-in in the list's own parameters
        ours, djangos = both(params)
        assert ours == djangos
        assert len(ours) == 4 and [c["display"] for c in ours[1:]] == [
            f"沙龙{n} ({timezone.localtime(e.starts_at):%Y-%m-%d})" for n, e in zip((1, 2, 3), events, strict=True)]
    assert [c["selected"] for c in both({"event__id__exact": events[1].pk})[0]] == [False, False, True, False]


def test_the_registration_list_is_newest_first_with_a_constant_number_of_queries(manager_client):
    RegistrationFactory.create_batch(5)
    at_5 = queries_for(manager_client, REGISTRATIONS)
    RegistrationFactory.create_batch(45)
    at_50 = queries_for(manager_client, REGISTRATIONS)

    assert at_50 == at_5
    shown = [r.pk for r in manager_client.get(REGISTRATIONS).context["cl"].result_list]
    assert shown == sorted(shown, reverse=True) and len(shown) == 50
    with_event = {"event__id__exact": Registration.objects.latest("pk").event_id}
    assert queries_for(manager_client, REGISTRATIONS, with_event) == at_5


def test_the_registration_list_shows_fifty_a_page(manager_client):
    registrations = RegistrationFactory.create_batch(51)
    newest_first = sorted((r.pk for r in registrations), reverse=True)

    first = manager_client.get(REGISTRATIONS).context["cl"]
    second = manager_client.get(REGISTRATIONS, {"p": 2}).context["cl"]

    assert [r.pk for r in first.result_list] == newest_first[:50]
    assert [r.pk for r in second.result_list] == newest_first[50:]
    assert (first.result_count, first.paginator.num_pages) == (51, 2)
