"""注销账号: the notice confirming the deletion of her account, sent to her email through the
outbox before the address is erased (a kind that is sent although the account is closed)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Message, notice_key, notice_kind, notify

from .models import User


def _compose(notice: Notice) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Your account has been deleted")
        body = render_to_string("members/email/account_deleted.txt", {})
    return Message(subject=subject, body=body, url=reverse("members:privacy"))


ACCOUNT_DELETED = notice_kind("members.account_deleted", label=_("Accounts: deleted by their owner"),
                              compose=_compose, permission="members.view_user", closed_accounts=True)


def notify_farewell(*, user: User) -> int:
    return notify(kind=ACCOUNT_DELETED, recipient=user, key=f"{user.pk}")[0]


def farewell_notice_id(*, user: User) -> int | None:
    return Notice.objects.filter(key=notice_key(ACCOUNT_DELETED, f"{user.pk}")).values_list("pk", flat=True).first()
