"""Loading the signed-in account for each request, with what every page shows about her.

The session names the account; the menu needs her profile (name, status) and her unread count
(xiangcheng/core/message_centre.py), and the admin, for a member of staff, whether she has an
authenticator app (``members.staff_mfa``) and her permissions: one query brings all five.

Every signed-in request runs this query, and the ORM's building of it (a join over the two
models' 34 columns, the related-object machinery) cost more than the rest of a small page: 1.4
of the 4.2 ms of CPU of the signed-in floor page. ``signed_in_query`` is the same SELECT written
once per process from the models' own columns; each request runs it and makes the two objects
as the ORM does (``from_db``), 0.3 ms.

A member of staff's permissions are read the same way: one SELECT written once per process
(``permissions_query``) instead of the two Django's backend builds on each of her requests.

The account is read as the request arrives (``SignedInMiddleware``), not behind Django's lazy
proxy: every page reads it anyway (the audit trail's context names her on each GET and POST),
and a page that asks ``request.user`` a few hundred times (我的相遇's rules, row by row) then
reads a plain attribute.
"""

import functools
from dataclasses import dataclass

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.mfa.models import Authenticator
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import Model

from xiangcheng.core.message_centre import UNREAD_COUNTED, centre_unread_sql
from xiangcheng.core.prepared_statements import prepared_cursor

from .models import MemberProfile, User


def _columns(model: type[Model], alias: str, connection) -> list[str]:
    for field in model._meta.concrete_fields:
        # The ORM would run such a column's value through a converter (JSON, a custom field):
        # this query does not, so it refuses to be built rather than load the value raw.
        if connection.ops.get_db_converters(column := field.get_col(alias)) + field.get_db_converters(connection):
            raise ImproperlyConfigured(f"{column.target} needs a converter the signed-in query does not apply")
    return [f'{alias}."{field.column}"' for field in model._meta.concrete_fields]


# Set on the signed-in account: whether she has an authenticator app (asked only of staff; None
# for everyone else), as allauth's ``is_mfa_enabled(user, [TOTP])`` answers it.
TOTP_ACTIVE = "_totp_active"


@dataclass(frozen=True)
class SignedInQuery:
    """Her account joined with her profile (if she has one), her unread count and, for staff,
    whether she has an authenticator app and her permissions, by the account's id: the count's
    parameters, the authenticator's type, then the id."""

    sql: str
    user_attnames: list[str]  # the account's columns, first in each row
    profile_attnames: list[str]  # then the profile's
    profile_pk: int  # the position of the profile's id in a row: NULL for an account without one


@functools.cache
def signed_in_query(db: str) -> SignedInQuery:
    connection = connections[db]
    link, pk = MemberProfile._meta.get_field("user").column, User._meta.pk.column
    columns = _columns(User, "u", connection) + _columns(MemberProfile, "p", connection)
    unread, _params = centre_unread_sql(0)
    columns.append(f"({unread})")
    authenticator = Authenticator._meta
    is_staff = f'u."{User._meta.get_field("is_staff").column}"'
    columns.append(f'CASE WHEN {is_staff} THEN EXISTS (SELECT FROM '
                   f'"{authenticator.db_table}" a WHERE a."{authenticator.get_field("user").column}" = u."{pk}" '
                   f'AND a."{authenticator.get_field("type").column}" = %s) END')
    # A member of staff's permissions, as get_all_permissions answers them (not a superuser's:
    # Django's, every permission; none for a closed account).
    columns.append(f"CASE WHEN {is_staff} AND u.\"{User._meta.get_field('is_active').column}\" "
                   f"AND NOT u.\"{User._meta.get_field('is_superuser').column}\" "
                   f"THEN ARRAY(SELECT ct.\"app_label\" || '.' || p.\"codename\" "
                   f"{_permissions_from(db, user=f'u.{connection.ops.quote_name(pk)}')}) END")
    sql = (f'SELECT {", ".join(columns)} FROM "{User._meta.db_table}" u '  # noqa: S608
           f'LEFT JOIN "{MemberProfile._meta.db_table}" p ON p."{link}" = u."{pk}" WHERE u."{pk}" = %s')
    user_attnames = [field.attname for field in User._meta.concrete_fields]
    profile_attnames = [field.attname for field in MemberProfile._meta.concrete_fields]
    return SignedInQuery(sql=sql, user_attnames=user_attnames, profile_attnames=profile_attnames,
                         profile_pk=len(user_attnames) + profile_attnames.index(MemberProfile._meta.pk.attname))


