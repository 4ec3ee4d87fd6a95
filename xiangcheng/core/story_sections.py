"""Stories on the home page (the latest three) and on each programme's page (its latest), through
the kernel's section registry. One query each, however many stories there are."""

from .sections import home_section, programme_section
from .stories import stories_listed

HOME_STORIES = 3
PROGRAMME_STORIES = 4


def home_stories(request) -> dict | None:
    listed = list(stories_listed()[:HOME_STORIES])
    return {"stories": listed} if listed else None


def programme_stories(request, programme) -> dict | None:
    listed = list(stories_listed(programme=programme.slug)[:PROGRAMME_STORIES])
    return {"stories": listed, "programme": programme} if listed else None


def register() -> None:
    home_section(key="stories", template="core/stories/_home_stories.html", context=home_stories, order=50)
    programme_section(key="stories", template="core/stories/_programme_stories.html", context=programme_stories,
                      order=50)
