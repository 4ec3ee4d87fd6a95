from django.urls import path

from . import story_views
from .visitor_pages import kept_for_visitors

app_name = "stories"
urlpatterns = [
    path("", story_views.story_list, name="list"),
    path("feed/", kept_for_visitors(story_views.StoryFeed()), name="feed"),
    path("<int:pk>/", story_views.story_detail, name="detail"),
]
