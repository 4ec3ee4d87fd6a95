"""The federation offerings' section of 相链她科企's and 相助她空间's pages (the kernel's section registry)."""

from xiangcheng.core.sections import programme_section

from .offerings import OFFERING_PROGRAMMES, offerings_listed

PROGRAMME_OFFERINGS = 6


def programme_offerings(request, programme) -> dict | None:
    """The programme's first published offerings (one query); no section when it has none."""
    listed = list(offerings_listed(programme=programme.slug)[:PROGRAMME_OFFERINGS])
    return {"offerings": listed, "programme": programme} if listed else None


def register() -> None:
    programme_section(key="offerings", template="services/offerings/_programme_offerings.html",
                      context=programme_offerings, order=30, programmes=OFFERING_PROGRAMMES)
