"""The site's URLs plus a stand-in for the call page (``services:call``) while the calls' own pages
are not routed in this tree (see call_review_support.call_page_routed)."""

from django.urls import include, path

from services import urls as services_urls
from xiangcheng.urls import urlpatterns as site

from .call_review_support import stand_in_call_page

# The first include of a namespace is the one reverse() uses: the services' own routes, and the call page.
urlpatterns = [
    path("", include((services_urls.urlpatterns + [path("calls/<int:pk>/", stand_in_call_page, name="call")], "services"))),
    *site,
]
