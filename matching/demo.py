"""Demo data for 遇见: two members of the demo opted in for networking, and one 交友 participant."""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from members.consents import consent_grant
from members.demo import demo_staff
from members.models import Category, City, Consent, Field, MemberProfile, Status, User
from xiangcheng.core.demo import DEMO_PASSWORD, DemoLoaded
from xiangcheng.core.roles import MATCH_MODERATOR

from .models import MatchProfile, Purpose, Visibility
from .profiles import FRIENDSHIP_CONSENT_VERSION, MATCH_CONSENT_VERSION
from .suggestions import suggestions_refresh

# A member who takes part in 交友 (the members' demo has none).
MODERATOR = {"username": "yujian", "email": "yujian@demo.xcwomenstech.cn"}
FRIENDSHIP_MEMBER = {"username": "sunyue", "email": "sunyue@demo.xcwomenstech.cn"}
FRIENDSHIP_PROFILE = {
    "real_name": "孙悦", "category": Category.ENGINEER, "organisation": "相城区一家集成电路设计公司",
    "job_title": "芯片验证工程师", "field": Field.INTEGRATED_CIRCUITS, "city": City.SUZHOU,
    "expertise": ["芯片验证"], "bio": "",
}

MATCH_PROFILES = {
    "linxiaowen": {
        "purposes": [Purpose.NETWORKING, Purpose.OFFER_MENTORING], "interests": ["新材料", "专利转化", "成果落地"],
        "fields": [Field.ADVANCED_MATERIALS], "cities": [City.SUZHOU, City.SHANGHAI], "show_photo": True,
        "introduction": "做了十年功能薄膜材料，乐意和年轻研究者聊聊选题和专利转化。",
    },
    "zhouyiran": {
        "purposes": [Purpose.NETWORKING, Purpose.COFOUNDING, Purpose.SEEK_MENTOR],
        "interests": ["智能车联网", "融资", "人工智能"], "fields": [Field.CONNECTED_VEHICLES, Field.AI],
        "cities": [City.SUZHOU], "introduction": "车联网创业第五年，想找懂材料和芯片的伙伴，也想请教前辈管理经验。",
    },
    "sunyue": {
        "purposes": [Purpose.NETWORKING, Purpose.FRIENDSHIP], "interests": ["芯片验证", "徒步", "摄影"],
        "fields": [Field.INTEGRATED_CIRCUITS], "cities": [City.SUZHOU, City.WUXI],
        "introduction": "周末喜欢去太湖边徒步拍照，想认识更多同行和朋友。",
        "age_min": 28, "age_max": 36, "age_visibility": Visibility.CIRCLE,
        "hometown": "江苏南通", "hometown_visibility": Visibility.CONNECTED,
    },
}


def _friendship_member() -> User:
    user, created = User.objects.get_or_create(username=FRIENDSHIP_MEMBER["username"],
                                               defaults={"email": FRIENDSHIP_MEMBER["email"]})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        consent_grant(user=user, kind=Consent.Kind.PRIVACY_POLICY)
        MemberProfile.objects.create(user=user, status=Status.APPROVED, submitted_at=timezone.now(),
                                     reviewed_at=timezone.now(), **FRIENDSHIP_PROFILE)
    return user


@transaction.atomic
def demo_load() -> DemoLoaded:
    """Opt the demo members in where they are not (idempotent: a second run creates nothing)."""
    demo_staff(username=MODERATOR["username"], email=MODERATOR["email"], roles=[MATCH_MODERATOR.name])
    _friendship_member()
    for user in User.objects.filter(username__in=MATCH_PROFILES, profile__status=Status.APPROVED):
        if MatchProfile.objects.filter(user=user).exists():
            continue
        values = MATCH_PROFILES[user.username]
        MatchProfile.objects.create(user=user, **values)
        consent_grant(user=user, kind=Consent.Kind.MATCHING, version=MATCH_CONSENT_VERSION)
        if Purpose.FRIENDSHIP in values["purposes"]:
            consent_grant(user=user, kind=Consent.Kind.MATCHING_FRIENDSHIP, version=FRIENDSHIP_CONSENT_VERSION)
    # Their suggestions, as the refresh after joining would have left them.
    for profile in MatchProfile.objects.filter(user__username__in=MATCH_PROFILES).order_by("pk"):
        suggestions_refresh(profile=profile)
    return DemoLoaded(logins=[(FRIENDSHIP_MEMBER["email"], "approved member, in 遇见's 交友 circle"),
                              (MODERATOR["email"], "staff 遇见审核 (match moderator)")])
