"""注销账号: what events erases when a member deletes her account (registered in ready()).

Her registrations stay, anonymous, so that attendance, sign-ups and childcare places used still
count; the children's data (their ages) is erased, from the audit trail's copies too. Her
calendar feed goes.
"""

from members.erasure import erasure_step
from xiangcheng.core.account_erasure import audit_forget

from .models import CalendarFeed, Registration


def registrations_erase(user) -> None:
    registrations = list(Registration.objects.filter(user=user).values_list("pk", flat=True))
    Registration.objects.filter(pk__in=registrations).exclude(children_ages=[]).update(children_ages=[])
    audit_forget(model=Registration, pks=registrations, values={"children_ages": []})
    CalendarFeed.objects.filter(user=user).delete()


def register() -> None:
    erasure_step(key="events.registrations", erase=registrations_erase, order=30)
