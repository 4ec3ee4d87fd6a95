from django.urls import path

from . import story_views

app_name = "stories"
urlpatterns = [
    path("", story_views.story_list, name="list"),
    path("feed/", story_views.StoryFeed(), name="feed"),
    path("<int:pk>/", story_views.story_detail, name="detail"),
]
