from django import template

from xiangcheng.core import message_centre

register = template.Library()


@register.simple_tag
def notice_rows(notices):
    """Her notices' rows in 我的消息 (``core/_notice_row.html``), each rendered once per version."""
    return message_centre.notice_rows(notices)
