"""The corpus in a real browser: her pages quoting text built to run script (an image's onerror,
markup that breaks out of an attribute) show it as text; no dialog opens, the CSP blocks nothing."""

import pytest
from django.urls import reverse

from tests.xss_corpus import CORPUS, MARKER
from tests.xss_world import world

from .ui import log_in, screenshot


@pytest.mark.parametrize("entry", ["img_onerror", "break_out_svg"])
def test_her_pages_show_the_corpus_as_text(page, transactional_db, entry):
    w = world(CORPUS[entry])
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    ticket = w.objects["services.Ticket"]
    page.goto(reverse("services:ticket", args=[ticket.reference]))
    log_in(page, w.her.email)
    page.wait_for_url(f"**{reverse('services:ticket', args=[ticket.reference])}")
    # Her subject, her words and staff's reply are on the page, as she typed them.
    assert page.get_by_text(CORPUS[entry], exact=False).count() >= 2
    if entry == "img_onerror":
        screenshot(page, "xss-corpus-ticket")
    for url in (reverse("members:profile"), reverse("services:call_application",
                                                    args=[w.objects["services.CallApplication"].pk]),
                reverse("services:job", args=[w.objects["services.Job"].pk]), reverse("home")):
        page.goto(url)
        assert MARKER in page.content()
    page.wait_for_timeout(300)  # an onerror would have fired by now
    assert page.locator("img[onerror], svg[onload]").count() == 0
    assert dialogs == []
