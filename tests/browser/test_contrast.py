"""Every text on the member and public pages meets WCAG AA contrast (4.5:1), measured in Chromium.

Each page is opened at 375 px (its menus and filter boxes unfolded) and, for every visible text,
the colour Chromium computed is compared with the background it is painted on: the nearest
backgrounds behind it blended together (a gradient counts at each of its colours, the worst one
decides), translucent text and opacity blended in. Placeholders and form values count too.
The programmes' colours are the ones their data migration gives them.
"""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from events import booking, checkin
from events.models import EventStatus, Kind
from members.models import Status
from services import inbox
from services.models import Category, Contact
from tests.events.factories import EventFactory, programme
from tests.factories import MemberProfileFactory

from .ui import admin_log_in, log_in, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AA = 4.5
SLUGS = ["gather", "support", "alliance", "link", "create"]

# Runs in the page (through the DevTools protocol, so the site's CSP does not apply to it).
MEASURE = """() => {
  const parse = (text) => {
    let m = text.match(/^rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)$/);
    if (m) return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]];
    m = text.match(/^color\\(srgb ([\\d.e-]+) ([\\d.e-]+) ([\\d.e-]+)(?: \\/ ([\\d.]+))?\\)$/);
    if (m) return [m[1] * 255, m[2] * 255, m[3] * 255, m[4] === undefined ? 1 : +m[4]];
    return null;
  };
  const colours = (text) => (text.match(/(rgba?\\([^)]*\\)|color\\(srgb [^)]*\\))/g) || []).map(parse);
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  // The backgrounds behind an element: one per colour of the nearest gradient, else one.
  const backgrounds = (el) => {
    const layers = [];
    let bases = [[255, 255, 255, 1]];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const style = getComputedStyle(node);
      const stops = style.backgroundImage.includes("gradient") ? colours(style.backgroundImage) : [];
      const colour = parse(style.backgroundColor) || [0, 0, 0, 0];
      if (stops.length) {
        const under = colour[3] ? over(colour, [255, 255, 255, 1]) : [255, 255, 255, 1];
        bases = stops.map(stop => over(stop, under));
        break;
      }
      if (colour[3] >= 1) { bases = [colour]; break; }
      if (colour[3] > 0) layers.push(colour);
    }
    return bases.map(base => layers.reduceRight((under, layer) => over(layer, under), base));
  };
  const opacity = (el) => {
    let value = 1;
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      value *= +getComputedStyle(node).opacity;
    }
    return value;
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === "string"
    ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const results = [];
  const check = (el, text, colourText, kind) => {
    const fg = parse(colourText);
    const alpha = fg[3] * opacity(el);
    let worst = null;
    for (const bg of backgrounds(el)) {
      const shown = over([fg[0], fg[1], fg[2], alpha], bg);
      const r = ratio(shown, bg);
      if (worst === null || r < worst.ratio) worst = {ratio: r, fg: shown, bg};
    }
    results.push({kind, where: describe(el), text: text.trim().slice(0, 40),
                  ratio: Math.round(worst.ratio * 100) / 100,
                  fg: worst.fg.slice(0, 3).map(Math.round), bg: worst.bg.slice(0, 3).map(Math.round)});
  };
  const visible = (el) => el.getClientRects().length > 0
    && el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el) || el.closest("script, style, template, option")) continue;
    seen.add(el);
    if (visible(el)) check(el, node.textContent, getComputedStyle(el).color, "text");
  }
  for (const el of document.querySelectorAll("input, textarea, select")) {
    if (!visible(el) || ["hidden", "checkbox", "radio", "submit"].includes(el.type)) continue;
    if (el.placeholder && !el.value) check(el, el.placeholder, getComputedStyle(el, "::placeholder").color, "placeholder");
    else if (el.value && el.type !== "file") check(el, el.value, getComputedStyle(el).color, "value");
  }
  return results;
}"""


def measure(page: Page, url: str) -> list[dict]:
    """Every text on the page with its contrast; the menus and filters unfolded while measuring."""
    if url:
        page.goto(url)
    page.evaluate("() => document.querySelectorAll('details:not([open])').forEach(d => {"
                  " d.open = true; d.dataset.unfolded = ''; })")
    results = page.evaluate(MEASURE)
    page.evaluate("() => document.querySelectorAll('details[data-unfolded]').forEach(d => { d.open = false; })")
    assert results, f"no text measured on {url or page.url}"
    return [{**r, "page": url or urlsplit(page.url).path} for r in results]


def too_faint(results: list[dict]) -> list[str]:
    """The texts below 4.5:1, each said in one line."""
    return sorted({f"{r['ratio']}:1 {r['kind']} {r['where']} «{r['text']}» rgb{tuple(r['fg'])} on rgb{tuple(r['bg'])}"
                   f" at {r['page']}" for r in results if r["ratio"] < AA})


