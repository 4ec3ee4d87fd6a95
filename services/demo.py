"""Idempotent demo inbox: an agent, a supervisor, canned replies and a few tickets."""

from django.db import transaction

from members.demo import demo_staff
from members.models import User
from xiangcheng.core.demo import DemoLoaded
from xiangcheng.core.roles import EVENT_MANAGER, INBOX_AGENT, INBOX_SUPERVISOR

from . import inbox
from .models import CannedReply, Category, Contact, Ticket

STAFF = [
    ("agent", "agent@demo.xcwomenstech.cn", [INBOX_AGENT.name], "inbox agent"),
    ("supervisor", "supervisor@demo.xcwomenstech.cn", [INBOX_AGENT.name, INBOX_SUPERVISOR.name], "inbox supervisor"),
    ("organiser", "organiser@demo.xcwomenstech.cn", [EVENT_MANAGER.name], "event manager"),
]
CANNED = [
    ("已受理", "您好，您的问题我们已经收到并受理，会在承诺的时间内给您答复。", ""),
    ("金融服务对接", "您好，我们已为您联系合作银行的专属客户经理，对方将在两个工作日内与您联系。", Category.FINANCE),
    ("托管预约说明", "您好，LADIES 聚力空间的儿童公益托管可在活动报名时一并预约，名额有限，先到先得。", Category.CHILDCARE),
]
TICKETS = [
    ("linxiaowen", Category.FINANCE, "初创企业贷款咨询", "公司成立两年，想了解区里对女性科技企业有没有贴息贷款政策。"),
    ("zhouyiran", Category.CHILDCARE, "周末活动能否提供托管", "希望周末的沙龙也能提供儿童托管，孩子四岁。"),
    ("zhouyiran", Category.SUGGESTION, "建议增加线上分享", "有些活动时间冲突，希望能提供线上直播或回放。"),
]


@transaction.atomic
def demo_load() -> DemoLoaded:
    logins = []
    for username, email, groups, role in STAFF:
        demo_staff(username=username, email=email, roles=groups)
        logins.append((email, role))
    for title, body, category in CANNED:
        CannedReply.objects.get_or_create(title=title, defaults={"body": body, "category": category})
    if not Ticket.objects.exists():
        for username, category, subject, description in TICKETS:
            member = User.objects.filter(username=username).first()
            if member is not None:
                inbox.ticket_submit(member=member, category=category, subject=subject, description=description,
                                    preferred_contact=Contact.SITE)
    return DemoLoaded(logins=logins)
