"""Bulk members for `make bench`: 100k accounts at scale 1.0, with profiles, consents and the
staff who review them; invented names, the district's real sectors and cities.

Accounts join over three and a half years. Most are approved; the newest are still pending or
have not applied yet; a few were rejected with a reason or have closed their account. About half
joined with an email address, a third with a mobile number, the rest with both, nearly all
verified. Some approved members are listed in the directory and show the fields they chose.
"""

import functools
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from xiangcheng.core import roles
from xiangcheng.core.bulk import (
    BULK_PASSWORD,
    NOTICE_FIELDS,
    AuditEntry,
    BulkLoaded,
    BulkRun,
    Pick,
    audit_copy,
    bulk_writing,
    ids_reserve,
    notice_row,
    rows_copy,
)
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import notice_key

from .models import Category, City, Consent, Field, MemberProfile, Status, User, VisibleField
from .notices import DECISION, decision_key

MEMBERS = 100_000
# Decision notices in the outbox at scale 1.0 (the other apps bring the outbox to 1M rows).
NOTICES = 80_000
# The alliance opened in June 2022: the accounts joined over the years since.
HISTORY_DAYS = 1280
STAFF = [
    # (username, role names)
    ("bulk-reviewer-1", [roles.REVIEWER.name]),
    ("bulk-reviewer-2", [roles.REVIEWER.name]),
    ("bulk-reviewer-3", [roles.REVIEWER.name]),
    ("bulk-admin", [roles.ADMINISTRATOR.name]),
]

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "婷静敏丽娟艳芳燕玲雪琳颖洁倩晶欣悦怡涵萱琪雯佳瑶蕾璐菲晓梦思语诗雨月薇蓉妍岚慧宁秀红霞茜蕊婧彤楠露晨曦清文嘉欢瑾昕然心艺可馨莹媛"
PLACES = ["苏州", "相城区", "高铁新城", "苏州工业园区", "上海", "南京", "无锡", "杭州", "合肥", "常州", "南通", "嘉兴"]
ORGANISATIONS = {
    Field.DIGITAL_FINANCE: ["某数字金融服务公司", "某银行金融科技部", "某支付科技企业"],
    Field.ADVANCED_MATERIALS: ["某新材料研究院", "某功能薄膜材料公司", "某高分子材料实验室"],
    Field.CONNECTED_VEHICLES: ["某车联网初创企业", "某汽车电子公司", "某自动驾驶研发中心"],
    Field.BLOCKCHAIN: ["某区块链科技公司", "某数字存证平台"],
    Field.INDUSTRIAL_INTERNET: ["某工业互联网平台", "某智能制造服务商", "某工业软件公司"],
    Field.AI: ["某人工智能企业", "某计算机视觉公司", "某高校人工智能研究院"],
    Field.INTEGRATED_CIRCUITS: ["某集成电路设计公司", "某芯片封测企业"],
    Field.BIOMEDICINE: ["某生物医药公司", "某医疗器械企业", "某医院研究中心"],
    Field.OTHER: ["某高校", "某科技服务中心", "某设计研究院"],
}
TAGS = {
    Field.DIGITAL_FINANCE: ["数字金融", "风控", "供应链金融", "融资"],
    Field.ADVANCED_MATERIALS: ["新材料", "专利转化", "薄膜", "复合材料"],
    Field.CONNECTED_VEHICLES: ["智能车联网", "自动驾驶", "汽车电子", "融资"],
    Field.BLOCKCHAIN: ["区块链", "数据安全", "隐私计算"],
    Field.INDUSTRIAL_INTERNET: ["工业互联网", "数字化转型", "工业软件"],
    Field.AI: ["机器学习", "计算机视觉", "大模型", "数据标注"],
    Field.INTEGRATED_CIRCUITS: ["芯片设计", "封装测试", "EDA"],
    Field.BIOMEDICINE: ["生物医药", "医疗器械", "临床研究"],
    Field.OTHER: ["科技服务", "知识产权", "创业辅导"],
}
JOB_TITLES = {
    Category.RESEARCHER: ["研究员", "副研究员", "助理研究员", "教授", "副教授", "博士后"],
    Category.ENGINEER: ["高级工程师", "工程师", "技术总监", "项目经理", "算法工程师"],
    Category.ENTREPRENEUR: ["创始人", "联合创始人", "总经理", "董事长"],
    Category.STUDENT: ["博士研究生", "硕士研究生", "本科生"],
    Category.OTHER: ["主管", "专员", ""],
}
BIOS = ["从事{tag}相关工作多年，关注科研成果在相城落地。", "希望结识{tag}方向的同行，一起交流合作。",
        "创业第{n}年，愿意分享{tag}方面的经验。", "正在做{tag}方面的研究，欢迎交流。"]
