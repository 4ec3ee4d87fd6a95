"""What calls tell people, as kinds of the kernel's one outbox (``calls.*``).

- ``calls.status``: each review step to the applicant (email and 我的消息), with the reason when
  she did not pass first review; keyed by application and status, so a step is told once.
- ``calls.unsubmitted``: to a member whose application is still a draft in the last days before
  the call closes; once per application.
- ``calls.review_due``: to staff who review applications, when a call has closed with submitted
  applications; once per call and person (staff only: emailed, never in 我的消息).
- ``calls.opened``: to members who follow the call's kind or field, when it opens; once per call
  and member. Its email carries a signed link that stops these emails without a login.

No notice carries a contact detail. Texts are composed when sent, in the site's language.
"""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import (
    Addressed,
    Message,
    notice_kind,
    notify_many,
    stop_token,
    stop_token_account,
)

from .models import Call, CallApplication, CallApplicationStatus, CallFollow, CallStatus

PERMISSION = "services.view_callapplication"
OPT_OUT_SALT = "services.call-follows-opt-out"


def _signature() -> str:
    return gettext("Xiangcheng District Women's Federation · 相创她数智")


def _application(notice: Notice) -> CallApplication | None:
    return CallApplication.objects.select_related("call").filter(pk=notice.target_id).first()


def _call(notice: Notice) -> Call | None:
    return Call.objects.filter(pk=notice.target_id).first()


def _closing_day(call: Call) -> str:
    return call.closes_on.isoformat()


# --- each review step, to the applicant ------------------------------------------------------------

def _compose_status(notice: Notice) -> Message:
    application = _application(notice)
    call = application.call
    with translation.override(settings.LANGUAGE_CODE):
        status = str(CallApplicationStatus(notice.data["status"]).label)
        subject = gettext("Your application to %(title)s: %(status)s") % {"title": call.title, "status": status}
        lines = [gettext("Hello,"), "", subject + "."]
        if notice.data.get("reason"):
            lines += ["", gettext("Reason: %(reason)s") % {"reason": notice.data["reason"]}]
        url = call.get_absolute_url()
        lines += ["", settings.SITE_URL + url, "", _signature()]
    return Message(subject=subject, body="\n".join(lines) + "\n", url=url)


STATUS = notice_kind("calls.status", label=_("Calls: application status"), compose=_compose_status,
                     applies=lambda notice: _application(notice) is not None, permission=PERMISSION)


def notify_status(*, application: CallApplication, status: str, reason: str = "") -> int:
    """Tell her the step staff took (in the deciding transaction); once per application and status."""
    return len(notify_many(kind=STATUS, target_model=CallApplication, items=[
        Addressed(recipient_id=application.member_id, key=f"{application.pk}:{status}", target_id=application.pk,
                  data={"status": status, "reason": reason})]))


# --- the reminder to submit, to the member -----------------------------------------------------------

def _compose_unsubmitted(notice: Notice) -> Message:
    call = _application(notice).call
    url = call.get_absolute_url()
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Your application to %(title)s is not submitted yet") % {"title": call.title}
        lines = [gettext("Hello,"), "", subject + ".", "",
                 gettext("The call closes at the end of %(day)s (Beijing time). Staff only see applications that "
                         "were submitted.") % {"day": _closing_day(call)},
                 "", settings.SITE_URL + url, "", _signature()]
    return Message(subject=subject, body="\n".join(lines) + "\n", url=url)


def _still_unsubmitted(notice: Notice) -> bool:
    """When its turn comes: still a draft, and the call still open (she can still submit)."""
    application = _application(notice)
    return (application is not None and application.status == CallApplicationStatus.STARTED
            and application.call.is_open())


UNSUBMITTED = notice_kind("calls.unsubmitted", label=_("Calls: application not yet submitted"),
                          compose=_compose_unsubmitted, applies=_still_unsubmitted, permission=PERMISSION)


def notify_unsubmitted(*, application_ids: list[int], members: dict[int, int]) -> int:
    """One reminder per application ever: ``members`` maps each application to its member."""
    return len(notify_many(kind=UNSUBMITTED, target_model=CallApplication, items=[
        Addressed(recipient_id=members[pk], key=str(pk), target_id=pk) for pk in application_ids]))


