"""Stories' pages: the list (paginated, by programme and tag), a story, and the Atom feed."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .counted_pages import counted_page
from .models import Programme
from .sections import sections_for_story
from .shared_pages import kept_shared
from .stories import stories_listed, story_readable, story_told, text_clean
from .story_models import TAG_LENGTH

STORIES_PAGE_SIZE = 12
FEED_ITEMS = 20


@kept_shared(members=True)
def story_list(request):
    programmes = list(Programme.objects.only("pk", "slug", "name"))
    programme = next((p for p in programmes if p.slug == request.GET.get("programme")), None)
    tag = text_clean(request.GET.get("tag", ""))[:TAG_LENGTH]
    stories = stories_listed(programme=programme.slug if programme else "", tag=tag)
    page = counted_page(stories, STORIES_PAGE_SIZE, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/stories/story_list.html", {
        "page": page, "programmes": programmes, "programme": programme, "tag": tag, "query": query.urlencode(),
    })


def story_detail(request, pk: int):
    story = story_readable(pk=pk, user=request.user)
    if story is None:
        raise Http404
    return render(request, "core/stories/story_detail.html", {
        "story": story, "told": story_told(story), "sections": sections_for_story(request, story),
    })


class StoryFeed(Feed):
    """The latest published stories as an Atom feed."""

    feed_type = Atom1Feed
    title = _("Stories of the Xiangcheng Women in S&T Alliance")
    subtitle = _("Stories and news of the alliance's members and programmes.")
    author_name = _("Xiangcheng District Women Science & Technology Workers' Alliance")

    def link(self):
        return reverse("stories:list")

    def items(self):
        return stories_listed()[:FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_categories(self, item):
        return item.tags