REJECTIONS = ["资料不完整，请补充单位信息后重新申请。", "无法核实您的单位信息，请上传在职证明后重新申请。",
              "联盟面向女性科技工作者，您填写的职业信息不符合入会条件。"]
CATEGORY_WEIGHTS = [(Category.RESEARCHER, 35), (Category.ENGINEER, 30), (Category.ENTREPRENEUR, 15),
                    (Category.STUDENT, 12), (Category.OTHER, 8)]
FIELD_WEIGHTS = [(Field.AI, 18), (Field.ADVANCED_MATERIALS, 14), (Field.CONNECTED_VEHICLES, 12),
                 (Field.INTEGRATED_CIRCUITS, 10), (Field.BIOMEDICINE, 12), (Field.INDUSTRIAL_INTERNET, 10),
                 (Field.DIGITAL_FINANCE, 8), (Field.BLOCKCHAIN, 6), (Field.OTHER, 10)]
CITY_WEIGHTS = [(City.SUZHOU, 60), (City.SHANGHAI, 12), (City.NANJING, 5), (City.WUXI, 5), (City.HANGZHOU, 4),
                (City.CHANGZHOU, 3), (City.NANTONG, 3), (City.JIAXING, 2), (City.HUZHOU, 2), (City.NINGBO, 1),
                (City.HEFEI, 2), (City.OTHER, 1)]
VISIBLE = [v.value for v in VisibleField]

USER_FIELDS = ["id", "username", "email", "phone", "phone_verified", "password", "first_name", "last_name",
               "is_active", "is_staff", "is_superuser", "date_joined", "last_login"]
PROFILE_FIELDS = ["id", "user", "real_name", "category", "organisation", "job_title", "field", "expertise", "bio",
                  "city", "avatar", "avatar_thumb", "status", "submitted_at", "reviewed_at", "reviewed_by",
                  "rejection_reason", "listed_in_directory", "visible_fields", "created_at", "updated_at"]
CONSENT_FIELDS = ["user", "kind", "version", "granted_at", "withdrawn_at"]
EMAIL_FIELDS = ["user", "email", "verified", "primary"]


def username(n: int) -> str:
    """The n-th bulk member's username (from 1)."""
    return f"bulk{n:06d}"


def _weighted(rng, pairs):
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def _policy_version(moment) -> str:
    if moment.year < 2024:
        return "2022-06"
    return "2024-01" if moment.year < 2026 else settings.PRIVACY_POLICY_VERSION


@functools.cache
def bulk_password(seed: int) -> str:
    """One hash for every bulk account (hashing 100k passwords would take hours), the same per seed."""
    return make_password(BULK_PASSWORD, salt=f"bulk{seed:08d}")


def staff_load(run: BulkRun, staff: list[tuple[str, list[str]]], loaded: BulkLoaded) -> dict[str, int]:
    """Bulk staff accounts (the same at every scale) in their roles, with verified email addresses
    and their audit events; inside ``bulk_writing(User, …)``. Returns their ids by username."""
    first = ids_reserve(User, len(staff))
    joined = run.now - timedelta(days=HISTORY_DAYS + 10)
    groups = dict(Group.objects.values_list("name", "pk"))
    users, emails, memberships = [], [], []
    for i, (name, role_names) in enumerate(staff):
        email = f"{name}@fulian.example.cn"
        users.append((first + i, name, email, None, False, bulk_password(run.seed), "", "", True, True, False,
                      joined, None))
        emails.append((first + i, email, True, True))
        memberships += [(first + i, groups[role]) for role in role_names]
    loaded.add(User, rows_copy(User, USER_FIELDS, users))
    loaded.add(User.groups.through, rows_copy(User.groups.through, ["user", "group"], memberships))
    loaded.add(EmailAddress, rows_copy(EmailAddress, EMAIL_FIELDS, emails))
    created = [AuditEntry("created", joined, {"user": None, "url": "/admin/members/user/add/"}, row) for row in users]
    loaded.add(User.pgh_event_model, audit_copy(User, USER_FIELDS, created, rng=run.rng("staff")))
    return {row[1]: row[0] for row in users}