@pytest.fixture
def site(transactional_db):
    """An approved member with a booking, a waitlisted and a cancelled event, a ticket in the
    inbox; one upcoming event per programme, one past; a member awaiting approval."""
    soon = (timezone.now() + timedelta(days=5)).replace(microsecond=0)
    events = [EventFactory(title=f"{slug} 沙龙", programme=programme(slug), starts_at=soon + timedelta(days=i),
                           kind=Kind.TRAINING if i % 2 else Kind.SALON, capacity=1, waitlist_enabled=True)
              for i, slug in enumerate(SLUGS)]
    cancelled = EventFactory(title="已取消的沙龙", programme=programme("link"), status=EventStatus.CANCELLED)
    past_start = timezone.now() - timedelta(days=20)
    EventFactory(title="往期培训", starts_at=past_start, ends_at=past_start + timedelta(hours=2),
                 registration_opens_at=past_start - timedelta(days=10),
                 registration_closes_at=past_start - timedelta(hours=1))
    member = MemberProfileFactory(real_name="林晓雯", expertise=["新材料", "薄膜"]).user
    MemberProfileFactory(real_name="周雨桐")
    pending = MemberProfileFactory(real_name="王芳", status=Status.PENDING).user
    seat = booking.sign_up(event_id=events[0].pk, user=member)
    booking.sign_up(event_id=events[1].pk, user=MemberProfileFactory().user)
    booking.sign_up(event_id=events[1].pk, user=member)  # waitlisted
    ticket = inbox.ticket_submit(member=member, category=Category.SPACE, subject="场地预约",
                                 description="想预约周末的场地。", preferred_contact=Contact.SITE)
    return {"events": events, "cancelled": cancelled, "member": member, "pending": pending,
            "seat": seat, "ticket": ticket}


def test_every_text_on_the_public_pages_meets_wcag_aa(page: Page, site):
    event = site["events"][0]
    urls = ["/", "/programmes/", *[f"/programmes/{slug}/" for slug in SLUGS], "/events/", "/events/past/",
            f"/events/{event.pk}/", f"/events/{site['cancelled'].pk}/", "/members/privacy/",
            "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/",
            "/members/password/reset-by-sms/", "/no-such-page/", "/language/?next=/events/"]
    results = [r for url in urls for r in measure(page, url)]

    # A refused login shows its errors next to the fields.
    page.goto("/accounts/login/")
    log_in(page, site["member"].email, "not-her-password")
    page.wait_for_selector(".errorlist, .msg-error, [aria-invalid='true']")
    results += measure(page, "")

    assert too_faint(results) == []
    # The measure saw the muted texts, the programmes' colours and the placeholders.
    kinds = {(r["where"], r["kind"]) for r in results}
    assert {("p.muted", "text"), ("strong", "text"), ("span.event-seats", "text")} <= kinds
    assert any(kind == "placeholder" for _, kind in kinds)


def test_every_text_on_the_member_pages_meets_wcag_aa(page: Page, new_page, site):
    page.goto("/accounts/login/")
    log_in(page, site["member"].email)
    page.wait_for_url("**/members/profile/")
    seat = site["seat"]
    urls = ["/members/profile/", "/members/directory/", "/events/mine/", f"/events/{site['events'][1].pk}/",
            f"/events/registrations/{seat.pk}/ticket/", f"/events/registrations/{seat.pk}/cancel/",
            "/inbox/", "/inbox/new/", site["ticket"].get_absolute_url(), "/accounts/email/"]
    results = [r for url in urls for r in measure(page, url)]

    waiting = new_page()
    waiting.goto("/accounts/login/")
    log_in(waiting, site["pending"].email)
    waiting.wait_for_url("**/members/profile/")
    results += measure(waiting, "/members/profile/") + measure(waiting, "/members/directory/")

    assert too_faint(results) == []
    assert {"span.registration-status.status-confirmed", "span.registration-status.status-waitlisted",
            "div.status.status-pending"} <= {r["where"] for r in results}


def test_the_check_in_pages_meet_wcag_aa(page: Page, event_manager, site):
    """At the door: the scan before and after check-in, and the list."""
    admin_log_in(page, event_manager.username)
    page.wait_for_url("**/admin/")
    scan = urlsplit(checkin.checkin_url(site["seat"])).path
    results = measure(page, scan)
    page.get_by_role("button", name=t("Confirm check-in")).click()
    page.wait_for_selector(".checkin .status")
    results += measure(page, "") + measure(page, scan) + measure(page, f"/events/{site['seat'].event_id}/check-in/")

    assert too_faint(results) == []
    assert {"p.status.status-approved", "p.status.status-pending"} <= {r["where"] for r in results}