def signed_in_account(user_id) -> User | None:
    """The account with this id and its profile already in place (``user.profile`` runs no query;
    an account without a profile raises ``RelatedObjectDoesNotExist`` as after ``select_related``),
    her unread count read with them (``centre_unread_count``) and, for staff, ``TOTP_ACTIVE`` and
    her permissions (what ``get_all_permissions`` answers, asked no more)."""
    db = router.db_for_read(User)
    query = signed_in_query(db)
    _unread, unread_params = centre_unread_sql(user_id)
    with prepared_cursor(connections[db]) as cursor:
        cursor.execute(query.sql, [*unread_params, Authenticator.Type.TOTP, user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(query.user_attnames)
    user = User.from_db(db, query.user_attnames, row[:split])
    profile = None
    if row[query.profile_pk] is not None:
        profile = MemberProfile.from_db(db, query.profile_attnames, row[split:-3])
        profile._state.fields_cache["user"] = user
    user._state.fields_cache["profile"] = profile
    setattr(user, UNREAD_COUNTED, row[-3])
    setattr(user, TOTP_ACTIVE, row[-2])
    if row[-1] is not None:
        user._perm_cache = set(row[-1])  # where Django's backend keeps what get_all_permissions read
    return user


def _permissions_from(db: str, *, user: str) -> str:
    """The FROM and WHERE of her permissions (``p``, with their content types ``ct``), her own and
    her groups', for the account ``user`` names (a parameter, or a column of an outer query)."""
    ops = connections[db].ops
    mine, in_group = User.user_permissions.through._meta, User.groups.through._meta
    granted = Group.permissions.through._meta
    mine_field, in_group_field = User._meta.get_field("user_permissions"), User._meta.get_field("groups")
    granted_field = Group._meta.get_field("permissions")
    q = ops.quote_name
    return (
        f"FROM {q(Permission._meta.db_table)} p "  # noqa: S608 - names from the models; ``user`` is a column or %s
        f"JOIN {q(ContentType._meta.db_table)} ct ON ct.{q('id')} = p.{q('content_type_id')} "
        f"WHERE p.{q('id')} IN ("
        f"SELECT {q(mine_field.m2m_reverse_name())} FROM {q(mine.db_table)} "
        f"WHERE {q(mine_field.m2m_column_name())} = {user} "
        f"UNION ALL SELECT gp.{q(granted_field.m2m_reverse_name())} FROM {q(granted.db_table)} gp "
        f"JOIN {q(in_group.db_table)} ug ON ug.{q(in_group_field.m2m_reverse_name())} = "
        f"gp.{q(granted_field.m2m_column_name())} WHERE ug.{q(in_group_field.m2m_column_name())} = {user})")


@functools.cache
def permissions_query(db: str) -> str:
    """Her permissions, her own and her groups', as "app_label", "codename" rows, by her id twice:
    the SELECTs Django's backend builds with the ORM on every staff request, written once. A
    signed-in member of staff's come with her account (``signed_in_query``)."""
    q = connections[db].ops.quote_name
    return f"SELECT ct.{q('app_label')}, p.{q('codename')} {_permissions_from(db, user='%s')}"  # noqa: S608


def permissions_of(user: User) -> set[str]:
    """Her permissions as Django names them ("app_label.codename"), her own and her groups'."""
    db = router.db_for_read(Permission)
    with prepared_cursor(connections[db]) as cursor:
        cursor.execute(permissions_query(db), [user.pk, user.pk])
        return {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}


class SignedInMiddleware(AuthenticationMiddleware):
    """Django's authentication middleware, with ``request.user`` the account itself (or
    ``AnonymousUser``) instead of a proxy that loads it on first use and forwards every access
    after that. Login and logout replace it as they do Django's."""

    def process_request(self, request):
        super().process_request(request)
        request.user = auth.get_user(request)


class SignedInLoading:
    def get_user(self, user_id):
        user = signed_in_account(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        """Django's, read with one query written once per process instead of two the ORM builds
        on every staff request (about 1 ms of CPU); a superuser's are Django's (all of them)."""
        if (not user_obj.is_active or user_obj.is_anonymous or obj is not None or user_obj.is_superuser
                or hasattr(user_obj, "_perm_cache")):
            return super().get_all_permissions(user_obj, obj)
        user_obj._perm_cache = permissions_of(user_obj)
        return user_obj._perm_cache


class ModelBackend(SignedInLoading, DjangoModelBackend):
    """Django's username/password backend (admin logins by username)."""


class AuthenticationBackend(SignedInLoading, AllauthBackend):
    """allauth's backend: email, mobile number or username with a password."""
