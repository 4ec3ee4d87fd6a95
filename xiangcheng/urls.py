from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from xiangcheng.core import views as core_views

admin.site.site_header = _("Xiangcheng Women in Science & Technology Alliance · Staff")
admin.site.site_title = _("Alliance staff")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("programmes/", include("xiangcheng.core.urls")),
    path("messages/", include("xiangcheng.core.notice_urls")),
    path("accounts/", include("allauth.urls")),
    path("members/", include("members.urls")),
    path("", include("events.urls")),
    path("inbox/", include("services.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Uploaded photos (generated names, re-encoded). A deployment may serve /media/ from its
# reverse proxy instead; the route stays so a bare gunicorn still works.
urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
