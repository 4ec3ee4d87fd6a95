"""A person's contact details as others may be shown them: verified ones only, read when shown.

Which contacts another person sees is decided by the rule of each place that shares them (an
accepted service-request response, an accepted 遇见 introduction); this module only says what
a contact is and whether an address or a number is verified.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef

from xiangcheng.core.compiled_queries import CompiledQuery, Read

from .models import User


@dataclass(frozen=True)
class Contact:
    label: str
    value: str


def _verified_addresses(user_id, email):
    """The rule of an address being verified: one of the account's verified addresses is it, in
    any case (``user_id`` and ``email``: values, or references to the outer query's account)."""
    return EmailAddress.objects.filter(user_id=user_id, verified=True, email__iexact=email).exclude(email="")


# Asked on every page with a form that offers her contacts: its SQL built once per process.
_VERIFIED_ADDRESS = CompiledQuery(lambda user_id, email: _verified_addresses(user_id, email).only("pk"),
                                  user_id=int, email=str)


def verified_email(user) -> str:
    """Her address if she verified it, else ''."""
    if user.email and _VERIFIED_ADDRESS.first(user_id=user.pk, email=user.email) is not None:
        return user.email
    return ""


def verified_email_read(user) -> Read:
    """``verified_email``, to be read with a page's other queries in one round trip (``together``)."""
    email = user.email
    return _VERIFIED_ADDRESS.first_read(user_id=user.pk, email=email).then(
        lambda found: email if email and found is not None else "")


def verified_phone(user) -> str:
    """Her mobile number if she verified it, else ''."""
    return user.phone if user.phone and user.phone_verified else ""


def email_verified(account: str = "") -> Exists:
    """Whether an account's current address is verified (one of its verified addresses, in any
    case), as a column of the query that reads the account: ``account`` is the path to it from
    the query's rows ("sender"), or "" for rows that are accounts: ``verified_email``'s rule where
    several people's are read at once."""
    path = f"{account}__" if account else ""
    return Exists(_verified_addresses(OuterRef(f"{path}id"), OuterRef(f"{path}email")))


# A page of people's verified addresses (a request's responses): its SQL built once, whatever their number.
_VERIFIED_ACCOUNTS = CompiledQuery(lambda user_ids: User.objects.filter(pk__any=user_ids).filter(
    email_verified()).values_list("pk", flat=True), user_ids=list)


def verified_emails(users) -> set[int]:
    """The accounts (of ``users``) whose current address is verified, in one query."""
    wanted = sorted({user.pk for user in users if user.email})
    return set(_VERIFIED_ACCOUNTS.rows(user_ids=wanted)) if wanted else set()
