from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from xiangcheng.core import benchmark, health
from xiangcheng.core import views as core_views

admin.site.site_header = _("Xiangcheng Women in Science & Technology Alliance · Staff")
admin.site.site_title = _("Alliance staff")
admin.site.index_title = _("Administration")
# Staff log in through the portal's login: its failed-login limits and two-factor step apply.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", core_views.home, name="home"),
    path("programmes/", include("xiangcheng.core.urls")),
    path("messages/", include("xiangcheng.core.notice_urls")),
    # A sign-up is complete or not made at all: an outage half-way (Redis, mail) rolls it back.
    path("accounts/signup/", transaction.atomic(account_views.signup), name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("members/", include("members.urls")),
    path("", include("events.urls")),
    # The inbox at /inbox/, 新城招聘 at /jobs/ (services/urls.py).
    path("", include("services.urls")),
    path("offerings/", include("services.offering_urls")),
    # 遇见, the opt-in match (matching/urls.py).
    path("meet/", include("matching.urls")),
    # Stories (科创故事): site content beside the programmes (xiangcheng/core/story_urls.py).
    path("stories/", include("xiangcheng.core.story_urls")),
    # The language chooser the header links to, and Django's view its form posts to.
    path("language/", core_views.language, name="language"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The staff dashboard and its monthly report (xiangcheng/core/dashboard_views.py), inside the admin.
    path("admin/dashboard/", include("xiangcheng.core.dashboard_urls")),
    path("admin/", admin.site.urls),
    # For the load balancer and monitoring: no login, nothing sensitive (xiangcheng/core/health.py).
    path("health/live/", health.live, name="health_live"),
    path("health/ready/", health.ready, name="health_ready"),
    # `make bench`'s floor page: a 404 unless the benchmark's settings switch it on.
    path("bench/floor/", benchmark.floor, name="bench_floor"),
]


def media(request, path: str):
    # MEDIA_ROOT as it is now, not when this module was imported (tests move it to a temporary folder).
    return serve(request, path, document_root=settings.MEDIA_ROOT)


# Uploaded photos (generated names, re-encoded) in development and tests only; in production the
# reverse proxy serves /media/ (docs/operations.md). The private folder is never under MEDIA_URL.
if settings.SERVE_MEDIA:
    urlpatterns += [path("media/<path:path>", media, name="media")]
