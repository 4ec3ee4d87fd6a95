"""注销账号: what members erases itself, and the kernel's part (the kernel cannot register here, so
members registers it): her profile and photo, consents, organisation representation, story
features, exports of her data, sign-in addresses and authenticators; her outbox rows, sessions and the admin log.
Registered in ``MembersConfig.ready``; each step is idempotent."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Q

from xiangcheng.core.account_erasure import admin_log_forget, audit_forget, notices_forget, sessions_end

from .erasure import erasure_step, files_delete_after_commit, identifiers_of
from .models import (
    Consent,
    DataExport,
    MemberProfile,
    OrganisationInvitation,
    Representative,
    StoryFeature,
    User,
)


def profile_erase(user: User) -> None:
    """Her profile stays as an anonymous row (category, field, city and status count in the
    federation's figures); her name, organisation, title, bio, photo and any refusal reason go."""
    profile = MemberProfile.objects.filter(user=user).first()
    if profile is None:
        return
    storage = MemberProfile._meta.get_field("avatar").storage
    files_delete_after_commit((storage, f.name) for f in (profile.avatar, profile.avatar_thumb) if f)
    MemberProfile.objects.filter(pk=profile.pk).update(
        real_name="", organisation="", job_title="", bio="", rejection_reason="", avatar="", avatar_thumb="",
        listed_in_directory=False)
    audit_forget(model=MemberProfile, pks=[profile.pk], values={"rejection_reason": ""})


def consents_erase(user: User) -> None:
    """Her consents and the stories' requests to feature her (a story's own text is the
    federation's, edited by staff)."""
    StoryFeature.objects.filter(member=user).delete()
    Consent.objects.filter(user=user).delete()


def representation_erase(user: User) -> None:
    """She stops representing her organisations (an organisation whose last representative leaves
    stays, without her); invitations she sent go, and her address on the one she accepted."""
    Representative.objects.filter(user=user).delete()
    OrganisationInvitation.objects.filter(invited_by=user).delete()
    mine = Q(accepted_by=user)
    if user.email:
        mine |= Q(email__iexact=user.email)
    if user.phone:
        mine |= Q(phone=user.phone)
    # The check constraint wants exactly one address: the erased one becomes a mark.
    OrganisationInvitation.objects.filter(mine).exclude(email="").update(email="erased@invalid")
    OrganisationInvitation.objects.filter(mine, email="").exclude(phone="").update(phone="00000000000")


def data_exports_erase(user: User) -> None:
    """Her exports of her personal data (我的数据), rows and ZIPs: each is a copy of what she had."""
    exports = DataExport.objects.filter(user=user)
    storage = DataExport._meta.get_field("file").storage
    files_delete_after_commit((storage, export.file.name) for export in exports.only("file"))
    exports.delete()


def sign_in_erase(user: User) -> None:
    """Her email addresses and second factors (allauth)."""
    Authenticator.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()


def kernel_erase(user: User) -> None:
    """Her outbox rows and her name in others' notices, her sessions, her name in admin's log."""
    identifiers = getattr(user, "erasure_identifiers", None) or identifiers_of(user)
    notices_forget(user_id=user.pk, identifiers=identifiers)
    admin_log_forget(identifiers=identifiers)
    sessions_end(user_id=user.pk)


def register() -> None:
    # After the apps above members (order < 100): they find her rows by her account first.
    erasure_step(key="members.profile", erase=profile_erase, order=100)
    erasure_step(key="members.consents", erase=consents_erase, order=110)
    erasure_step(key="members.representation", erase=representation_erase, order=120)
    erasure_step(key="members.data_exports", erase=data_exports_erase, order=130)
    # Last: the notices and the log are searched for her name, address and number.
    erasure_step(key="kernel.notices_sessions_log", erase=kernel_erase, order=900)
    erasure_step(key="members.sign_in", erase=sign_in_erase, order=910)
