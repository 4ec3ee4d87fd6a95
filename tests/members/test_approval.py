"""Membership review: the domain rules, the notices, the 审核员 admin, and members-only pages."""

import pytest
from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from members.forms import ProfileForm
from members.membership import MembershipError, profile_apply, profiles_approve, profiles_reject
from members.models import Consent, MemberProfile, Status
from members.profiles import profile_save
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import queries_for, review_decisions, squash, zh

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/members/memberprofile/"


def profile_form_data(profile: MemberProfile, **overrides) -> dict:
    data = {
        "real_name": profile.real_name,
        "category": profile.category,
        "organisation": profile.organisation,
        "job_title": profile.job_title,
        "field": profile.field,
        "expertise": "、".join(profile.expertise),
        "city": profile.city,
        "bio": profile.bio,
        "visible_fields": list(profile.visible_fields),
    }
    if profile.listed_in_directory:
        data["listed_in_directory"] = "on"
    data.update(overrides)
    return data


def statuses(*profiles) -> list[str]:
    return [MemberProfile.objects.get(pk=p.pk).status for p in profiles]


# --- the domain rules -------------------------------------------------------------------------


def test_apply_moves_a_draft_to_pending():
    profile = MemberProfileFactory(status=Status.DRAFT, submitted_at=None)
    profile_apply(profile=profile)
    profile.refresh_from_db()
    assert profile.status == Status.PENDING
    assert profile.submitted_at is not None


def test_an_approved_member_cannot_apply_again():
    profile = MemberProfileFactory(status=Status.APPROVED)
    with pytest.raises(MembershipError) as exc:
        profile_apply(profile=profile)
    assert str(exc.value) == gettext("You are already an approved member.")
    profile.refresh_from_db()
    assert profile.status == Status.APPROVED


def test_approve_changes_only_pending_profiles_and_records_each_decision(
    reviewer, outbox, django_capture_on_commit_callbacks
):
    pending = MemberProfileFactory.create_batch(2, status=Status.PENDING)
    draft = MemberProfileFactory(status=Status.DRAFT)
    rejected = MemberProfileFactory(status=Status.REJECTED, rejection_reason="资料不全")
    approved = MemberProfileFactory(status=Status.APPROVED)
    everyone = [*pending, draft, rejected, approved]

    with django_capture_on_commit_callbacks(execute=True):
        count = profiles_approve(profile_ids=[p.pk for p in everyone], reviewer=reviewer)

    assert count == 2
    assert statuses(*everyone) == ["approved", "approved", "draft", "rejected", "approved"]
    for profile in pending:
        profile.refresh_from_db()
        assert profile.reviewed_by == reviewer
        assert profile.reviewed_at is not None
        assert profile.rejection_reason == ""
    assert sorted(review_decisions()) == [
        (p.pk, "approved", "", reviewer.pk) for p in sorted(pending, key=lambda p: p.pk)
    ]
    # One notice per changed profile, none for the others.
    assert sorted(m.to[0] for m in outbox) == sorted(p.user.email for p in pending)


def test_reject_requires_a_reason(reviewer, pending_profile, outbox):
    for blank in ["", "   \n "]:
        with pytest.raises(MembershipError) as exc:
            profiles_reject(profile_ids=[pending_profile.pk], reviewer=reviewer, reason=blank)
        assert str(exc.value) == gettext("Give the member a reason.")
    assert statuses(pending_profile) == ["pending"]
    assert review_decisions() == []
    assert outbox == []


