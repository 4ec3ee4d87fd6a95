"""The rows of 我的相遇, kept rendered (``xiangcheng.core.fragments``).

A row shows the other side's name, who asked and when, the status as she sees it, the message
and what she may do. Its version names each, so a change renders the row again at once. The
contacts the other side shares are never kept: the row holds a slot for them, filled for each
request from ``introductions.contacts_shown`` (read now, so a contact no longer verified or
no longer shared is gone at once).
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from members.contacts import Contact
from members.profiles import person_name
from xiangcheng.core.fragments import rendered_each

from . import introductions as rules
from .models import Introduction

ROW_TEMPLATE = "matching/introductions/_row.html"


@dataclass(frozen=True)
class Row:
    introduction: Introduction
    name: str
    seen: str
    contacts: list[Contact]
    may_answer: bool
    may_withdraw: bool
    from_me: bool
    connected_tab: bool  # the tab of connections, where contacts (or why there are none) show

    @property
    def status(self) -> str:
        return str(rules.SEEN_LABELS[self.seen])

    @property
    def tone(self) -> str:  # the status badge's colour
        return {rules.WAITING: "pending", rules.CONNECTED_SEEN: "confirmed"}.get(self.seen, "cancelled")

    @property
    def contacts_slot(self) -> SafeString:
        return mark_safe(f"<!--contacts:{self.introduction.pk}-->")  # noqa: S308 - a fixed marker and an int


def _version(row: Row) -> tuple:
    introduction = row.introduction
    return (introduction.pk, row.name, row.from_me, introduction.created_at, row.seen, introduction.message,
            row.connected_tab, bool(row.contacts), row.may_answer, row.may_withdraw)


def _contacts_html(contacts: list[Contact]) -> SafeString:
    return format_html('<dl class="facts introduction-contacts">{}</dl>',
                       format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((c.label, c.value) for c in contacts)))


def introduction_rows(introductions: list[Introduction], *, viewer, tab: str) -> list[Row]:
    """A page of her introductions on ``tab``, each as she sees it."""
    contacts = rules.contacts_shown(introductions=introductions, viewer=viewer)
    return [Row(introduction=i, name=person_name(rules.other_side(i, viewer=viewer)),
                seen=rules.status_seen(i, viewer=viewer), contacts=contacts[i.pk],
                may_answer=rules.may_answer(i, viewer=viewer), may_withdraw=rules.may_withdraw(i, viewer=viewer),
                from_me=i.sender_id == viewer.pk, connected_tab=tab == rules.CONNECTED)
            for i in introductions]


def rows_rendered(rows: list[Row]) -> SafeString:
    """The rows as the list's items, each kept but for the contacts in it."""
    html = rendered_each(rows, template=ROW_TEMPLATE, name="r", version=_version)
    for row in rows:
        if row.contacts:
            html = html.replace(row.contacts_slot, _contacts_html(row.contacts), 1)
    return mark_safe(html)  # noqa: S308 - kept rows (autoescaped) with escaped contacts in their slots
