"""`manage.py seed_bulk`: the issue's volumes at any scale, the same rows for the same seed, every
rule of the database and of the domain kept, and the audit trail as the triggers would have
written it over the years."""

import io
import random
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce

from events.models import Event, EventStatus, Registration, RegistrationStatus
from events.notices import notify_registration
from members.models import Consent, MemberProfile, Organisation, Representative, Status, User
from members.notices import DECISION, decision_key
from services.models import Ticket, TicketCounter, TicketMessage
from tests.helpers import production_environment
from xiangcheng.core import audit
from xiangcheng.core.bulk import Pick, shares
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import notice_key

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SCALE = 0.005  # 500 members, 25 events, 5,000 registrations, 250 tickets, 5,000 outbox rows
# Noon in Xiangcheng: the data's "today" is that day's midnight, 2026-11-20 00:00 +08:00.
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOON.replace(hour=0)
STAFF = 20  # 3 reviewers and an administrator, 3 organisers, 8 inbox agents and a supervisor, 2 企业服务, 遇见审核,
# 申报评审
SINGLES = 10  # single talents in 遇见 交友 who are not members (2,000 at scale 1.0)


def seed(seed: int = 1) -> str:
    out = io.StringIO()
    with time_machine.travel(NOON, tick=False):
        call_command("seed_bulk", scale=SCALE, seed=seed, stdout=out)
    return out.getvalue()


def test_a_tiny_scale_loads_exactly_the_scaled_volumes_with_their_audit_trail():
    seed()

    # Members, and the accounts that represent the 2 organisations (500 at scale 1.0).
    assert User.objects.filter(is_staff=False, representations__isnull=True, profile__isnull=False).count() == 500
    assert User.objects.filter(is_staff=False, profile__isnull=True, match_profile__isnull=False).count() == SINGLES
    assert Organisation.objects.count() == 2
    assert Representative.objects.values("organisation").distinct().count() == 2
    assert User.objects.filter(is_staff=False).count() == 500 + Representative.objects.count() + SINGLES
    assert User.objects.filter(is_staff=True).count() == STAFF
    assert MemberProfile.objects.count() == 500
    assert Event.objects.count() == 25
    assert Registration.objects.count() == 5_000
    assert Ticket.objects.count() == 250
    assert TicketMessage.objects.count() == 750
    # The outbox: 400 decisions, 4,000 registration notices, 600 ticket notices.
    assert Counter(Notice.objects.values_list("kind", flat=True).iterator()).total() == 5_000
    assert Notice.objects.filter(kind="members.decision").count() == 400
    assert Notice.objects.filter(kind__startswith="events.").count() == 4_000
    assert Notice.objects.filter(kind__startswith="inbox.").count() == 600
    # One "created" event per row, as the insert triggers would have written.
    for model in audit.tracked_models():
        created = model.pgh_event_model.objects.filter(pgh_label=audit.CREATED)
        assert created.count() == model.objects.count(), model
        assert created.values("pgh_obj_id").distinct().count() == model.objects.count(), model
    assert Consent.objects.filter(kind=Consent.Kind.PRIVACY_POLICY).count() == 500


def test_a_second_load_finds_everything_there_and_writes_nothing():
    seed()
    counts = {model: model.objects.count() for model in (User, Registration, Ticket, Notice)}

    output = seed()

    assert output.splitlines()[:3] == ["members: already loaded", "organisations: already loaded",
                                       "events: already loaded"]
    assert {model: model.objects.count() for model in counts} == counts


