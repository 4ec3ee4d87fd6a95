"""The consents members keeps itself, for 我的授权 (members.consent_kinds): the privacy policy, the
listing in the member directory and being named in the alliance's stories."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiangcheng.core.compiled_queries import CompiledQuery, Read

from .consent_kinds import ConsentItem, consent_source
from .consents import consent_in_force
from .models import Consent, MemberProfile, User
from .profiles import profile_directory_leave
from .story_feature_models import StoryFeature, StoryFeatureStatus
from .story_features import story_feature_decline


def privacy_policy_rows(user: User) -> list[ConsentItem]:
    consent = consent_in_force(user=user, kind=Consent.Kind.PRIVACY_POLICY)
    if consent is None:
        return []
    note = _("It cannot be withdrawn while you keep an account: the portal cannot run your account without it. "
             "To stop all processing, delete your account (注销账号) under Account.")
    if consent.version != settings.PRIVACY_POLICY_VERSION:
        note = _("A newer version (%(version)s) is in force; you are asked to accept it at your next login.") % {
            "version": settings.PRIVACY_POLICY_VERSION} + " " + note
    return [ConsentItem(key="current", title=_("Privacy policy"), version=consent.version,
                        given_at=consent.granted_at, withdrawable=False, note=note)]


_LISTED = CompiledQuery(lambda user_id: MemberProfile.objects.filter(user_id=user_id, listed_in_directory=True).only(
    "updated_at"), user_id=int)


def directory_read(user: User) -> Read:
    # Read afresh, not from her signed-in account: withdrawing asks again under her account's lock.
    def items(profile: MemberProfile | None) -> list[ConsentItem]:
        if profile is None:
            return []
        # Listed without a recorded consent (an account from before consents were kept): shown all
        # the same, so that she can withdraw it.
        consent = consent_in_force(user=user, kind=Consent.Kind.DIRECTORY)
        return [ConsentItem(key="listing", title=_("Listing in the member directory"),
                            version=consent.version if consent else "",
                            given_at=consent.granted_at if consent else profile.updated_at)]

    return _LISTED.first_read(user_id=user.pk).then(items)


def directory_withdraw(user: User, item: ConsentItem) -> None:
    profile_directory_leave(user=user)


_FEATURES = CompiledQuery(lambda user_id: StoryFeature.objects.filter(
    member_id=user_id, status=StoryFeatureStatus.CONSENTED, consent__isnull=False).select_related(
    "story", "consent").order_by("-answered_at", "-pk"), user_id=int)


def story_feature_read(user: User) -> Read:
    """Each story she agreed to be named in (one query, with the story and the consent)."""
    return _FEATURES.read(user_id=user.pk).then(lambda features: [
        ConsentItem(key=f"story-{feature.pk}", title=feature.story.title, version=feature.consent.version,
                    given_at=feature.consent.granted_at) for feature in features])


def story_feature_withdraw(user: User, item: ConsentItem) -> None:
    story_feature_decline(feature_id=int(item.key.removeprefix("story-")), member=user)


def register() -> None:
    consent_source(key="privacy", label=gettext_lazy("Privacy policy"), rows=privacy_policy_rows, order=10)
    consent_source(key="directory", label=gettext_lazy("Member directory"), read=directory_read,
                   withdraw=directory_withdraw, order=20,
                   effect=gettext_lazy("You disappear from the member directory at once. You can list yourself "
                                       "again from your profile at any time."))
    consent_source(key="stories", label=gettext_lazy("Named in the alliance's stories"), read=story_feature_read,
                   withdraw=story_feature_withdraw, order=25,
                   effect=gettext_lazy("The story stops naming you at once."))
