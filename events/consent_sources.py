"""Childcare's consent for 我的授权 (members.consent_kinds): the guardian's consent to process her
children's data; withdrawing it erases them from her coming registrations at once."""

from django.db import transaction
from django.utils.translation import gettext_lazy

from members.consent_kinds import ConsentItem, consent_source
from members.consents import consent_withdraw
from members.models import User

from .booking import children_data_erase
from .childcare_consent import KIND, childcare_read


def childcare_withdraw(user: User, item: ConsentItem) -> None:
    with transaction.atomic():
        consent_withdraw(user=user, kind=KIND)
        children_data_erase(user=user)


def register() -> None:
    consent_source(
        key="childcare", label=gettext_lazy("Childcare"), read=childcare_read, withdraw=childcare_withdraw,
        order=60,
        effect=gettext_lazy("Your children's ages are erased from your registrations for coming events at once, "
                            "and their childcare places are released; your own seats stay. To book childcare "
                            "again, sign up again and give the consent anew."))