def fingerprint() -> dict[str, list]:
    """The loaded rows by what they say, not by their ids (a second load takes new ids)."""
    return {
        "users": list(User.objects.order_by("username").values_list(
            "username", "email", "phone", "phone_verified", "is_active", "date_joined", "last_login")),
        "profiles": list(MemberProfile.objects.order_by("user__username").values_list(
            "user__username", "real_name", "category", "organisation", "field", "expertise", "city", "status",
            "submitted_at", "reviewed_at", "reviewed_by__username", "listed_in_directory", "visible_fields")),
        "events": list(Event.objects.order_by("starts_at", "title").values_list(
            "title", "programme__slug", "venue__name", "starts_at", "capacity", "status", "requires_approval")),
        "registrations": list(Registration.objects.order_by("event__starts_at", "event__title", "user__username")
                              .values_list("event__title", "user__username", "status", "children_ages",
                                           "created_at", "decided_at", "cancelled_at", "checked_in_at")),
        "tickets": list(Ticket.objects.order_by("reference").values_list(
            "reference", "member__username", "status", "assignee__username", "created_at", "closed_at", "rating")),
        "messages": list(TicketMessage.objects.order_by("ticket__reference", "created_at", "body").values_list(
            "ticket__reference", "author__username", "body", "internal", "created_at")),
        "notices": sorted(Notice.objects.values_list("kind", "recipient__username", "state", "created_at",
                                                     "subject", "read_at")),
        "audit": sorted((model._meta.label, label, at) for model in audit.tracked_models()
                        for label, at in model.pgh_event_model.objects.values_list("pgh_label", "pgh_created_at")),
    }


def loaded_and_undone(seed_value: int) -> dict[str, list]:
    with transaction.atomic():
        seed(seed_value)
        found = fingerprint()
        transaction.set_rollback(True)
    assert User.objects.count() == 0
    return found


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows():
    first, again, other = loaded_and_undone(7), loaded_and_undone(7), loaded_and_undone(8)

    assert first == again
    assert {part for part in first if first[part] != other[part]} == set(first)


def test_the_loaded_rows_keep_every_rule_of_the_database_and_the_domain():
    seed()
    connection.check_constraints()  # deferred foreign keys too

    for event in Event.objects.annotate(
            confirmed=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
            waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
            pending=Count("registrations", filter=Q(registrations__status=RegistrationStatus.PENDING)),
            children=Coalesce(Sum("registrations__children_count",
                                  filter=Q(registrations__status=RegistrationStatus.CONFIRMED)), 0)):
        assert event.confirmed <= event.capacity, event
        assert event.waiting == 0 or event.waitlist_enabled, event
        assert event.pending == 0 or event.requires_approval, event
        assert event.children <= event.childcare_places, event
        # The database's seat counts, kept by its triggers through the COPY, agree.
        assert (event.seats.confirmed, event.seats.children) == (event.confirmed, event.children), event
    assert not Registration.objects.filter(event__status=EventStatus.DRAFT).exists()
    # Sign-ups fall inside their event's registration window.
    assert not Registration.objects.filter(Q(created_at__lt=F("event__registration_opens_at"))
                                           | Q(created_at__gt=F("event__registration_closes_at"))).exists()
    # Members of events for approved members only are approved members.
    assert not Registration.objects.filter(event__audience="members").exclude(
        user__profile__status=Status.APPROVED).exists()
    # Each year's reference counter continues after its last ticket.
    for year, last in TicketCounter.objects.values_list("year", "last"):
        assert Ticket.objects.filter(year=year).aggregate(Max("number"))["number__max"] == last
    # Sign-in: every bulk account's email is hers, verified ones unique.
    assert EmailAddress.objects.filter(verified=True).values("email").distinct().count() == (
        EmailAddress.objects.filter(verified=True).count())
    # A sample of each table passes the models' own validation (choices, lengths, phone numbers).
    rng = random.Random(1)
    for model in (User, MemberProfile, Consent, Event, Registration, Ticket, TicketMessage, Notice):
        pks = list(model.objects.values_list("pk", flat=True))
        for obj in model.objects.filter(pk__in=rng.sample(pks, min(40, len(pks)))):
            obj.full_clean()


