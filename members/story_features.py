"""Members an alliance story features (科创故事), only with their recorded consent.

Staff (宣传编辑) ask a member from the story's admin page: a ``StoryFeature`` row, asked, and a
notice to her with a link to a page where she reads the story and agrees or declines. She can
withdraw later; the story stops naming her at once (the page reads the rows on every view).

How her consent is recorded: a ``Consent`` row of kind ``story_feature`` (who, policy version,
given at, withdrawn at — as every consent of hers), which the feature row points at (so which
story it is for is on record), and every answer in the audit trail with her as the actor.

Who a story names: ``FEATURE_SHOWN`` (consented, account open). Her name links to the member
directory only where the directory's own rule lets the reader find her there: she is listed
(``members.queries.LISTED``) and the reader is an approved member (who alone may open it).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiangcheng.core.audit import audit_context
from xiangcheng.core.compiled_queries import CompiledQuery
from xiangcheng.core.story_models import Story

from .consents import consent_grant
from .models import Consent, MemberProfile, Status, User
from .profiles import is_approved_member
from .queries import LISTED
from .story_feature_models import FEATURE_SHOWN, StoryFeature, StoryFeatureStatus


class StoryFeatureError(Exception):
    """The step is not possible; the message says why, in her (or staff's) language."""


def member_by_login(*, login: str) -> User:
    """The approved member who signs in with this email address or verified mobile number."""
    login = login.strip()
    found = (User.objects.filter(Q(email__iexact=login) | Q(phone=login, phone_verified=True))
             .filter(is_active=True, profile__status=Status.APPROVED).first()) if login else None
    if found is None:
        raise StoryFeatureError(_("No approved member signs in with this email address or mobile number."))
    return found


def story_feature_ask(*, story: Story, member: User, actor: User | None = None) -> StoryFeature:
    """Ask her whether the story may name her: a row, asked, and a notice to her (after commit)."""
    from .story_feature_notices import notify_asked

    if not MemberProfile.objects.filter(user=member, user__is_active=True, status=Status.APPROVED).exists():
        raise StoryFeatureError(_("Only approved members can be featured in a story."))
    try:
        with transaction.atomic(), audit_context(actor=actor):
            feature = StoryFeature.objects.create(story=story, member=member)
            notify_asked(feature=feature)
    except IntegrityError:
        raise StoryFeatureError(_("She has already been asked about this story.")) from None
    return feature


def _locked(*, feature_id: int, member: User) -> StoryFeature:
    feature = StoryFeature.objects.select_for_update().filter(pk=feature_id, member=member).first()
    if feature is None:
        raise StoryFeature.DoesNotExist
    return feature


def story_feature_consent(*, feature_id: int, member: User) -> StoryFeature:
    """She agrees to be named in the story: her consent is recorded, the story names her."""
    with transaction.atomic(), audit_context(actor=member, reason="consented"):
        feature = _locked(feature_id=feature_id, member=member)
        if feature.status == StoryFeatureStatus.CONSENTED:
            return feature
        feature.consent = consent_grant(user=member, kind=Consent.Kind.STORY_FEATURE)
        feature.status = StoryFeatureStatus.CONSENTED
        feature.answered_at = timezone.now()
        feature.save(update_fields=["consent", "status", "answered_at"])
    return feature


def story_feature_decline(*, feature_id: int, member: User) -> StoryFeature:
    """She says no, or takes back the yes she gave: the story stops naming her at once."""
    with transaction.atomic(), audit_context(actor=member, reason="declined"):
        feature = _locked(feature_id=feature_id, member=member)
        if feature.status in (StoryFeatureStatus.DECLINED, StoryFeatureStatus.WITHDRAWN):
            return feature
        now = timezone.now()
        if feature.status == StoryFeatureStatus.CONSENTED:
            Consent.objects.filter(pk=feature.consent_id, withdrawn_at__isnull=True).update(withdrawn_at=now)
            feature.status = StoryFeatureStatus.WITHDRAWN
        else:
            feature.status = StoryFeatureStatus.DECLINED
        feature.answered_at = now
        feature.save(update_fields=["status", "answered_at"])
    return feature


def features_of(*, member: User) -> QuerySet[StoryFeature]:
    """The stories she was asked about, newest first (with each story, in one query)."""
    return (StoryFeature.objects.filter(member=member).select_related("story")
            .only("pk", "status", "asked_at", "answered_at", "story__id", "story__title", "story__status")
            .order_by("-asked_at", "-pk"))


def feature_for(*, feature_id: int, member: User) -> StoryFeature | None:
    """Her own feature row (with its story), or None: another member's answers 404."""
    return StoryFeature.objects.select_related("story", "story__programme").filter(pk=feature_id, member=member).first()


@dataclass(frozen=True)
class FeaturedMember:
    name: str
    directory_url: str  # empty: no link (not listed, or the reader may not open the directory)


# A story's page reads the members it names on every visit: the SQL built once per process, and
# only their names and whether the directory lists them.
_SHOWN = CompiledQuery(lambda story_id: StoryFeature.objects.filter(FEATURE_SHOWN, story_id=story_id)
                       .annotate(listed=Exists(MemberProfile.objects.filter(LISTED, user=OuterRef("member_id"))))
                       .select_related("member__profile").only("member_id", "member__profile__user_id",
                                                                "member__profile__real_name").order_by("pk"),
                       story_id=int)


def features_shown(*, story: Story, viewer) -> list[FeaturedMember]:
    """The members the story names, in the order they were asked (two queries at most)."""
    rows = _SHOWN.rows(story_id=story.pk)
    may_open_directory = (any(row.listed for row in rows) and viewer.is_authenticated
                          and is_approved_member(viewer))
    directory = reverse("members:directory")
    shown = []
    for row in rows:
        name = getattr(getattr(row.member, "profile", None), "real_name", "")
        if not name:
            continue
        link = f"{directory}?{urlencode({'q': name})}" if row.listed and may_open_directory else ""
        shown.append(FeaturedMember(name=name, directory_url=link))
    return shown
