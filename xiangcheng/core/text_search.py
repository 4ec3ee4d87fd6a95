"""Substring search in Chinese text that an index can answer, on any PostgreSQL.

A search box finds "王" in "王婷" or "芯片" in "某芯片封测企业": a case-insensitive substring
(what ``icontains`` finds; asked here as ``strpos(upper(x), upper(q)) > 0``, so that the query
is the search's one parameter, as a page's SQL built once needs it), which no B-tree can answer,
so every search read every row. Trigram indexes (pg_trgm) cannot help here: a trigram needs three
characters, and most searches in Chinese are one or two (a surname, a two-character word), for
which pg_trgm extracts nothing and scans the whole index; the extension is also missing from the
embedded PostgreSQL that development and tests run on.

Instead the index holds the set of a text's characters (``string_to_array(upper(x), NULL)``,
core PostgreSQL) in a GIN index, and a search asks for the rows holding every character of the
query (``@>``), then checks the substring itself on those rows only. For "王" that is the
posting list of one character; for longer queries the intersection of a few.

    indexes = [characters_index("real_name", name="…", condition=…)]   # Meta of the model
    queryset.filter(contains_text("real_name", q))                      # the search
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.lookups import DataContains
from django.db.models import Func, Q, TextField, Value
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import GreaterThan


class Characters(Func):
    """The characters of a text, upper-cased as ``icontains`` compares them, as an array."""

    template = "string_to_array(upper(%(expressions)s), NULL)"
    output_field = ArrayField(TextField())


def characters_index(field: str, *, name: str, condition: Q | None = None) -> GinIndex:
    """The index ``contains_text(field, …)`` reads; the same ``condition`` as the searches' filter."""
    return GinIndex(Characters(field), name=name, condition=condition)


def contains_text(field: str, text: str) -> Q:
    """Rows whose ``field`` contains ``text``, ignoring case, found through ``characters_index``.

    The substring test comes first: where PostgreSQL reads the rows through another index (open
    requests by deadline) it checks both conditions on each row in this order, and splitting a
    long description into characters costs more than the substring test that rules most rows out
    (6.8 → 1.9 ms over 1,200 open requests). The index is chosen the same whatever the order.
    """
    return (Q(GreaterThan(StrIndex(Upper(field), Upper(Value(text))), 0))
            & Q(DataContains(Characters(field), Characters(Value(text)))))
