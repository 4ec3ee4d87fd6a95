"""注销账号: confirming by password or code, every session ending at once, and the erasure itself
(run inline here; tests/members/test_account_deletion_worker.py runs it in a real worker)."""

import re

import pytest
from django.apps import apps
from django.urls import reverse

from events.models import EventSeats, Registration
from members.erasure import account_erase
from members.models import AccountErasure, MemberProfile, Organisation, User
from services.models import Ticket
from tests.factories import PASSWORD, MemberProfileFactory, UserFactory
from tests.helpers import zh
from xiangcheng.core.models import Notice

from .account_deletion_support import (
    CALL_FILE_TEXT,
    CV_TEXT,
    EMAIL,
    EXPORT_TEXT,
    FILE_MARKERS,
    MARKERS,
    NAME,
    PHONE,
    files_under,
    her_everywhere,
    markers_in_database,
    markers_in_files,
)

DELETE = reverse("members:account_delete")
PROFILE = reverse("members:profile")


@pytest.fixture
def file_dirs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    private = tmp_path / "private"
    settings.STORAGES = {**settings.STORAGES, "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(private), "base_url": None}}}
    return [tmp_path / "media", private]


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_profile_links_to_the_page_which_says_what_goes_and_what_stays(client, db):
    member = MemberProfileFactory().user
    signed_in(client, member)
    assert DELETE in client.get(PROFILE).content.decode()
    page = client.get(DELETE).content.decode()
    assert zh("What is erased") in page
    assert zh("What stays, without your name") in page


def test_a_wrong_password_is_a_clear_error_and_nothing_changes(client, db, outbox):
    member = MemberProfileFactory().user
    signed_in(client, member)

    response = client.post(DELETE, {"understood": "on", "password": "not-her-password", "confirm": "1"})

    assert response.status_code == 400
    assert zh("The password is not right.") in response.content.decode()
    member.refresh_from_db()
    assert member.is_active is True and member.check_password(PASSWORD)
    assert not AccountErasure.objects.exists()
    assert client.get(PROFILE).status_code == 200


def test_without_ticking_the_box_nothing_happens(client, db):
    member = MemberProfileFactory().user
    signed_in(client, member)
    response = client.post(DELETE, {"password": PASSWORD, "confirm": "1"})
    assert response.status_code == 400
    assert zh("Tick the box to confirm that you want to delete your account.") in response.content.decode()
    assert User.objects.get(pk=member.pk).is_active is True


def test_a_phone_only_account_confirms_with_a_code_sent_by_sms(client, db, make_phone_user, sms_outbox,
                                                               django_capture_on_commit_callbacks):
    member = make_phone_user("13911112222")
    member.set_unusable_password()
    member.save()
    MemberProfileFactory(user=member)
    signed_in(client, member)
    assert 'name="code"' in client.get(DELETE).content.decode()

    client.post(DELETE, {"understood": "on", "send_code": "1"})
    assert [sms.template for sms in sms_outbox] == ["account_deletion_code"]
    code = re.search(r"\d{6}", sms_outbox[0].text).group()
    wrong = "000000" if code != "000000" else "111111"

    response = client.post(DELETE, {"understood": "on", "code": wrong, "confirm": "1"})
    assert response.status_code == 400
    assert zh("The code is not right.") in response.content.decode()
    assert User.objects.get(pk=member.pk).is_active is True

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(DELETE, {"understood": "on", "code": code, "confirm": "1"})
    assert response.status_code == 302 and response.url == reverse("members:account_deleted")
    assert User.objects.get(pk=member.pk).is_active is False
    # A code is used once.
    assert AccountErasure.objects.filter(user=member, erased_at=None).count() == 1


def test_every_session_ends_at_once(client, db, django_capture_on_commit_callbacks):
    from django.test import Client

    member = MemberProfileFactory().user
    phone, laptop = signed_in(Client(), member), signed_in(client, member)
    assert phone.get(PROFILE).status_code == 200

    with django_capture_on_commit_callbacks(execute=False):
        response = laptop.post(DELETE, {"understood": "on", "password": PASSWORD, "confirm": "1"})

    assert response.status_code == 302
    done = laptop.get(response.url)
    assert zh("Your account has been deleted") in done.content.decode()
    for device in (phone, laptop):
        answer = device.get(PROFILE)
        assert answer.status_code == 302 and answer.url.startswith(reverse("account_login"))
    # And she cannot log in again.
    assert client.login(username=member.username, password=PASSWORD) is False


def test_the_erasure_leaves_no_personal_data_in_any_table_or_file(db, file_dirs, django_capture_on_commit_callbacks):
    her = her_everywhere()
    stays = {"seats": EventSeats.objects.get(event=her.registration.event_id).confirmed,
             "children": EventSeats.objects.get(event=her.registration.event_id).children}
    before = markers_in_database(MARKERS)
    assert {marker for _, _, marker in before} == set(MARKERS)  # the scan sees each one first
    assert sorted(her.files) == sorted(files_under(file_dirs[1]))
    assert sorted(marker for _, marker in markers_in_files(file_dirs, FILE_MARKERS)) == sorted(
        [CALL_FILE_TEXT, CV_TEXT, CV_TEXT, EXPORT_TEXT])  # the CV, a ticket file, the call file, her data export

    with django_capture_on_commit_callbacks(execute=True):
        from members.erasure import deletion_confirm
        deletion_confirm(user=her.user, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        assert account_erase(user_id=her.user.pk) is True

    assert markers_in_database(MARKERS) == []
    assert markers_in_files(file_dirs, [m.encode() for m in MARKERS] + FILE_MARKERS) == []
    assert files_under(file_dirs[1]) == []

    # What must stay, stays, without her.
    user = User.objects.get(pk=her.user.pk)
    assert (user.is_active, user.email, user.phone, user.has_usable_password()) == (False, "", "", False)
    assert user.username.startswith("deleted-")
    ticket = Ticket.objects.get(pk=her.ticket.pk)
    assert (ticket.category, ticket.rating, ticket.status, ticket.subject, ticket.description) == (
        "policy", 5, "closed", "", "")
    assert ticket.first_response_at is not None and ticket.messages.count() == 1
    registration = Registration.objects.get(pk=her.registration.pk)
    assert (registration.status, registration.children_count, registration.children_ages) == ("confirmed", 2, [])
    assert registration.checked_in_at is not None
    seats = EventSeats.objects.get(event=her.registration.event_id)
    assert {"seats": seats.confirmed, "children": seats.children} == stays
    audit = apps.get_model("events", "RegistrationAudit")
    assert list(audit.objects.filter(pgh_obj_id=her.registration.pk).values_list("children_ages", flat=True)) == [
        [] for _ in range(audit.objects.filter(pgh_obj_id=her.registration.pk).count())]
    assert Organisation.objects.filter(pk=her.organisation.pk).exists()
    assert not her.organisation.representatives.exists()
    profile = MemberProfile.objects.get(pk=her.profile.pk)
    assert (profile.real_name, profile.bio, profile.avatar.name, profile.listed_in_directory) == ("", "", "", False)
    assert not Notice.objects.filter(recipient=user).exists()
    mention = Notice.objects.get(recipient=her.other)
    assert (mention.subject, mention.data) == ("[…]回复了您", {"who": "[…]"})

    # Running it again changes nothing.
    rows = {table: markers_in_database([NAME, EMAIL, PHONE]) for table in ("all",)}
    with django_capture_on_commit_callbacks(execute=True):
        assert account_erase(user_id=her.user.pk) is True
    assert {table: markers_in_database([NAME, EMAIL, PHONE]) for table in ("all",)} == rows == {"all": []}
    assert User.objects.get(pk=user.pk).is_active is False
    assert Ticket.objects.get(pk=ticket.pk).rating == 5


def test_an_active_account_is_never_erased(db):
    member = MemberProfileFactory(real_name=NAME).user
    assert account_erase(user_id=member.pk) is False
    assert MemberProfile.objects.get(user=member).real_name == NAME


def test_an_account_with_only_an_email_gets_its_code_by_email(client, db, outbox):
    member = MemberProfileFactory().user
    member.set_unusable_password()
    member.save()
    signed_in(client, member)

    client.post(DELETE, {"understood": "on", "send_code": "1"})

    assert [m.to for m in outbox] == [[member.email]]
    code = re.search(r"\d{6}", outbox[0].body).group()
    response = client.post(DELETE, {"understood": "on", "code": code, "confirm": "1"})
    assert response.status_code == 302
    assert User.objects.get(pk=member.pk).is_active is False


def test_an_account_with_no_verified_contact_is_told_to_ask_the_federation(client, db):
    member = MemberProfileFactory(user=UserFactory(email="", phone="13900001111", phone_verified=False)).user
    member.set_unusable_password()
    member.save()
    signed_in(client, member)
    response = client.post(DELETE, {"understood": "on", "send_code": "1"})
    assert response.status_code == 400
    assert zh("Your account has no verified mobile number or email address to send a code to. Please contact "
              "the federation to delete it.") in response.content.decode()


def test_the_erasure_waits_while_another_worker_sends_the_farewell_then_goes_ahead(db, settings):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from members.erasure import deletion_confirm, erasures_run
    from members.erasure_notices import farewell_notice_id

    member = MemberProfileFactory(real_name=NAME).user
    deletion_confirm(user=member, password=PASSWORD)  # eager tasks run only on commit: nothing ran
    farewell = farewell_notice_id(user=member)
    now = timezone.now()
    Notice.objects.filter(pk=farewell).update(claimed_at=now)  # another worker is sending it right now

    assert account_erase(user_id=member.pk, now=now) is False
    assert erasures_run(now=now) == 0
    assert MemberProfile.objects.get(user=member).real_name == NAME

    with time_machine.travel(now + timedelta(minutes=11)):
        assert erasures_run(now=timezone.now()) == 1
    assert MemberProfile.objects.get(user=member).real_name == ""
    assert AccountErasure.objects.get(user=member).erased_at is not None
