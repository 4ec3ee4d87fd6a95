"""Organisations and who represents them: the rules others ask.

Services (requests, jobs) ask two questions here and nowhere else: which organisations does this
person act for (``organisations_of``), and may this one post (``may_post``).
"""

from collections.abc import Iterable
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from members.invitations import invitations_of_revoke
from members.models import MemberProfile, Organisation, OrganisationStatus, Representative, VisibleField
from xiangcheng.core.audit import audit_context
from xiangcheng.core.compiled_queries import CompiledQuery, Read
from xiangcheng.core.files import ProcessedImage


def may_post(organisation: Organisation) -> bool:
    """Only a verified organisation posts service requests and jobs."""
    return organisation.status == OrganisationStatus.VERIFIED


def represented_by(user_id: int) -> QuerySet[Organisation]:
    """The organisations account ``user_id`` represents: THE rule of who acts for which."""
    return Organisation.objects.filter(representatives__user_id=user_id)


def organisations_of(user) -> QuerySet[Organisation]:
    """The organisations this account represents (none for a visitor)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return represented_by(user.pk)


# Every page of an organisation's own reads it first: its SQL built once per process.
_REPRESENTED = CompiledQuery(lambda user_id, pk: represented_by(user_id).filter(pk=pk), user_id=int, pk=int)


# A page of directory cards asks it: its SQL built once, however many people the page shows.
_VERIFIED_REPRESENTED = CompiledQuery(lambda user_ids: Representative.objects.filter(
    user_id__any=user_ids, organisation__status=OrganisationStatus.VERIFIED).select_related("organisation").only(
    "user", "organisation__name", "organisation__status", "organisation__women_led",
    "organisation__women_led_confirmed").order_by("organisation__name", "organisation_id"), user_ids=list)


def verified_organisations_of(*, user_ids: Iterable[int]) -> dict[int, list[Organisation]]:
    """The verified organisations each of these accounts represents (user id → organisations, by
    name), in one query for a whole page of people; accounts with none are absent. A pending or
    rejected organisation is nobody's to show."""
    user_ids = sorted(set(user_ids))
    if not user_ids:
        return {}
    found: dict[int, list[Organisation]] = {}
    for representative in _VERIFIED_REPRESENTED.rows(user_ids=user_ids):
        found.setdefault(representative.user_id, []).append(representative.organisation)
    return found


def directory_organisations(profiles: Iterable[MemberProfile]) -> None:
    """Give each directory card the verified organisations she represents, as
    ``verified_organisations``: only where she shows her organisation field, else none (nothing
    about the others is even read)."""
    profiles = list(profiles)
    shown = verified_organisations_of(user_ids=[p.user_id for p in profiles if p.shows(VisibleField.ORGANISATION)])
    for profile in profiles:
        profile.verified_organisations = shown.get(profile.user_id, [])


def represented_read(*, user, pk: int) -> Read:
    """``represented``'s read, to travel with a page's rows (``counted_page_with``): her
    organisation ``pk``, or None where it is not hers (the page's 404)."""
    return _REPRESENTED.first_read(user_id=user.pk, pk=pk)


def represented(*, user, pk: int) -> Organisation:
    """Her organisation ``pk``, or 404: another organisation's pages do not exist for her."""
    organisation = _REPRESENTED.first(user_id=user.pk, pk=pk) if user.is_authenticated else None
    if organisation is None:
        raise Http404
    return organisation


_REPRESENTATIVES = CompiledQuery(lambda organisation_id: Representative.objects.filter(
    organisation_id=organisation_id).select_related("user__profile").order_by("joined_at", "pk"),
    organisation_id=int)


def representatives_read(*, organisation_id: int) -> Read:
    """Who represents the organisation, first to join first, each with her account and profile
    (her workbench lists them; its SQL built once per process), to be read with its other rows."""
    return _REPRESENTATIVES.read(organisation_id=organisation_id)


def posting_organisation(*, user, pk: int) -> Organisation:
    """Her organisation ``pk`` if it may post, or 404 (not hers, or not verified)."""
    organisation = represented(user=user, pk=pk)
    if not may_post(organisation):
        raise Http404
    return organisation


# --- Registering, editing and reviewing organisations -------------------------------------------
# A person registers an organisation and becomes its first representative; staff verify or
# reject it with a reason (every decision in the audit trail, each representative told through
# the outbox). An edit of the name or the credit code of a verified organisation sends it back
# to review; so does any edit of a rejected one (she corrected what the reason named).
# Two people submitting the same code at once both pass the form's check; the unique constraint
# stops the second, whose IntegrityError becomes the form's "ask to be invited". Tests switch this
# off once to show that the race test sees the raw error without it.
DUPLICATE_AS_ERROR = True

# What staff checked when they verified: changing one of these sends the organisation back.
VERIFIED_FIELDS = ("name", "credit_code")


class OrganisationError(Exception):
    """An organisation rule was broken; the message is shown to the user."""


def duplicate_message() -> str:
    return _("This organisation is already registered: ask its representative to invite you.")


def _logo_set(organisation: Organisation, logo: ProcessedImage | None) -> None:
    if logo is None:
        return
    old = [f.name for f in (organisation.logo, organisation.logo_thumb) if f]
    organisation.logo.save("logo.jpg", logo.image, save=False)
    organisation.logo_thumb.save("thumb.jpg", logo.thumbnail, save=False)
    if old:
        storage = Organisation._meta.get_field("logo").storage
        transaction.on_commit(partial(_files_delete, storage, old))


