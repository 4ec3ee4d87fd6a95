"""Her contacts shared with organisations through her responses to service requests, for 我的授权
(members.consent_kinds). Withdrawing one turns that response's sharing off at once: the
organisation no longer sees her contacts (``responses.contacts_shown`` reads the flags)."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.consent_kinds import ConsentItem, ConsentNotFound, consent_source
from members.models import User
from xiangcheng.core.compiled_queries import CompiledQuery, Read

from .models import RequestResponse

PREFIX = "response-"


def _shared(user_id: int):
    return RequestResponse.objects.filter(Q(share_email=True) | Q(share_phone=True), member_id=user_id)


_SHARED_LISTED = CompiledQuery(lambda user_id: _shared(user_id).select_related("request__organisation")
                               .order_by("-consented_at", "-pk"), user_id=int)


def response_contact_read(user: User) -> Read:
    """One item per response that shares a contact (one query)."""
    return _SHARED_LISTED.read(user_id=user.pk).then(_response_contact_items)


def _response_contact_items(responses: list[RequestResponse]) -> list[ConsentItem]:
    items = []
    for response in responses:
        shared = [label for flag, label in ((response.share_email, _("Email")), (response.share_phone, _("Mobile")))
                  if flag]
        items.append(ConsentItem(
            key=f"{PREFIX}{response.pk}", title=response.request.organisation.name, version="",
            given_at=response.consented_at,
            detail=_("%(contacts)s, for your response to “%(request)s”") % {
                "contacts": "、".join(str(label) for label in shared), "request": response.request.title}))
    return items


def response_contact_withdraw(user: User, item: ConsentItem) -> None:
    with transaction.atomic():
        response = (_shared(user.pk).select_for_update().filter(pk=int(item.key.removeprefix(PREFIX))).first())
        if response is None:
            raise ConsentNotFound
        response.share_email = response.share_phone = False
        response.save(update_fields=["share_email", "share_phone"])


def register() -> None:
    consent_source(
        key="organisations", label=gettext_lazy("Contacts shared with organisations"), read=response_contact_read,
        withdraw=response_contact_withdraw, order=40,
        effect=gettext_lazy("The organisation no longer sees your email address or mobile number for this response, "
                            "from now on. Your response itself stays."))