def test_each_rows_audit_trail_ends_in_the_state_it_is_in_and_lies_in_the_past():
    seed()

    for model in audit.tracked_models():
        events = model.pgh_event_model.objects.order_by("pgh_obj_id", "pgh_created_at", "pgh_id")
        names = [f.name for f in model.pgh_event_model._meta.concrete_fields if not f.name.startswith("pgh_")]
        last = {}
        for event in events:
            last[event.pgh_obj_id] = event
        assert events.filter(pgh_created_at__gt=TODAY).count() == 0, model
        for obj in model.objects.all():
            latest = last[obj.pk]
            for name in names:
                assert getattr(latest, name) == getattr(obj, name), (model, obj.pk, name)
    decided = MemberProfile.pgh_event_model.objects.filter(pgh_label=Status.REJECTED)
    assert decided.exists()
    assert all(e.pgh_context["reason"] and e.pgh_context["user"] for e in decided)


def test_seed_bulk_refuses_to_run_with_production_settings():
    result = subprocess.run([sys.executable, "manage.py", "seed_bulk", "--scale", "0.001"], cwd=ROOT,
                            env={**production_environment(), "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.production"},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "CommandError: seed_bulk refuses to run with xiangcheng.settings.production: bulk accounts with a "
        "published password must not reach a production database.")


def test_seed_bulk_writes_nothing_where_bulk_data_is_not_allowed(settings):
    settings.BULK_DATA_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("seed_bulk", scale=SCALE)
    assert User.objects.count() == 0


# --- the choosing helpers ---------------------------------------------------------------------------

def test_shares_split_a_total_exactly_in_proportion_and_within_each_cap():
    assert shares(12, [1, 1, 2]) == [3, 3, 6]
    assert sum(shares(1_000, [0.3, 1.7, 2.9, 0.1])) == 1_000
    assert shares(100, [1, 1, 8], [100, 100, 20]) == [40, 40, 20]
    assert shares(100, [1, 0, 1], [30, 100, 30]) == [30, 0, 30]  # the caps hold less than the total


def test_pick_takes_exactly_the_number_wanted_evenly():
    rng = random.Random(3)
    every = Pick(rng, wanted=1_000, total=1_000)
    assert sum(every.take() for _ in range(1_000)) == 1_000
    pick = Pick(rng, wanted=250, total=1_000)
    chosen = [i for i in range(1_000) if pick.take()]
    assert len(chosen) == 250
    assert 100 < sum(1 for i in chosen if i < 500) < 150  # about half from each half


def test_the_loaded_notices_have_the_keys_the_domain_writes():
    """A notice loaded in bulk is the one the domain would write for the same decision or
    registration: writing it again finds it there."""
    seed()
    decision = Notice.objects.filter(kind=DECISION.name).select_related("recipient").first()
    profile = MemberProfile.objects.get(pk=decision.target_id)
    assert decision.key == notice_key(DECISION, decision_key(profile.pk, profile.reviewed_at))

    confirmed = Notice.objects.filter(kind="events.confirmed").first()
    registration = Registration.objects.get(pk=confirmed.target_id)
    assert notify_registration(registration=registration, kind="confirmed") == (confirmed.pk, False)


@pytest.mark.django_db(transaction=True)
def test_after_a_load_its_tables_are_vacuumed_and_analysed_and_inside_a_transaction_analysed():
    from xiangcheng.core.bulk import tables_settled
    from xiangcheng.core.models import Programme

    def vacuumed_and_analysed() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT vacuum_count, analyze_count FROM pg_stat_user_tables WHERE relname = %s",
                           [Programme._meta.db_table])
            return cursor.fetchone()

    vacuums, analyses = vacuumed_and_analysed()
    # A copy made straight after the command must not pay for the first reads of its rows.
    tables_settled(Programme)
    assert vacuumed_and_analysed() == (vacuums + 1, analyses + 1)
    # A test's load runs in a transaction, which cannot vacuum: the statistics alone.
    with transaction.atomic():
        tables_settled(Programme)
    assert vacuumed_and_analysed() == (vacuums + 1, analyses + 2)