def member_channels(user_ids) -> dict[int, list[str]]:
    """How each of these members can be reached: a verified email address, a verified mobile."""
    emails = set(EmailAddress.objects.filter(user__in=user_ids, verified=True, primary=True)
                 .values_list("user_id", flat=True))
    phones = set(User.objects.filter(pk__in=user_ids, phone_verified=True).values_list("pk", flat=True))
    return {uid: (["email"] if uid in emails else []) + (["sms"] if uid in phones else []) for uid in user_ids}


def bulk_load(run: BulkRun) -> BulkLoaded:
    loaded = BulkLoaded(key="members")
    if User.objects.filter(username=username(1)).exists():
        loaded.skipped = True
        return loaded
    count = run.count(MEMBERS)
    rng = run.rng("members")
    password = bulk_password(run.seed)
    with bulk_writing(User, MemberProfile):
        staff = staff_load(run, STAFF, loaded)
        reviewers = [pk for name, pk in staff.items() if name.startswith("bulk-reviewer")]
        first_user = ids_reserve(User, count)
        first_profile = ids_reserve(MemberProfile, count)
        users, emails, profiles, consents, user_audit, profile_audit, decisions = [], [], [], [], [], [], []
        start = run.now - timedelta(days=HISTORY_DAYS)
        for i in range(count):
            n = i + 1
            uid, pid = first_user + i, first_profile + i
            # Spread over the years, the last an hour before the data's "today".
            joined = start + (timedelta(days=HISTORY_DAYS) - timedelta(hours=1)) * ((i + rng.random()) / count)
            recent = run.now - joined < timedelta(days=30)
            contact = rng.random()
            email = f"{username(n)}@example.cn" if contact < 0.55 or contact >= 0.85 else ""
            phone = f"139{n:08d}" if contact >= 0.55 else None
            email_verified = bool(email) and rng.random() < 0.97
            phone_verified = phone is not None and rng.random() < 0.97
            active = rng.random() >= 0.01
            last_login = None
            if active and rng.random() < 0.7:
                last_login = max(joined, run.now - timedelta(days=rng.expovariate(1 / 20)))
            user = (uid, username(n), email, phone, phone_verified, password, "", "", active, False, False,
                    joined, last_login)
            users.append(user)
            user_audit.append(AuditEntry("created", joined, {"user": None, "url": "/accounts/signup/"},
                                         (*user[:8], True, *user[9:])))
            if not active:
                closed = joined + (run.now - joined) * rng.random()
                user_audit.append(AuditEntry("updated", closed, {"user": uid, "url": "/accounts/close/"}, user))
            if email:
                emails.append((uid, email, email_verified, True))
            consents.append((uid, Consent.Kind.PRIVACY_POLICY, _policy_version(joined), joined, None))

            draw = rng.random()
            if recent:
                status = Status.PENDING if draw < 0.5 else Status.DRAFT if draw < 0.8 else Status.APPROVED
            else:
                status = (Status.APPROVED if draw < 0.86 else Status.REJECTED if draw < 0.89
                          else Status.PENDING if draw < 0.90 else Status.DRAFT)
            category = _weighted(rng, CATEGORY_WEIGHTS)
            field = _weighted(rng, FIELD_WEIGHTS)
            tags = rng.sample(TAGS[field], k=min(len(TAGS[field]), rng.choice([0, 1, 2, 2, 3])))
            bio = ""
            if rng.random() < 0.6:
                bio = rng.choice(BIOS).format(tag=rng.choice(TAGS[field]), n=rng.randint(2, 9))
            created = joined + timedelta(minutes=rng.uniform(1, 30))
            submitted = reviewed = reviewer = None
            reason = ""
            if status != Status.DRAFT:
                submitted = created + timedelta(seconds=rng.uniform(5, 600))
            if status in (Status.APPROVED, Status.REJECTED):
                reviewed = max(submitted, min(run.now - timedelta(minutes=1),
                                              submitted + timedelta(days=rng.uniform(0.1, 5))))
                reviewer = rng.choice(reviewers)
                reason = rng.choice(REJECTIONS) if status == Status.REJECTED else ""
            listed = status == Status.APPROVED and active and rng.random() < 0.45
            visible = sorted(rng.sample(VISIBLE, k=rng.randint(2, len(VISIBLE))), key=VISIBLE.index) if listed else []
            profile = (pid, uid, rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice([1, 2, 2]))),
                       category, rng.choice(PLACES) + rng.choice(ORGANISATIONS[field]),
                       rng.choice(JOB_TITLES[category]), field, tags, bio, _weighted(rng, CITY_WEIGHTS), "", "",
                       status, submitted, reviewed, reviewer, reason, listed, visible, created,
                       reviewed or submitted or created)
            profiles.append(profile)
            page = {"user": uid, "url": "/members/profile/"}
            draft = (*profile[:12], Status.DRAFT, None, None, None, "", *profile[17:])
            profile_audit.append(AuditEntry("created", created, page, draft))
            if submitted is not None:
                profile_audit.append(AuditEntry(Status.PENDING, submitted, page,
                                                (*profile[:12], Status.PENDING, submitted, None, None, "",
                                                 *profile[17:])))
            if reviewed is not None:
                decision = {"user": reviewer, "url": "/admin/members/memberprofile/", **({"reason": reason} if reason else {})}
                profile_audit.append(AuditEntry(status, reviewed, decision, profile))
                decisions.append((profile, uid, email_verified, phone_verified))
            if listed:
                granted = min(run.now, reviewed + timedelta(days=rng.uniform(0, 30)))
                consents.append((uid, Consent.Kind.DIRECTORY, _policy_version(granted), granted, None))
            elif status == Status.APPROVED and rng.random() < 0.05:
                granted = min(run.now, reviewed + timedelta(days=rng.uniform(0, 30)))
                consents.append((uid, Consent.Kind.DIRECTORY, _policy_version(granted), granted,
                                 granted + (run.now - granted) * rng.random()))

        loaded.add(User, rows_copy(User, USER_FIELDS, users))
        loaded.add(EmailAddress, rows_copy(EmailAddress, EMAIL_FIELDS, emails))
        loaded.add(MemberProfile, rows_copy(MemberProfile, PROFILE_FIELDS, profiles))
        loaded.add(Consent, rows_copy(Consent, CONSENT_FIELDS, consents))
        loaded.add(User.pgh_event_model, audit_copy(User, USER_FIELDS, user_audit, rng=rng))
        loaded.add(MemberProfile.pgh_event_model, audit_copy(MemberProfile, PROFILE_FIELDS, profile_audit, rng=rng))
        loaded.add(Notice, rows_copy(Notice, NOTICE_FIELDS, _decision_notices(run, decisions)))
    return loaded


