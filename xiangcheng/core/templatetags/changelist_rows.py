"""``{% large_result_list cl %}``: Django's ``{% result_list cl %}`` with the kernel's rows
(``xiangcheng/core/changelist_rows.py``), rendered by the same ``change_list_results.html``."""

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers, result_hidden_fields
from django.contrib.admin.templatetags.base import InclusionAdminNode

from ..changelist_rows import rows

register = template.Library()


def _result_list(cl) -> dict:
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": list(rows(cl)),
    }


@register.tag(name="large_result_list")
def large_result_list(parser, token):
    return InclusionAdminNode(parser, token, func=_result_list, template_name="change_list_results.html",
                              takes_context=False)
