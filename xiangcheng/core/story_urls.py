from django.urls import path

from . import story_views
from .shared_pages import kept_shared

app_name = "stories"
urlpatterns = [
    path("", story_views.story_list, name="list"),
    path("feed/", kept_shared(story_views.StoryFeed(), members=True), name="feed"),
    path("<int:pk>/", story_views.story_detail, name="detail"),
]
