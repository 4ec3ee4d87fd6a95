"""Text written into spreadsheets (.xlsx, CSV) the portal exports.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is a formula to
Excel and LibreOffice when a file is opened or a cell re-entered; names, titles and statements are
typed by members, so such text is written after a leading apostrophe, the usual guard, and as a
text cell. Every export calls ``cell_text`` on each value it writes.
"""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value):
    """The value as it is written into a cell: text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def row_text(row) -> list:
    """Every value of a row, through ``cell_text``."""
    return [cell_text(value) for value in row]
