"""A person's contact details as others may be shown them: verified ones only, read when shown.

Which contacts another person sees is decided by the rule of each place that shares them (an
accepted service-request response, an accepted 遇见 introduction); this module only says what
a contact is and whether an address or a number is verified.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress

from xiangcheng.core.compiled_queries import CompiledQuery, Read


@dataclass(frozen=True)
class Contact:
    label: str
    value: str


# Asked on every page with a form that offers her contacts: its SQL built once per process.
_VERIFIED_ADDRESS = CompiledQuery(lambda user_id, email: EmailAddress.objects.filter(
    user_id=user_id, email__iexact=email, verified=True).only("pk"), user_id=int, email=str)


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


# A page of people's verified addresses (我的相遇's contacts): its SQL built once, whatever their number.
_VERIFIED_ADDRESSES = CompiledQuery(lambda user_ids: EmailAddress.objects.filter(
    user_id__any=user_ids, verified=True).values_list("user_id", "email"), user_ids=list)


def verified_emails(users) -> set[int]:
    """The accounts (of ``users``) whose current address is verified, in one query."""
    wanted = {user.pk: user.email.lower() for user in users if user.email}
    if not wanted:
        return set()
    return {user_id for user_id, address in _VERIFIED_ADDRESSES.rows(user_ids=sorted(wanted))
            if wanted[user_id] == address.lower()}
