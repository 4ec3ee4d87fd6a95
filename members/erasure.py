"""注销账号: she deletes her account; her personal data is erased or made anonymous (PIPL).

Confirming (``deletion_confirm``) takes her password — or, for an account without one (joined by
mobile number, signed in by code), a one-time code sent to her verified number or address
(``deletion_code_send``). In one transaction it closes the account (inactive, no usable password,
so every one of her sessions stops working at its next request: the signed-in account is only
loaded while it is active), records the request (``AccountErasure``) and writes the notice that
confirms the deletion to her email — sent through the outbox before the address is erased. After
commit the erasure job is enqueued; a beat scan (``erasures_run``) takes any request the broker
lost.

The erasure (``account_erase``) runs every registered step, in one transaction, each in an audit
context naming the erasure (no actor: a job did it; the reason names no person), then the
account row itself is made anonymous: a random username, no email, no mobile number, no name, no
usable password. The row stays, so that the foreign keys that protect records others keep (her
tickets' statistics, attendance counts) still point at something — at no one in particular.
Files named by erased rows are deleted once the transaction has committed. Every step is
idempotent: the job may run twice.

Each app registers what it erases, once, in its AppConfig's ``ready`` (this app knows none of
them):

    erasure_step(key="services.tickets", erase=tickets_erase, order=20)

``erase(user)`` receives the account before it is anonymised; ``user.erasure_identifiers`` holds
her name, addresses and number as they were before the first step (to find them in text others
keep).
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.storage import Storage
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from xiangcheng.core.audit import audit_context
from xiangcheng.core.models import Notice
from xiangcheng.core.sms import send_sms, sms_template

from .models import AccountErasure, MemberProfile, User
from .one_time_codes import CodeExpired, CodeWrong, code_store, code_use, sends_within

logger = logging.getLogger(__name__)

SENDS_PER_HOUR = 3
# The farewell notice is given this long to be sent before the erasure goes ahead without it.
FAREWELL_WAIT = timedelta(minutes=10)
ERASE_TASK = "members.tasks.erase_account"

DELETION_CODE = sms_template(
    "account_deletion_code",
    gettext_lazy("Your code to delete your account is {code}. It expires in 15 minutes. "
                 "If you did not ask for it, ignore this message."), ["code"])


class AccountDeletionError(Exception):
    """Wrong password or code, no way to confirm, or too many codes."""


# --- the registry ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ErasureStep:
    key: str
    erase: Callable[[User], object]
    order: int = 100


_steps: dict[str, ErasureStep] = {}


def erasure_step(*, key: str, erase: Callable[[User], object], order: int = 100) -> None:
    """Register what an app erases or anonymises when an account is deleted (once, at start-up)."""
    _steps[key] = ErasureStep(key=key, erase=erase, order=order)


def erasure_steps() -> list[ErasureStep]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.key))


def _files_delete(files: list[tuple[Storage, str]]) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Erasure: could not delete a file", exc_info=True)


def files_delete_after_commit(files: Iterable[tuple[Storage, str]]) -> None:
    """Delete these stored files once the erasure's transaction has committed."""
    doomed = [(storage, name) for storage, name in files if name]
    if doomed:
        transaction.on_commit(partial(_files_delete, doomed))


def identifiers_of(user: User) -> list[str]:
    """What names her in text others keep: her name, email address, mobile number, username."""
    values = [user.email, user.phone, user.username, user.get_full_name(), user.first_name + user.last_name]
    values += list(MemberProfile.objects.filter(user=user).values_list("real_name", flat=True))
    values += list(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    return [value for value in values if value]


# --- confirming -------------------------------------------------------------------------------------

def confirmation_by_code(user: User) -> bool:
    """An account without a usable password confirms with a code instead."""
    return not user.has_usable_password()


def _code_key(user: User) -> str:
    return f"account-deletion:{user.pk}"


def _verified_email(user: User) -> str:
    if user.email and EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        return user.email
    return ""


def deletion_code_send(*, user: User) -> str:
    """Send her a one-time code (SMS to her verified number, else email to her verified address);
    returns the channel ("sms" or "email")."""
    phone = user.phone if user.phone and user.phone_verified else ""
    email = "" if phone else _verified_email(user)
    if not (phone or email):
        raise AccountDeletionError(_("Your account has no verified mobile number or email address to send a "
                                     "code to. Please contact the federation to delete it."))
    if not sends_within(f"account-deletion-sends:{user.pk}", SENDS_PER_HOUR):
        raise AccountDeletionError(_("Too many codes were requested. Please try again in an hour."))
    code = code_store(key=_code_key(user))
    if phone:
        send_sms(phone=phone, template=DELETION_CODE, params={"code": code})
        return "sms"
    send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("Your code to delete your account"),
              _("Your code to delete your account is %(code)s. It expires in 15 minutes. "
                "If you did not ask for it, ignore this message.") % {"code": code},
              settings.DEFAULT_FROM_EMAIL, [email])
    return "email"


