"""The XSS corpus: text a member, a representative or staff could type into any free-text field, and
the one check that a rendered page (or an export) keeps every entry inert.

Each entry carries MARKER, so the check can tell the corpus's own text from the page's. Entries
are at most 40 characters (the shortest free-text field); a field shorter than an entry gets its
start (``fitted``).

The rules the check holds a page to (docs/architecture.md, "Output and user text"):
- no element carries an event-handler attribute (``on…``) or a ``style`` whose value holds the
  marker, nor an attribute named by the corpus (one a quote broke out into);
- no ``<script>`` or ``<style>`` whose text holds the marker;
- no ``href``/``src``/``action``/``formaction`` starting with ``javascript:``, ``data:`` or
  ``vbscript:`` that holds the marker;
- no template syntax evaluated (``{{ 7*7 }}`` is never shown as ``49``);
- none of the invisible characters that reorder or hide text (bidi controls, zero-width spaces):
  they are removed from every free-text field when it is saved.
Emails: the subject is one line (a line break in a title must not add a header), and neither
subject nor body keeps an invisible character.
Exports: no spreadsheet cell starts with ``=``, ``+``, ``-`` or ``@`` (nor tab or carriage return).
"""

import csv
import io
import re
from html.parser import HTMLParser

from openpyxl import load_workbook

MARKER = "XSS7"

CORPUS: dict[str, str] = {
    "script": '<script>alert("XSS7")</script>',
    "img_onerror": "<img src=x onerror=alert('XSS7')>",
    "body_onload": "<body onload=XSS7()>",
    "div_onmouseover": '<div onmouseover="XSS7()">悬停</div>',
    "javascript_href": '<a href="javascript:XSS7()">点我</a>',
    "data_href": "<a href=data:text/html,XSS7>d</a>",
    "iframe_javascript": "<iframe src=javascript:XSS7>",
    "break_out_svg": '"><svg onload=XSS7()>',
    "break_double": '" onmouseover="XSS7()" x="',
    "break_single": "' onmouseover='XSS7()' x='",
    "unclosed": "<b onclick=XSS7() 未闭合",
    "template": "{{ 7*7 }}XSS7{% now 'Y' %}",
    "css_expression": '<p style="x:expression(XSS7)">',
    "bidi": "\u202eXSS7\u200b\u2066gpj.exe\u2069\ufeff",
    "header_break": "主题\r\nBcc: XSS7@example.cn",
    "formula_equals": '=HYPERLINK("//x.cn","XSS7")',
    "formula_plus": "+XSS7+cmd|' /C calc'!A0",
    "formula_minus": "-1+XSS7",
    "formula_at": "@SUM(1)XSS7",
}

assert all(len(entry) <= 40 for entry in CORPUS.values()), "an entry is longer than the shortest field"
assert all(MARKER in entry for entry in CORPUS.values()), "an entry without the marker proves nothing"

# What is removed from every free-text field on save (xiangcheng.core.plain_text.INVISIBLE).
INVISIBLE = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "srcdoc"})
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def fitted(entry: str, max_length: int | None) -> str:
    """The entry as a field of this length holds it (its start)."""
    return entry if not max_length else entry[:max_length]


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._raw: str | None = None  # inside <script>/<style>

    def _element(self, tag: str, attrs) -> None:
        for name, value in attrs:
            value = value or ""
            if MARKER.lower() in name.lower():
                self.problems.append(f"<{tag}> has an attribute named {name!r}")
            if MARKER not in value:
                continue
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>: an event handler")
            elif name == "style":
                self.problems.append(f"<{tag} style={value!r}>: a style from user text")
            elif name in URL_ATTRIBUTES and value.strip().lower().startswith(BAD_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>: a script or data URL")

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)
        if tag in ("script", "style"):
            self._raw = tag

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_endtag(self, tag):
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data):
        if self._raw:
            if MARKER in data:
                self.problems.append(f"<{self._raw}> holds {data.strip()[:60]!r}")
            return
        self.text.append(data)


def inert_problems(html: str) -> list[str]:
    """What in this rendered HTML document the corpus made live (empty: the page is inert)."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    problems = list(collector.problems)
    # Text nodes apart: a time "10:49" before a title "XSS7…" is no evaluated template.
    text = "\n".join(collector.text)
    if "49" + MARKER in text:
        problems.append("a template expression was evaluated ({{ 7*7 }} shown as 49)")
    invisible = INVISIBLE.search(html)
    if invisible:
        problems.append(f"an invisible character U+{ord(invisible.group()):04X} is on the page")
    return problems


def assert_inert(html: str, *, where: str = "") -> None:
    """The one check: this rendered HTML document keeps every corpus entry inert."""
    problems = inert_problems(html)
    assert not problems, f"{where}: " + "; ".join(problems)


def workbook_problems(data: bytes) -> list[str]:
    """Cells of an .xlsx that a spreadsheet would read as a formula, or that hold invisible characters."""
    book = load_workbook(io.BytesIO(data))
    problems = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and value.startswith(FORMULA_START):
                    problems.append(f"{sheet.title}!{cell.coordinate} = {value!r}")
                elif cell.data_type == "f":
                    problems.append(f"{sheet.title}!{cell.coordinate} is a formula")
    return problems


def csv_problems(data: bytes) -> list[str]:
    """Cells of a CSV that a spreadsheet would read as a formula."""
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    return [f"row {n} {value!r}" for n, row in enumerate(rows, 1) for value in row
            if value.startswith(FORMULA_START)]