# --- a closed call to review, to staff -----------------------------------------------------------------

def review_queue_url(call_id: int) -> str:
    return (reverse("admin:services_callapplication_changelist")
            + f"?call__id__exact={call_id}&status__exact={CallApplicationStatus.SUBMITTED}")


def _submitted(call_id: int) -> int:
    return CallApplication.objects.filter(call_id=call_id, status=CallApplicationStatus.SUBMITTED).count()


def _compose_review_due(notice: Notice) -> Message:
    call = _call(notice)
    url = review_queue_url(call.pk)
    count = _submitted(call.pk)
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("%(title)s has closed: applications to review") % {"title": call.title}
        lines = [gettext("Hello,"), "",
                 translation.ngettext("%(title)s closed on %(day)s with %(n)d submitted application to review.",
                                      "%(title)s closed on %(day)s with %(n)d submitted applications to review.",
                                      count) % {"title": call.title, "day": _closing_day(call), "n": count},
                 "", settings.SITE_URL + url, "", _signature()]
    return Message(subject=subject, body="\n".join(lines) + "\n", url=url)


REVIEW_DUE = notice_kind("calls.review_due", label=_("Calls: a closed call to review"), compose=_compose_review_due,
                         applies=lambda notice: _call(notice) is not None and _submitted(notice.target_id) > 0,
                         staff_only=True, permission=PERMISSION)


def notify_review_due(*, call_id: int, staff_ids: list[int]) -> int:
    return len(notify_many(kind=REVIEW_DUE, target_model=Call, items=[
        Addressed(recipient_id=user_id, key=f"{call_id}:{user_id}", target_id=call_id) for user_id in staff_ids]))


# --- a followed kind or field has a new call, to the member ------------------------------------------

def opt_out_token(user_id: int) -> str:
    """What the announcement's stop link carries: her account, signed (no login, no expiry)."""
    return stop_token(user_id, salt=OPT_OUT_SALT)


def opt_out_user_id(token: str) -> int | None:
    """The account a link was made for, or None if the token was changed or made elsewhere."""
    return stop_token_account(token, salt=OPT_OUT_SALT)


def following_q(call: Call) -> Q:
    """Follows that hear of this call: its kind, or its field when it names one."""
    q = Q(kind=call.kind)
    if call.field:
        q |= Q(field=call.field)
    return q


def _compose_opened(notice: Notice) -> Message:
    call = _call(notice)
    url = call.get_absolute_url()
    stop = settings.SITE_URL + reverse("services:call_following_stop", args=[opt_out_token(notice.recipient_id)])
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("A new call is open: %(title)s") % {"title": call.title}
        lines = [gettext("Hello,"), "",
                 gettext("A call of a kind or field you follow is open for applications:"), "",
                 f"{call.title}（{call.organiser} · {call.get_level_display()}）",
                 gettext("Open until the end of %(day)s (Beijing time).") % {"day": _closing_day(call)},
                 settings.SITE_URL + url, "",
                 gettext("To stop these emails, open this link (no login needed):"), stop, "", _signature()]
    return Message(subject=subject, body="\n".join(lines) + "\n", url=url, hidden=stop)


def _still_followed(notice: Notice) -> bool:
    """When its turn comes: the call still published and she still follows its kind or field."""
    call = _call(notice)
    return (call is not None and call.status == CallStatus.PUBLISHED
            and CallFollow.objects.filter(following_q(call), member_id=notice.recipient_id).exists())


OPENED = notice_kind("calls.opened", label=_("Calls: a followed kind or field has a new call"),
                     compose=_compose_opened, applies=_still_followed, permission=PERMISSION)


def notify_opened(*, call_id: int, member_ids: list[int]) -> int:
    return len(notify_many(kind=OPENED, target_model=Call, items=[
        Addressed(recipient_id=user_id, key=f"{call_id}:{user_id}", target_id=call_id) for user_id in member_ids]))