def _code_check(user: User, code: str) -> None:
    try:
        code_use(key=_code_key(user), code=code)
    except CodeExpired:
        raise AccountDeletionError(_("The code has expired or was used up. Ask for a new one.")) from None
    except CodeWrong:
        raise AccountDeletionError(_("The code is not right.")) from None


def deletion_confirm(*, user: User, password: str = "", code: str = "") -> AccountErasure:
    """Check her password (or code), close the account, write the farewell notice and record
    the request; the erasure job is enqueued after commit."""
    if confirmation_by_code(user):
        if not code:
            raise AccountDeletionError(_("Enter the code we sent you."))
        _code_check(user, code)
    elif not password or not user.check_password(password):
        raise AccountDeletionError(_("The password is not right."))
    from .erasure_notices import notify_farewell

    with transaction.atomic(), audit_context(actor=user, reason=gettext_noop("Account deleted by its owner")):
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.is_active = False
        locked.set_unusable_password()
        locked.save(update_fields=["is_active", "password"])
        erasure, _created = AccountErasure.objects.get_or_create(user=locked,
                                                                 defaults={"requested_at": timezone.now()})
        if _verified_email(locked):
            notify_farewell(user=locked)
        user_id = locked.pk
        transaction.on_commit(lambda: _enqueue(user_id), robust=True)
    return erasure


def _enqueue(user_id: int) -> None:
    from celery import current_app

    current_app.tasks[ERASE_TASK].delay(user_id=user_id)


# --- erasing -----------------------------------------------------------------------------------------

def _farewell_settled(user: User, erasure: AccountErasure, now) -> bool:
    """The farewell notice is sent (or failed, or was never written); or it has waited long enough.
    Tries to send it here first, so a waiting erasure does not depend on another worker."""
    from xiangcheng.core.outbox import deliver

    from .erasure_notices import farewell_notice_id

    notice_id = farewell_notice_id(user=user)
    if notice_id is None:
        return True
    try:
        deliver(notice_id=notice_id)
    except Exception:
        logger.warning("Erasure of account #%s: the farewell notice failed this time", user.pk, exc_info=True)
    pending = Notice.objects.filter(pk=notice_id, state=Notice.State.PENDING).exists()
    return not pending or now - erasure.requested_at > FAREWELL_WAIT


def account_erase(*, user_id: int, now=None) -> bool:
    """Erase the deleted account's personal data; False while the farewell notice is still being
    sent (the beat scan comes back). Harmless to run again."""
    now = now or timezone.now()
    erasure = AccountErasure.objects.select_related("user").filter(user_id=user_id).first()
    if erasure is None or erasure.user.is_active:
        return False
    if erasure.erased_at is None and not _farewell_settled(erasure.user, erasure, now):
        return False
    reason = gettext_noop("Account deletion: personal data erased")
    with transaction.atomic(), audit_context(reason=reason, erasure=erasure.pk):
        user = User.objects.select_for_update().get(pk=user_id)
        # Read before any step erases them: the steps that search text others keep use them.
        user.erasure_identifiers = identifiers_of(user)
        for step in erasure_steps():
            with audit_context(reason=reason, erasure_step=step.key):
                step.erase(user)
        _account_anonymise(user)
        AccountErasure.objects.filter(pk=erasure.pk).update(erased_at=now)
    logger.info("Erasure of account #%s done (%d steps)", user_id, len(_steps))
    return True


def _account_anonymise(user: User) -> None:
    user.username = f"deleted-{uuid.uuid4().hex[:16]}"
    user.email = ""
    user.phone = ""
    user.phone_verified = False
    user.first_name = user.last_name = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()


def erasures_run(*, now=None) -> int:
    """The beat scan: run the erasures still waiting (the broker lost one, or its farewell was
    slow). Returns how many were done."""
    waiting = AccountErasure.objects.filter(erased_at__isnull=True).order_by("requested_at")
    done = 0
    for user_id in waiting.values_list("user_id", flat=True)[:100]:
        try:
            done += account_erase(user_id=user_id, now=now)
        except Exception:
            logger.exception("Erasure of account #%s failed", user_id)
    return done
