"""Charts as inline SVG, drawn on the server: no script, no library, nothing from elsewhere.

Each chart has a fixed drawing width (``WIDTH`` user units) and scales to the width of its box
(``width: 100%`` in the stylesheet, at most a readable maximum on a desktop), so its text stays
about the page's size on a phone 375 px wide.

- ``bars``: one labelled row per item (a category, a city), the label above its bar and the
  number at the row's end — long Chinese labels never collide;
- ``columns``: one column per month, a few month labels underneath, the numbers above the
  columns while there is room for them.

``areas_drawn`` draws the dashboard's areas whole, once per count (the worker keeps them with it).
"""

from collections.abc import Sequence

from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 340
ROW = 36  # one item of a bar chart: its label line and its bar
BAR = 12
COLUMNS_HEIGHT = 180
AXIS = 22  # the month labels under the columns
TOP = 18  # room for the numbers over the columns
LABELLED_COLUMNS = 6  # at most this many month labels under the columns
NUMBERED_COLUMNS = 12  # numbers over the columns only up to this many columns
WIDEST_COLUMN = 48
HALF_LABEL = 28  # half the width of a month's label ("2026-12")


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def bars(points: Sequence[tuple[str, float]], *, title: str) -> SafeString:
    """A horizontal bar chart of labelled numbers."""
    largest = max((value for _name, value in points), default=0) or 1
    height = ROW * len(points)
    rows = []
    for index, (name, value) in enumerate(points):
        top = index * ROW
        length = round(WIDTH * value / largest, 1)
        rows.append((top + 14, name, WIDTH, top + 14, _number(value), top + 19, WIDTH, top + 19,
                     max(length, 1 if value else 0)))
    body = format_html_join(
        "",
        '<text class="chart-label" x="0" y="{}">{}</text>'
        '<text class="chart-value" x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect class="chart-track" x="0" y="{}" width="{}" height="' + str(BAR) + '" rx="3"/>'
        '<rect class="chart-bar" x="0" y="{}" width="{}" height="' + str(BAR) + '" rx="3"/>',
        ((y, name, x, y2, value, bar_y, track, bar_y2, length)
         for y, name, x, y2, value, bar_y, track, bar_y2, length in rows),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">'
        "<title>{}</title>{}</svg>",
        WIDTH, height, title, title, body)


def columns(points: Sequence[tuple[str, float]], *, title: str) -> SafeString:
    """A column chart of a series in order (months): a column each, some labels underneath."""
    count = max(len(points), 1)
    largest = max((value for _name, value in points), default=0) or 1
    slot = min(WIDTH / count, WIDEST_COLUMN)  # a month or two stay columns, not a wall
    gap = min(slot * 0.2, 6)
    drawing = COLUMNS_HEIGHT - AXIS - TOP
    every = -(-count // LABELLED_COLUMNS)  # label every n-th column, at most LABELLED_COLUMNS labels
    parts = []
    for index, (name, value) in enumerate(points):
        height = round(drawing * value / largest, 1)
        x = round(index * slot + gap / 2, 1)
        width = round(slot - gap, 1)
        middle = round(index * slot + slot / 2, 1)
        parts.append(format_html('<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" rx="2"/>',
                                 x, round(TOP + drawing - height, 1), width, max(height, 1 if value else 0)))
        if count <= NUMBERED_COLUMNS:
            parts.append(format_html('<text class="chart-value" x="{}" y="{}" text-anchor="middle">{}</text>',
                                     middle, round(TOP + drawing - height - 4, 1), _number(value)))
        if index % every == 0:  # centred under its column, but never cut off at either edge
            parts.append(format_html('<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
                                     min(max(middle, HALF_LABEL), WIDTH - HALF_LABEL), COLUMNS_HEIGHT - 6, name))
    axis = format_html('<line class="chart-axis" x1="0" y1="{}" x2="{}" y2="{}"/>',
                       TOP + drawing, WIDTH, TOP + drawing)
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">'
        "<title>{}</title>{}{}</svg>",
        WIDTH, COLUMNS_HEIGHT, title, title, axis, format_html_join("", "{}", ((p,) for p in parts)))


def areas_drawn(areas) -> SafeString:
    """Each area of the dashboard (``figures.Area``): its numbers, and its series drawn as bars or,
    for months, columns."""
    drawn = []
    for area in areas:
        numbers = [f for f in area.figures if not f.is_series]
        charts = [(f, (columns if f.over_time else bars)(f.points, title=f.label)) for f in area.figures if f.is_series]
        drawn.append({"area": area, "numbers": numbers, "charts": charts})
    return render_to_string("core/dashboard_areas.html", {"areas": drawn})