def _decision_notices(run: BulkRun, decisions: list[tuple]):
    """The decision told to each member, for as many decisions as the outbox's share allows."""
    rng = run.rng("members.notices")
    pick = Pick(rng, wanted=run.count(NOTICES), total=len(decisions))
    profile_type = ContentType.objects.get_for_model(MemberProfile).pk
    for profile, uid, email_verified, phone_verified in decisions:
        if not pick.take():
            continue
        pid, name, status, reviewed, reason = profile[0], profile[2], profile[12], profile[14], profile[16]
        approved = status == Status.APPROVED
        subject = "您的入会申请已通过" if approved else "您的入会申请未获通过"
        body = f"{name}，您好：\n\n" + (
            "您加入相城区女科技工作者联盟的申请已经通过，欢迎加入！现在可以查看会员名录并参加会员活动。"
            if approved else f"您这次的入会申请未获通过，原因如下：\n\n{reason}\n\n您可以随时修改资料后重新申请。"
        ) + "\n\n相城区妇联\n"
        channels = (["email"] if email_verified else []) + (["sms"] if phone_verified else [])
        yield notice_row(rng, now=run.now, recipient_id=uid, kind=DECISION.name,
                         key=notice_key(DECISION, decision_key(pid, reviewed)),
                         target_type_id=profile_type, target_id=pid, created_at=reviewed, channels=channels,
                         subject=subject, body=body, url="/members/profile/",
                         data={"decision": status, "reason": reason})