def test_reject_changes_only_pending_profiles_and_keeps_the_reason(
    reviewer, django_capture_on_commit_callbacks
):
    pending = MemberProfileFactory(status=Status.PENDING)
    approved = MemberProfileFactory(status=Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        count = profiles_reject(
            profile_ids=[pending.pk, approved.pk], reviewer=reviewer, reason="  请补充单位证明  "
        )
    assert count == 1
    assert statuses(pending, approved) == ["rejected", "approved"]
    pending.refresh_from_db()
    assert pending.rejection_reason == "请补充单位证明"
    assert pending.reviewed_by == reviewer
    assert review_decisions() == [(pending.pk, "rejected", "请补充单位证明", reviewer.pk)]


def test_no_notice_is_sent_before_the_transaction_commits(
    reviewer, pending_profile, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        profiles_approve(profile_ids=[pending_profile.pk], reviewer=reviewer)
    assert len(callbacks) == 1
    assert outbox == []


def test_approval_email_to_a_member_who_joined_by_email(
    reviewer, pending_profile, outbox, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        profiles_approve(profile_ids=[pending_profile.pk], reviewer=reviewer)
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == [pending_profile.user.email]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "[相城区女科技工作者联盟] " + zh("Your membership is approved")
    assert message.body.startswith(zh("Dear %(name)s,") % {"name": "林晓雯"})
    # She has no verified mobile number, so no SMS.
    assert sms_outbox == []


def test_rejection_email_carries_the_reason(
    reviewer, pending_profile, outbox, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        profiles_reject(profile_ids=[pending_profile.pk], reviewer=reviewer, reason="请上传工作证明")
    assert [m.subject for m in outbox] == [
        "[相城区女科技工作者联盟] " + zh("Your membership application was not approved")
    ]
    assert "\n请上传工作证明\n" in outbox[0].body
    assert sms_outbox == []


def test_member_who_joined_by_phone_gets_an_sms(
    reviewer, phone_member_profile, outbox, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        profiles_approve(profile_ids=[phone_member_profile.pk], reviewer=reviewer)
    assert outbox == []
    assert [(s.phone, s.template, s.text) for s in sms_outbox] == [
        ("13912345678", "membership_approved", zh("Welcome! Your membership of the alliance is approved."))
    ]


def test_rejection_sms_points_to_the_reason_on_the_portal(
    reviewer, phone_member_profile, outbox, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        profiles_reject(profile_ids=[phone_member_profile.pk], reviewer=reviewer, reason="单位信息不完整")
    assert outbox == []
    # An approved SMS template carries no free text: the reason is in the email and on the portal.
    assert [(s.phone, s.template, s.params) for s in sms_outbox] == [("13912345678", "membership_rejected", {})]


def test_an_unverified_mobile_number_gets_no_sms(
    reviewer, outbox, sms_outbox, django_capture_on_commit_callbacks
):
    user = UserFactory(phone="13700001111", phone_verified=False)
    profile = MemberProfileFactory(user=user, status=Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        profiles_approve(profile_ids=[profile.pk], reviewer=reviewer)
    assert [m.to for m in outbox] == [[user.email]]
    assert sms_outbox == []


def test_rejected_member_edits_and_reapplies(reviewer, pending_profile, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        profiles_reject(profile_ids=[pending_profile.pk], reviewer=reviewer, reason="请填写单位全称")
    pending_profile.refresh_from_db()
    assert pending_profile.status == Status.REJECTED

    form = ProfileForm(
        profile_form_data(pending_profile, organisation="苏州大学材料与化学化工学部"),
        instance=pending_profile,
    )
    assert form.is_valid(), form.errors
    saved = profile_save(user=pending_profile.user, form=form)

    saved.refresh_from_db()
    assert saved.status == Status.PENDING
    assert saved.organisation == "苏州大学材料与化学化工学部"
    # Back in the queue: a reviewer can now decide again.
    with django_capture_on_commit_callbacks(execute=True):
        assert profiles_approve(profile_ids=[saved.pk], reviewer=reviewer) == 1
    assert [decision for _, decision, _, _ in review_decisions(saved)] == ["rejected", "approved"]


def test_approved_member_editing_stays_approved():
    profile = MemberProfileFactory(status=Status.APPROVED)
    form = ProfileForm(profile_form_data(profile, job_title="高级工程师"), instance=profile)
    assert form.is_valid(), form.errors
    profile_save(user=profile.user, form=form)
    profile.refresh_from_db()
    assert (profile.status, profile.job_title) == (Status.APPROVED, "高级工程师")


def test_first_save_of_a_profile_applies_and_records_directory_consent():
    user = UserFactory()
    template = MemberProfileFactory.build(listed_in_directory=True)
    form = ProfileForm(profile_form_data(template))
    assert form.is_valid(), form.errors
    profile = profile_save(user=user, form=form)
    profile.refresh_from_db()
    assert (profile.user_id, profile.status) == (user.pk, Status.PENDING)
    consents = list(Consent.objects.filter(user=user).values_list("kind", "version", "withdrawn_at"))
    assert consents == [("directory", settings.PRIVACY_POLICY_VERSION, None)]


def test_leaving_the_directory_withdraws_the_consent():
    profile = MemberProfileFactory(status=Status.APPROVED, listed_in_directory=True)
    Consent.objects.create(user=profile.user, kind=Consent.Kind.DIRECTORY, version="2026-11")
    data = profile_form_data(profile)
    del data["listed_in_directory"]
    form = ProfileForm(data, instance=profile)
    assert form.is_valid(), form.errors
    profile_save(user=profile.user, form=form)
    consent = Consent.objects.get(user=profile.user, kind="directory")
    assert consent.withdrawn_at is not None
    profile.refresh_from_db()
    assert profile.listed_in_directory is False


def test_profile_page_saves_and_applies(client):
    user = UserFactory()
    client.force_login(user)
    template = MemberProfileFactory.build(real_name="陈思远")
    response = client.post(reverse("members:profile"), profile_form_data(template))
    assert response.status_code == 302
    assert response.url == reverse("members:profile")
    profile = MemberProfile.objects.get(user=user)
    assert (profile.real_name, profile.status) == ("陈思远", Status.PENDING)


# --- the 审核员 group and the admin -----------------------------------------------------------


def test_reviewer_group_has_exactly_the_review_permissions():
    group = Group.objects.get(name="审核员")
    perms = sorted(group.permissions.values_list("content_type__app_label", "codename"))
    assert perms == [
        ("core", "change_notice"),
        ("core", "view_notice"),
        ("members", "review_memberprofile"),
        ("members", "view_memberprofile"),
    ]


def test_reviewer_opens_the_changelist_and_sees_the_review_actions(client, reviewer, pending_profile):
    client.force_login(reviewer)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [pending_profile]
    choices = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert choices == ["", "approve", "reject"]


def test_the_review_list_runs_the_same_queries_at_5_and_50_applications(client, reviewer):
    client.force_login(reviewer)
    pending = {"status__exact": Status.PENDING}
    MemberProfileFactory.create_batch(5, status=Status.PENDING)
    at_5 = (queries_for(client, CHANGELIST), queries_for(client, CHANGELIST, pending))
    MemberProfileFactory.create_batch(45, status=Status.PENDING)
    at_50 = (queries_for(client, CHANGELIST), queries_for(client, CHANGELIST, pending))

    assert at_50 == at_5
    assert len(client.get(CHANGELIST, pending).context["cl"].result_list) == 50


def test_the_review_list_counts_exactly_up_to_its_cap_then_says_more_than(client, reviewer, monkeypatch):
    from xiangcheng.core.changelists import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    client.force_login(reviewer)
    MemberProfileFactory.create_batch(3, status=Status.PENDING)
    MemberProfileFactory.create_batch(2, status=Status.APPROVED)
    with translation.override(settings.LANGUAGE_CODE):
        plural = str(MemberProfile._meta.verbose_name_plural)

    pending = client.get(CHANGELIST, {"status__exact": Status.PENDING})
    assert (pending.context["cl"].result_count, pending.context["cl"].paginator.capped) == (3, False)
    assert f"3 {plural}" in squash(pending.content.decode())
    everyone = client.get(CHANGELIST)
    assert (everyone.context["cl"].result_count, everyone.context["cl"].paginator.capped) == (3, True)
    assert zh("more than %(count)s %(name)s", count=3, name=plural) in squash(everyone.content.decode())
    # Selecting every row across pages is offered only where the count is exact.
    assert 'class="action-counter"' in pending.content.decode()
    assert 'class="action-counter"' not in everyone.content.decode()


def test_the_selection_checkbox_is_the_html_django_renders(reviewer, pending_profile):
    from django.contrib import admin as django_admin

    from members.admin import MemberProfileAdmin

    model_admin = MemberProfileAdmin(MemberProfile, django_admin.site)
    with translation.override(settings.LANGUAGE_CODE):
        assert model_admin.action_checkbox(pending_profile) == django_admin.ModelAdmin.action_checkbox(
            model_admin, pending_profile)


def test_reviewer_approves_selected_pending_profiles_in_admin(
    client, reviewer, django_capture_on_commit_callbacks, outbox
):
    chosen = MemberProfileFactory.create_batch(2, status=Status.PENDING)
    other = MemberProfileFactory(status=Status.PENDING)
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, {
            "action": "approve", "index": "0", ACTION_CHECKBOX_NAME: [p.pk for p in chosen],
        })
    assert response.status_code == 302
    assert statuses(*chosen, other) == ["approved", "approved", "pending"]
    assert review_decisions() == [(p.pk, "approved", "", reviewer.pk) for p in sorted(chosen, key=lambda p: p.pk)]
    assert len(outbox) == 2


def test_reviewer_rejects_with_a_reason_through_the_intermediate_page(
    client, reviewer, django_capture_on_commit_callbacks, outbox
):
    chosen = MemberProfileFactory.create_batch(2, status=Status.PENDING)
    client.force_login(reviewer)

    # Step 1: the action asks for a reason and changes nothing yet.
    response = client.post(CHANGELIST, {
        "action": "reject", "index": "0", ACTION_CHECKBOX_NAME: [p.pk for p in chosen],
    })
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "admin/members/reject.html"
    html = response.content.decode()
    assert 'name="reason"' in html
    for p in chosen:
        assert f'name="{ACTION_CHECKBOX_NAME}" value="{p.pk}"' in html
    assert statuses(*chosen) == ["pending", "pending"]

    # An empty reason shows the page again.
    response = client.post(CHANGELIST, {
        "action": "reject", ACTION_CHECKBOX_NAME: [p.pk for p in chosen], "reason": "  ",
    })
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reason"]
    assert statuses(*chosen) == ["pending", "pending"]

    # Step 2: the reason is posted with the same selection.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, {
            "action": "reject", ACTION_CHECKBOX_NAME: [p.pk for p in chosen],
            "reason": "请补充在职证明",
        })
    assert response.status_code == 302
    assert statuses(*chosen) == ["rejected", "rejected"]
    assert sorted(MemberProfile.objects.values_list("rejection_reason", flat=True)) == [
        "请补充在职证明", "请补充在职证明",
    ]
    assert [d[1:] for d in review_decisions()] == [
        ("rejected", "请补充在职证明", reviewer.pk), ("rejected", "请补充在职证明", reviewer.pk),
    ]
    assert len(outbox) == 2


def test_staff_without_the_group_cannot_open_the_review_admin(client, clerk, pending_profile):
    client.force_login(clerk)
    assert client.get(CHANGELIST).status_code == 403
    response = client.post(CHANGELIST, {
        "action": "approve", "index": "0", ACTION_CHECKBOX_NAME: [pending_profile.pk],
    })
    assert response.status_code == 403
    assert statuses(pending_profile) == ["pending"]


def test_staff_who_may_only_view_profiles_cannot_run_the_review_actions(
    client, clerk, pending_profile
):
    clerk.user_permissions.add(
        Permission.objects.get(content_type__app_label="members", codename="view_memberprofile")
    )
    client.force_login(clerk)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["action_form"] is None
    for action in ["approve", "reject"]:
        response = client.post(CHANGELIST, {
            "action": action, "index": "0", ACTION_CHECKBOX_NAME: [pending_profile.pk],
            "reason": "不应生效",
        })
        assert response.status_code == 200
    assert statuses(pending_profile) == ["pending"]
    assert review_decisions() == []


# --- members-only pages -----------------------------------------------------------------------


def test_directory_sends_anonymous_visitors_to_log_in(client):
    response = client.get("/members/directory/")
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=/members/directory/"


@pytest.mark.parametrize("status", [Status.DRAFT, Status.PENDING, Status.REJECTED, None])
def test_members_not_yet_approved_see_the_awaiting_approval_page(client, status):
    user = UserFactory()
    if status is not None:
        MemberProfileFactory(user=user, status=status, rejection_reason="资料不全" if status == "rejected" else "")
    client.force_login(user)
    response = client.get("/members/directory/")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "members/awaiting_approval.html"
    assert "page" not in response.context


def test_approved_member_sees_the_directory(client):
    profile = MemberProfileFactory(status=Status.APPROVED)
    client.force_login(profile.user)
    response = client.get("/members/directory/")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "members/directory.html"
    assert list(response.context["page"]) == [profile]
