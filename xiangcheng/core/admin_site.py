"""The staff site: Django's admin, with each staff member's list of apps and models worked out
once per process for her permissions and language instead of on every page.

Every admin page puts that list in its context (``available_apps``, the navigation sidebar): one
permission check per action on every registered model, about 90 of them, and the sidebar's
table rendered from it — 2–3 ms of CPU on each staff page. The list depends only on her
permissions (each model admin here decides from permissions alone), her language and the
registered models; the sidebar's HTML on those and on which of its links the current address
contains. The sidebar is kept rendered (``xiangcheng.core.fragments``) under exactly that.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.template.defaultfilters import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from .fragments import rendered_each

SIDEBAR_TEMPLATE = "admin/_nav_sidebar_kept.html"
# Distinct permission sets are few (one per role and combination); past this many, start afresh.
KEPT_LISTS = 256


def permissions_key(user) -> tuple:
    """What her app list is a function of: her permissions, and whether she holds them all."""
    return user.is_superuser, tuple(sorted(user.get_all_permissions()))


class PortalAdminSite(AdminSite):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._app_lists: dict[tuple, list] = {}

    def get_app_list(self, request, app_label=None):
        """Django's list, kept per permissions and language. Shared by her pages: never changed
        in place (no page of Django's or ours does)."""
        if app_label is not None:
            return super().get_app_list(request, app_label)
        key = (permissions_key(request.user), get_language())
        kept = self._app_lists.get(key)
        if kept is None:
            if len(self._app_lists) >= KEPT_LISTS:
                self._app_lists.clear()
            kept = self._app_lists[key] = super().get_app_list(request)
        return kept


class PortalAdminConfig(AdminConfig):
    default_site = "xiangcheng.core.admin_site.PortalAdminSite"


class _Sidebar:
    """What the sidebar's template reads: the apps, and the request for its current address."""

    def __init__(self, apps, request):
        self.apps, self.request = apps, request


def _current_links(apps, path: str) -> tuple:
    """The app and model links the sidebar marks as current: those the address contains, as
    Django's ``app_list.html`` tests them."""
    return tuple(url for app in apps for url in (app["app_url"], *(m.get("admin_url") for m in app["models"]))
                 if url and url in path)


def nav_sidebar(context) -> SafeString:
    """Django's navigation sidebar, kept rendered per permissions, language and current links."""
    request, apps = context["request"], context.get("available_apps", [])
    sidebar = _Sidebar(apps, request)
    return rendered_each([sidebar], template=SIDEBAR_TEMPLATE, name="sidebar", version=lambda s: (
        permissions_key(request.user), _current_links(apps, urlencode(request.path))))
