"""Organisations and who represents them: the rules others ask.

Services (requests, jobs) ask two questions here and nowhere else: which organisations does this
person act for (``organisations_of``), and may this one post (``may_post``).
"""

from django.db.models import QuerySet
from django.http import Http404

from members.models import Organisation, OrganisationStatus


def may_post(organisation: Organisation) -> bool:
    """Only a verified organisation posts service requests and jobs."""
    return organisation.status == OrganisationStatus.VERIFIED


def organisations_of(user) -> QuerySet[Organisation]:
    """The organisations this account represents (none for a visitor)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(representatives__user=user)


def represented(*, user, pk: int) -> Organisation:
    """Her organisation ``pk``, or 404: another organisation's pages do not exist for her."""
    organisation = organisations_of(user).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def posting_organisation(*, user, pk: int) -> Organisation:
    """Her organisation ``pk`` if it may post, or 404 (not hers, or not verified)."""
    organisation = represented(user=user, pk=pk)
    if not may_post(organisation):
        raise Http404
    return organisation
