"""How many related rows each listed row has, counted in the list's own query.

``annotate(Count("relation"))`` joins and groups every related row of every row before a page
is cut (a million registrations for a page of events, 100,000 applications for a page of calls).
A subquery for each listed row reads only the shown rows' related rows, through the related
table's index on its foreign key, so a page costs the same however many there are.
"""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce


def related_count(related: QuerySet, *, to: str) -> Coalesce:
    """How many rows of ``related`` point at the outer row through their foreign key ``to``
    (0 when none), as an expression to annotate the outer rows with."""
    counted = (related.filter(**{to: OuterRef("pk")}).order_by()
               .values(to).annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
