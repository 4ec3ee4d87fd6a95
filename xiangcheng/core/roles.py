"""The roles registry: every staff group, by name, with exactly the permissions its work needs.

A role is a Django group. The kernel names the roles; each app grants its own permissions to
them in its ``roles.py`` (loaded by the app's ``ready``), so a new app adds its permissions to an
existing role, or a new role, in one place:

    grant(REVIEWER, "members", ["view_memberprofile", "review_memberprofile"])

After every migrate (and every flush of a test database) ``roles_sync`` makes each group hold
exactly what is granted — nothing added by hand in admin survives it, which is the point: the
registry is the truth, and tests assert against it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.utils.translation import gettext_lazy as _


@dataclass
class Role:
    name: str  # the group's name, as staff see it in admin
    description: object
    permissions: set[tuple[str, str]] = field(default_factory=set)  # (app_label, codename)


ROLES: dict[str, Role] = {}


def role(name: str, description) -> Role:
    return ROLES.setdefault(name, Role(name=name, description=description))


# The federation's staff roles. Membership review; events and check-in; the 巾帼管家 inbox.
REVIEWER = role("审核员", _("Reviews membership applications."))
EVENT_MANAGER = role("活动管理员", _("Runs events, sign-ups and check-in."))
INBOX_AGENT = role("管家客服", _("Answers 巾帼管家 tickets."))
INBOX_SUPERVISOR = role("管家主管", _("Supervises the inbox: unassigned tickets, canned replies, deadlines."))
ENTERPRISE_SERVICE = role("企业服务", _("Verifies organisations and moderates their service requests and jobs."))
# 遇见: moderates the match (profiles, reports, suspensions). Only this role sees 遇见 in admin.
MATCH_MODERATOR = role("遇见审核", _("Moderates 遇见: match profiles, reports and suspensions."))
# The federation's administrator reads every record and the whole audit trail; she changes nothing.
ADMINISTRATOR = role("管理员", _("Oversees the portal: reads every record and the whole audit trail."))
# Calls (相创她数智): publishes calls for contests and nominations and reviews the applications.
CALL_REVIEWER = role("申报评审", _("Publishes calls and reviews applications to them."))


def grant(target: Role, app_label: str, codenames: Iterable[str]) -> None:
    """Give ``target`` these permissions of ``app_label``'s models (declared once, at start-up)."""
    target.permissions.update((app_label, codename) for codename in codenames)


# The kernel's own records.
grant(ADMINISTRATOR, "core", ["browse_audit_trail", "view_notice", "view_programme"])
# The staff dashboard and its monthly report (figures.py, reports.py): the administrator reports upwards.
grant(ADMINISTRATOR, "core", ["view_dashboard"])


class UnknownPermission(LookupError):
    """A role grants a permission no model defines (renamed or removed model)."""


def roles_sync(apps=global_apps) -> None:
    """Create or reset every role's group to exactly its granted permissions.

    ``apps`` is the real registry or a migration's (post_migrate passes its own). Permissions
    are normally created after each app's migrations; they are all needed here, so they are
    created first.
    """
    for config in global_apps.get_app_configs():  # the real configs; models come from ``apps``
        create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for each in ROLES.values():
        wanted = each.permissions
        found = {(p.content_type.app_label, p.codename): p for p in Permission.objects.select_related("content_type")
                 .filter(codename__in={codename for _, codename in wanted})}
        if missing := wanted - found.keys():
            raise UnknownPermission(f"role {each.name} grants unknown permissions: {sorted(missing)}")
        group, _created = Group.objects.get_or_create(name=each.name)
        group.permissions.set([found[key] for key in wanted])


def role_members(target: Role):
    """Active accounts in the role's group."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__name=target.name, is_active=True)


# --- Stories (科创故事) -----------------------------------------------------------------------------
STORY_EDITOR = role("宣传编辑", _("Writes and publishes the alliance's stories and news."))
grant(STORY_EDITOR, "core", ["view_story", "add_story", "change_story", "delete_story"])
grant(ADMINISTRATOR, "core", ["view_story"])
