"""What 遇见 introductions tell people, as kinds of the kernel's one outbox (email and 我的消息).

A new request is told to its recipient; an acceptance to both sides. A decline is told to nobody
(declining is silent). No notice ever carries a contact detail or the request's message: the
notice names the other person and points to 我的相遇, where ``introductions.contacts_shown``
decides what each side sees.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.profiles import person_name
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Addressed, Message, notice_kind, notify_many

from .models import Introduction, IntroductionStatus

PERMISSION = "matching.view_introduction"


def _introduction(notice: Notice) -> Introduction | None:
    return (Introduction.objects.select_related("sender__profile", "recipient__profile")
            .filter(pk=notice.target_id).first())


def _page(tab: str) -> str:
    return f"{reverse('matching:introductions')}?tab={tab}"


def _compose(notice: Notice) -> Message:
    introduction = _introduction(notice)
    to_sender = notice.recipient_id == introduction.sender_id
    other = introduction.recipient if to_sender else introduction.sender
    with translation.override(settings.LANGUAGE_CODE):
        name = person_name(other)
        if notice.kind == RECEIVED.name:
            subject = gettext("%(name)s would like to meet you in 遇见") % {"name": name}
            lines = [gettext("Hello,"), "", subject + ".", "",
                     gettext("Read her message and accept or decline in 我的相遇 within 14 days.")]
            url = _page("received")
        else:
            subject = gettext("You and %(name)s are connected in 遇见") % {"name": name}
            lines = [gettext("Hello,"), "", subject + ".", "",
                     gettext("The contact details each of you chose to share are in 我的相遇.")]
            url = _page("connected")
        lines += ["", settings.SITE_URL + url, "", gettext("Xiangcheng District Women's Federation · 相聚她平台")]
    return Message(subject=subject, body="\n".join(lines) + "\n", url=url)


def _still(status: str):
    def applies(notice: Notice) -> bool:
        return Introduction.objects.filter(pk=notice.target_id, status=status).exists()
    return applies


RECEIVED = notice_kind("matching.request_received", label=_("遇见: a new 相遇 request"), compose=_compose,
                       applies=_still(IntroductionStatus.PENDING), permission=PERMISSION)
ACCEPTED = notice_kind("matching.request_accepted", label=_("遇见: a 相遇 request accepted"), compose=_compose,
                       applies=_still(IntroductionStatus.ACCEPTED), permission=PERMISSION)


def notify_received(*, introduction: Introduction) -> None:
    """Tell her someone asked to meet her (in the sending transaction)."""
    notify_many(kind=RECEIVED, target_model=Introduction, items=[
        Addressed(recipient_id=introduction.recipient_id, key=f"{introduction.pk}", target_id=introduction.pk)])


def notify_accepted(*, introduction: Introduction) -> None:
    """Tell both sides they are connected (in the accepting transaction)."""
    notify_many(kind=ACCEPTED, target_model=Introduction, items=[
        Addressed(recipient_id=user_id, key=f"{introduction.pk}:{user_id}", target_id=introduction.pk)
        for user_id in (introduction.sender_id, introduction.recipient_id)])