def _files_delete(storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def organisation_register(*, user, organisation: Organisation, logo: ProcessedImage | None = None) -> Organisation:
    """Save a new organisation (pending) with ``user`` as its first representative.

    A credit code already registered — found by the form, or by the unique constraint when two
    people submit the same code at once — raises ``OrganisationError``; nothing is saved.
    """
    organisation.status = OrganisationStatus.PENDING
    organisation.registered_by = user
    try:
        with transaction.atomic(), audit_context(actor=user):
            _logo_set(organisation, logo)
            organisation.save()
            Representative.objects.create(organisation=organisation, user=user)
    except IntegrityError as exc:
        organisation.pk = None
        if logo is not None:  # stored before the insert failed: nobody points at them
            _files_delete(Organisation._meta.get_field("logo").storage,
                          [f.name for f in (organisation.logo, organisation.logo_thumb) if f])
            organisation.logo = organisation.logo_thumb = ""
        if DUPLICATE_AS_ERROR and Organisation.objects.filter(credit_code=organisation.credit_code).exists():
            raise OrganisationError(duplicate_message()) from exc
        raise
    return organisation


def organisation_edit(*, user, organisation: Organisation, changed: Iterable[str],
                      logo: ProcessedImage | None = None) -> Organisation:
    """Save her edit of the details. Returns it; its status says whether it went back to review."""
    changed = set(changed)
    back_to_review = (organisation.status == OrganisationStatus.REJECTED
                      or (organisation.status == OrganisationStatus.VERIFIED and changed & set(VERIFIED_FIELDS)))
    if back_to_review:
        organisation.status = OrganisationStatus.PENDING
        organisation.rejection_reason = ""
    try:
        with transaction.atomic(), audit_context(actor=user, reason=_("Edited by its representative")):
            _logo_set(organisation, logo)
            organisation.save()
    except IntegrityError as exc:
        raise OrganisationError(duplicate_message()) from exc
    return organisation


def _locked(organisation: Organisation) -> Organisation:
    """Her organisation's row, locked: leaving and removing queue behind each other, so two
    representatives leaving at once cannot leave it with none."""
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def representative_remove(*, actor, organisation: Organisation, representative_pk: int) -> Representative:
    """Another representative of her organisation stops representing it (her open invitations are
    revoked); 404 for anyone else's."""
    with transaction.atomic(), audit_context(actor=actor, reason=_("Removed by another representative")):
        _locked(organisation)
        representative = (Representative.objects.select_related("user")
                          .filter(organisation=organisation, pk=representative_pk).exclude(user=actor).first())
        if representative is None:
            raise Http404
        representative.delete()
        # Her links stop working too: she cannot invite her other address back in.
        invitations_of_revoke(organisation=organisation, inviter=representative.user)
    return representative


def representative_leave(*, user, organisation: Organisation) -> None:
    """She stops representing it (her open invitations are revoked); the last representative cannot
    (someone must answer for it)."""
    with transaction.atomic(), audit_context(actor=user, reason=_("Left the organisation")):
        _locked(organisation)
        if organisation.representatives.count() <= 1:
            raise OrganisationError(_("You are its only representative, so you cannot leave. "
                                      "Invite a colleague first, then leave."))
        organisation.representatives.filter(user=user).delete()
        invitations_of_revoke(organisation=organisation, inviter=user)


def _decide(*, organisation_ids: Iterable[int], reviewer, new_status: str, reason: str) -> int:
    from .organisation_notices import notify_decision

    now = timezone.now()
    count = 0
    with transaction.atomic(), audit_context(actor=reviewer, reason=reason):
        # Locked in pk order: two reviewers on overlapping selections wait instead of deadlocking;
        # one the other decided first is no longer pending and is skipped.
        for organisation in (Organisation.objects.select_for_update()
                             .filter(pk__in=list(organisation_ids), status=OrganisationStatus.PENDING).order_by("pk")):
            organisation.status = new_status
            organisation.reviewed_at = now
            organisation.reviewed_by = reviewer
            organisation.rejection_reason = reason if new_status == OrganisationStatus.REJECTED else ""
            organisation.save(update_fields=["status", "reviewed_at", "reviewed_by", "rejection_reason",
                                             "updated_at"])
            notify_decision(organisation=organisation)
            count += 1
    return count


def organisations_verify(*, organisation_ids: Iterable[int], reviewer) -> int:
    """Verify pending organisations; others are left alone. Returns how many changed."""
    return _decide(organisation_ids=organisation_ids, reviewer=reviewer, new_status=OrganisationStatus.VERIFIED,
                   reason="")


def organisations_reject(*, organisation_ids: Iterable[int], reviewer, reason: str) -> int:
    """Reject pending organisations with a reason the representatives will read."""
    reason = reason.strip()
    if not reason:
        raise OrganisationError(_("Give the organisation a reason."))
    return _decide(organisation_ids=organisation_ids, reviewer=reviewer, new_status=OrganisationStatus.REJECTED,
                   reason=reason)


def women_led_confirm(*, organisation_ids: Iterable[int], reviewer, confirmed: bool) -> int:
    """Staff confirm (or withdraw) the women-led badge organisations claim. Returns how many changed."""
    reason = _("Women-led badge confirmed") if confirmed else _("Women-led badge withdrawn")
    count = 0
    with transaction.atomic(), audit_context(actor=reviewer, reason=reason):
        for organisation in (Organisation.objects.select_for_update().filter(pk__in=list(organisation_ids))
                             .exclude(women_led="").exclude(women_led_confirmed=confirmed).order_by("pk")):
            organisation.women_led_confirmed = confirmed
            organisation.save(update_fields=["women_led_confirmed", "updated_at"])
            count += 1
    return count
