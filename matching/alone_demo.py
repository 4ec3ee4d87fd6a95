"""Demo data for 交友 alone: two single talents who are not members of the alliance, both with a
verified mobile number — one whose real name 遇见审核 has verified (she takes part in 交友), one
still waiting in the queue. Made through the domain's own functions; a second run creates nothing."""

from allauth.account.models import EmailAddress
from django.db import transaction

from members.consents import consent_grant
from members.models import City, Consent, User
from xiangcheng.core.demo import DEMO_PASSWORD, DemoLoaded

from .demo import MODERATOR
from .models import MatchProfile, MatchStatus, Purpose, Visibility
from .name_checks import names_verify
from .profiles import MatchDetails, match_join
from .suggestions import suggestions_refresh

VERIFIED = {"username": "jiangyifan", "email": "jiangyifan@demo.xcwomenstech.cn", "phone": "13800000021",
            "real_name": "江一帆", "details": {
                "purposes": [Purpose.FRIENDSHIP], "cities": [City.SUZHOU, City.SHANGHAI],
                "interests": ["徒步", "摄影", "阅读"],
                "introduction": "在上海做工业软件，周末常回苏州，喜欢拍照和徒步。",
                "age_min": 27, "age_max": 35, "age_visibility": Visibility.CIRCLE,
                "hometown": "浙江嘉兴", "hometown_visibility": Visibility.CIRCLE}}
WAITING = {"username": "guqing", "email": "", "phone": "13800000022", "real_name": "顾清", "details": {
    "purposes": [Purpose.FRIENDSHIP], "cities": [City.SUZHOU], "interests": ["烘焙", "徒步"],
    "introduction": "在相城做生物医药研发，想认识聊得来的朋友。"}}


def _account(person: dict) -> User:
    user, created = User.objects.get_or_create(username=person["username"], defaults={
        "email": person["email"], "phone": person["phone"], "phone_verified": True})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        if person["email"]:
            EmailAddress.objects.create(user=user, email=person["email"], verified=True, primary=True)
        consent_grant(user=user, kind=Consent.Kind.PRIVACY_POLICY)
    return user


def _joined(person: dict) -> MatchProfile:
    user = _account(person)
    return MatchProfile.objects.filter(user=user).first() or match_join(
        user=user, details=MatchDetails(**person["details"]), consent=True, friendship_consent=True, single=True,
        real_name=person["real_name"])


@transaction.atomic
def demo_load() -> DemoLoaded:
    moderator = User.objects.get(username=MODERATOR["username"])  # made by the 遇见 demo (order 50)
    verified = _joined(VERIFIED)
    names_verify(profile_ids=[verified.pk], moderator=moderator)  # nothing when already verified
    _joined(WAITING)
    # The 交友 circle's suggestions, as the refresh after the verification would leave them.
    for profile in MatchProfile.objects.filter(purposes__contains=[Purpose.FRIENDSHIP],
                                               status=MatchStatus.ACTIVE).order_by("pk"):
        suggestions_refresh(profile=profile)
    return DemoLoaded(logins=[
        (VERIFIED["email"], "not a member: 交友 alone, real name verified"),
        (WAITING["phone"], "not a member: 交友 alone, waiting in the 遇见审核 real-name queue"),
    ])
