"""Demo data for reviewing calls: a member of staff in 申报评审 (her login is printed by `make run`)
and, for the demo member 林晓雯, the call kinds she follows. Idempotent."""

from django.db import transaction

from members.demo import demo_staff
from members.models import User
from xiangcheng.core.demo import DemoLoaded
from xiangcheng.core.roles import CALL_REVIEWER

from .call_follows import follows_set
from .models import CallFollow, CallKind

STAFF = {"username": "shenbao", "email": "shenbao@demo.xcwomenstech.cn"}
FOLLOWER = "linxiaowen"


@transaction.atomic
def demo_load() -> DemoLoaded:
    demo_staff(username=STAFF["username"], email=STAFF["email"], roles=[CALL_REVIEWER.name])
    member = User.objects.filter(username=FOLLOWER).first()
    if member is not None and not CallFollow.objects.filter(member=member).exists():
        follows_set(member=member, kinds={CallKind.TALENT, CallKind.CONTEST}, fields=set())
    return DemoLoaded(logins=[(STAFF["email"], "staff 申报评审 (publishes calls, reviews applications)")])
