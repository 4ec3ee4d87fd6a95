"""遇见 on 相聚她平台's and 相助她空间's pages (the kernel's section registry)."""

from xiangcheng.core.sections import programme_section

# The gathering platform and the support space both point to 遇见.
MATCH_PROGRAMMES = ("gather", "support")


def match_entry(request, programme) -> dict:
    return {}


def register() -> None:
    programme_section(key="matching", template="matching/_programme_section.html", context=match_entry, order=40,
                      programmes=MATCH_PROGRAMMES)
