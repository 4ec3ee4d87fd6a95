"""Bulk data for reviewing calls (`make bench`): one bulk member of staff in 申报评审, who opens the
review list of applications (the calls and applications themselves are the calls' own bulk data)."""

from members.bulk import staff_load
from members.models import User
from xiangcheng.core.bulk import BulkLoaded, BulkRun, bulk_writing
from xiangcheng.core.roles import CALL_REVIEWER

REVIEWER = "bulk-shenbao"


def bulk_load(run: BulkRun) -> BulkLoaded:
    loaded = BulkLoaded(key="call_reviews")
    if User.objects.filter(username=REVIEWER).exists():
        loaded.skipped = True
        return loaded
    with bulk_writing(User):
        staff_load(run, [(REVIEWER, [CALL_REVIEWER.name])], loaded)
    return loaded
