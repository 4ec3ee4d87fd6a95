"""Staff in 企业服务 verify or reject organisations (with a reason, through an intermediate page),
confirm or withdraw the women-led badge; every decision is in the audit trail with who and why,
and each representative is told through the outbox. Other staff cannot."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from members.models import Organisation, OrganisationStatus, Representative
from tests.factories import UserFactory
from tests.helpers import email_subject, zh
from xiangcheng.core import audit
from xiangcheng.core.models import Notice
from xiangcheng.core.roles import ENTERPRISE_SERVICE, REVIEWER

from .organisation_factories import organisation_with

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/members/organisation/"
REASON = "营业执照信息与填写不一致"


@pytest.fixture
def qiye(staff_in_group):
    return staff_in_group("qiye", ENTERPRISE_SERVICE.name)


def two_represented():
    first, second = UserFactory(), UserFactory()
    return organisation_with(first, second, name="甲公司"), [first, second]


def decisions(organisation):
    return [(e.label, e.actor_id, e.reason) for e in audit.history(organisation)
            if e.label in {"verified", "rejected"}]


def test_the_queue_lists_pending_first(client, qiye):
    verified = organisation_with(name="已认证公司", status=OrganisationStatus.VERIFIED)
    pending = organisation_with(name="待认证公司")
    client.force_login(qiye)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert [o.pk for o in response.context["cl"].result_list] == [pending.pk, verified.pk]


def test_verifying_records_the_decision_and_tells_each_representative(
        client, qiye, outbox, django_capture_on_commit_callbacks):
    organisation, reps = two_represented()
    other = organisation_with(name="乙公司")
    client.force_login(qiye)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, {"action": "verify", "index": "0", ACTION_CHECKBOX_NAME: [organisation.pk]})
    assert response.status_code == 302
    organisation.refresh_from_db()
    other.refresh_from_db()
    assert (organisation.status, organisation.reviewed_by, other.status) == (
        OrganisationStatus.VERIFIED, qiye, OrganisationStatus.PENDING)
    assert decisions(organisation) == [("verified", qiye.pk, "")]
    assert sorted((m.to[0], m.subject) for m in outbox) == sorted(
        (u.email, email_subject("%(name)s is verified", name="甲公司")) for u in reps)
    assert sorted(Notice.objects.values_list("recipient", flat=True)) == sorted(u.pk for u in reps)


def test_rejecting_asks_for_the_reason_first_then_records_and_tells_it(
        client, qiye, outbox, django_capture_on_commit_callbacks):
    organisation, reps = two_represented()
    client.force_login(qiye)
    step = client.post(CHANGELIST, {"action": "reject", "index": "0", ACTION_CHECKBOX_NAME: [organisation.pk]})
    assert step.status_code == 200
    assert zh("Reason (sent to its representatives)") in step.content.decode()
    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "reject", "index": "0", ACTION_CHECKBOX_NAME: [organisation.pk],
                                 "reason": REASON})
    organisation.refresh_from_db()
    assert (organisation.status, organisation.rejection_reason) == (OrganisationStatus.REJECTED, REASON)
    assert decisions(organisation) == [("rejected", qiye.pk, REASON)]
    assert sorted(m.to[0] for m in outbox) == sorted(u.email for u in reps)
    assert all(REASON in m.body and m.subject == email_subject("%(name)s was not verified", name="甲公司")
               for m in outbox)


def test_a_representative_who_left_before_delivery_is_not_told(qiye, outbox, django_capture_on_commit_callbacks):
    from members.organisations import organisations_verify

    organisation, (first, second) = two_represented()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        organisations_verify(organisation_ids=[organisation.pk], reviewer=qiye)
    Representative.objects.filter(user=second).delete()
    for callback in callbacks:
        callback()
    assert [m.to[0] for m in outbox] == [first.email]


def test_the_women_led_badge_is_confirmed_and_withdrawn_by_staff(client, qiye):
    claimed = organisation_with(name="女性创办公司", women_led="founder")
    unclaimed = organisation_with(name="普通公司")
    client.force_login(qiye)
    client.post(CHANGELIST, {"action": "confirm_women_led", "index": "0",
                             ACTION_CHECKBOX_NAME: [claimed.pk, unclaimed.pk]})
    claimed.refresh_from_db()
    unclaimed.refresh_from_db()
    assert (claimed.badge, unclaimed.women_led_confirmed) == (zh("Founded by a woman"), False)
    client.post(CHANGELIST, {"action": "withdraw_women_led", "index": "0", ACTION_CHECKBOX_NAME: [claimed.pk]})
    claimed.refresh_from_db()
    assert claimed.badge == ""
    assert [(e.data["women_led_confirmed"], e.actor_id, e.reason) for e in audit.history(claimed)
            if e.label == "updated"] == [
        (True, qiye.pk, zh("Women-led badge confirmed")), (False, qiye.pk, zh("Women-led badge withdrawn"))]


def test_the_role_has_exactly_the_organisation_permissions(qiye):
    assert {p for p in qiye.get_all_permissions() if p.startswith("members.")} == {
        "members.view_organisation", "members.change_organisation", "members.verify_organisation",
        "members.view_representative", "members.view_organisationinvitation"}


def test_a_member_reviewer_cannot_open_or_decide_organisations(client, staff_in_group):
    reviewer = staff_in_group("rev", REVIEWER.name)
    organisation = organisation_with()
    client.force_login(reviewer)
    assert client.get(CHANGELIST).status_code == 403
    client.post(CHANGELIST, {"action": "verify", "index": "0", ACTION_CHECKBOX_NAME: [organisation.pk]})
    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.PENDING


def test_the_change_page_shows_representatives_read_only_and_the_invitations_list_opens(client, qiye):
    organisation, reps = two_represented()
    client.force_login(qiye)
    page = client.get(f"{CHANGELIST}{organisation.pk}/change/")
    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"][0]
    assert (inline.has_add_permission, inline.has_change_permission, inline.has_delete_permission) == (
        False, False, False)
    assert client.get("/admin/members/organisationinvitation/").status_code == 200
    assert Organisation.objects.get().status == OrganisationStatus.PENDING
