"""Demo 相遇 requests, so that 我的相遇 shows each tab for the demo logins: linxiaowen is connected
with 宋薇 (both shared their email), has a request from 何晴 to answer and one of her own to 高莉
waiting; sunyue (交友) has a request from 唐静, another 交友 participant. Three demo members join
遇见 for it, and one 交友 participant; zhouyiran is left free, so the suggestions between her and
linxiaowen stay. Made through the domain functions, as members would."""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from members.consents import consent_grant
from members.models import Category, City, Consent, Field, MemberProfile, Status, User
from xiangcheng.core.demo import DEMO_PASSWORD, DemoLoaded

from .introductions import SHARE_EMAIL, introduction_accept, introduction_send
from .models import Introduction, MatchProfile, Purpose, Visibility
from .profiles import FRIENDSHIP_CONSENT_VERSION, MATCH_CONSENT_VERSION
from .suggestions import suggestions_refresh

DOMAIN = "demo.xcwomenstech.cn"
PEOPLE = {
    "heqing": ({"real_name": "何晴", "category": Category.RESEARCHER, "organisation": "苏州某人工智能研究院",
                "job_title": "算法研究员", "field": Field.AI, "city": City.SUZHOU, "expertise": ["大模型"], "bio": ""},
               {"purposes": [Purpose.NETWORKING, Purpose.SEEK_MENTOR], "interests": ["人工智能", "专利转化"],
                "fields": [Field.AI, Field.ADVANCED_MATERIALS], "cities": [City.SUZHOU],
                "introduction": "做大模型在材料研发里的应用，想向做材料的前辈请教专利转化。"}),
    "songwei": ({"real_name": "宋薇", "category": Category.ENTREPRENEUR, "organisation": "相城区一家新材料初创企业",
                 "job_title": "联合创始人", "field": Field.ADVANCED_MATERIALS, "city": City.SUZHOU,
                 "expertise": ["新材料"], "bio": ""},
                {"purposes": [Purpose.NETWORKING, Purpose.COFOUNDING], "interests": ["新材料", "融资"],
                 "fields": [Field.ADVANCED_MATERIALS], "cities": [City.SUZHOU, City.SHANGHAI],
                 "introduction": "在做柔性薄膜的中试，想认识研究院里的材料专家。"}),
    "gaoli": ({"real_name": "高莉", "category": Category.RESEARCHER, "organisation": "苏州某高校材料学院",
               "job_title": "副教授", "field": Field.ADVANCED_MATERIALS, "city": City.SUZHOU,
               "expertise": ["功能薄膜"], "bio": ""},
              {"purposes": [Purpose.NETWORKING, Purpose.OFFER_MENTORING], "interests": ["新材料", "科研管理"],
               "fields": [Field.ADVANCED_MATERIALS], "cities": [City.SUZHOU],
               "introduction": "带研究生做功能薄膜，欢迎企业和研究院的同行交流。"}),
    "tangjing": ({"real_name": "唐静", "category": Category.ENGINEER, "organisation": "相城区一家智能制造企业",
                  "job_title": "测试工程师", "field": Field.INTEGRATED_CIRCUITS, "city": City.SUZHOU,
                  "expertise": ["芯片测试"], "bio": ""},
                 {"purposes": [Purpose.FRIENDSHIP], "interests": ["徒步", "摄影"],
                  "fields": [Field.INTEGRATED_CIRCUITS], "cities": [City.SUZHOU],
                  "introduction": "喜欢周末去阳澄湖边骑行和拍照。", "age_min": 27, "age_max": 35,
                  "age_visibility": Visibility.CIRCLE}),
}
# (from, to, message, accepted)
REQUESTS = [
    ("songwei", "linxiaowen", "林老师好，我们在做柔性薄膜的中试，想请教材料选型，方便时交流一下吗？", True),
    ("heqing", "linxiaowen", "林老师好，我在研究院做材料方向的模型，想听听您对专利转化的经验。", False),
    ("linxiaowen", "gaoli", "高老师好，我们研究院和您的课题组方向相近，想约时间聊聊合作。", False),
    ("tangjing", "sunyue", "你好，我也喜欢徒步和摄影，周末要不要一起去太湖边走走？", False),
]


def _participant(username: str) -> User:
    member, match = PEOPLE[username]
    user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@{DOMAIN}"})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        consent_grant(user=user, kind=Consent.Kind.PRIVACY_POLICY)
        MemberProfile.objects.create(user=user, status=Status.APPROVED, submitted_at=timezone.now(),
                                     reviewed_at=timezone.now(), **member)
    if not MatchProfile.objects.filter(user=user).exists():
        MatchProfile.objects.create(user=user, **match)
        consent_grant(user=user, kind=Consent.Kind.MATCHING, version=MATCH_CONSENT_VERSION)
        if Purpose.FRIENDSHIP in match["purposes"]:
            consent_grant(user=user, kind=Consent.Kind.MATCHING_FRIENDSHIP, version=FRIENDSHIP_CONSENT_VERSION)
    return user


@transaction.atomic
def demo_load() -> DemoLoaded:
    """The requests above, where neither side has one yet (idempotent)."""
    for username in PEOPLE:
        _participant(username)
    users = {u.username: u for u in User.objects.filter(username__in={n for r in REQUESTS for n in r[:2]})}
    for sender, recipient, message, accepted in REQUESTS:
        if sender not in users or recipient not in users:
            continue  # the members' demo did not load them
        a, b = users[sender], users[recipient]
        if Introduction.objects.filter(sender__in=[a, b], recipient__in=[a, b]).exists():
            continue
        profile = MatchProfile.objects.filter(user=b).first()
        if profile is None or not MatchProfile.objects.filter(user=a).exists():
            continue
        introduction = introduction_send(sender=a, profile_id=profile.pk, message=message, shares=[SHARE_EMAIL])
        if accepted:
            introduction_accept(pk=introduction.pk, user=b, shares=[SHARE_EMAIL])
    # Their suggestions, as the refresh after joining and sending would have left them.
    for profile in MatchProfile.objects.filter(user__in=users.values()).order_by("pk"):
        suggestions_refresh(profile=profile)
    return DemoLoaded()
