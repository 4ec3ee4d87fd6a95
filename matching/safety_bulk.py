"""Bulk 遇见 safety data for `make bench`: blocks and reports among the bulk participants.

At scale 1.0: each of the first 200 participants (the members `make bench` signs in, as for
their suggestions, at any scale) has blocked a few others, so her blocked list has rows to show; across all
20,000 participants one in ten has blocked someone and one in a hundred has reported someone,
most of those reports long since handled. Loaded before the suggestions (same order as the
profiles, later key), so the stored suggestions already leave blocked pairs out. Each row comes with the "created" audit event (and
the decision's) it would have had.
"""

from datetime import timedelta

from xiangcheng.core.bulk import (
    AuditEntry,
    BulkLoaded,
    BulkRun,
    audit_copy,
    bulk_writing,
    ids_reserve,
    rows_copy,
)

from .models import Block, MatchProfile, Report, ReportReason, ReportStatus

SIGNED_IN = 200
SIGNED_IN_BLOCKS = (3, 12)
BLOCKING_SHARE = 0.1
REPORTING_SHARE = 0.01
HANDLED_SHARE = 0.8
BLOCK_FIELDS = ["id", "blocker", "blocked", "created_at"]
REPORT_FIELDS = ["id", "reporter", "reported", "reason", "details", "status", "created_at", "handled_at", "handled_by"]
# Suspensions are left out: a suspended report goes with a suspended profile, which the bench
# members must not be.
OUTCOMES = [ReportStatus.WARNED, ReportStatus.DISMISSED, ReportStatus.DISMISSED]


def bulk_load(run: BulkRun) -> BulkLoaded:
    loaded = BulkLoaded(key="matching-safety")
    if Block.objects.exists() or Report.objects.exists():
        loaded.skipped = True
        return loaded
    rng = run.rng("matching-safety")
    users = list(MatchProfile.objects.order_by("user_id").values_list("user_id", flat=True))
    if len(users) < 2:
        return loaded
    pairs: set[tuple[int, int]] = set()
    for index, blocker in enumerate(users):
        if index < SIGNED_IN:
            wanted = rng.randint(*SIGNED_IN_BLOCKS)
        elif rng.random() < BLOCKING_SHARE:
            wanted = 1
        else:
            continue
        others = [u for u in rng.sample(users, min(wanted + 1, len(users))) if u != blocker]
        pairs.update((blocker, blocked) for blocked in others[:wanted])
    pairs_sorted = sorted(pairs)
    with bulk_writing(Block, Report):
        first = ids_reserve(Block, len(pairs_sorted))
        blocks = [(first + i, blocker, blocked, run.now - timedelta(days=rng.randint(1, 300),
                                                                      minutes=rng.randint(0, 1440)))
                  for i, (blocker, blocked) in enumerate(pairs_sorted)]
        loaded.add(Block, rows_copy(Block, BLOCK_FIELDS, blocks))
        loaded.add(Block.pgh_event_model, audit_copy(Block, BLOCK_FIELDS, (
            AuditEntry("created", row[3], {"user": row[1], "url": "/meet/block/"}, row) for row in blocks), rng=rng))

        reporters = [u for u in users if rng.random() < REPORTING_SHARE]
        first_report = ids_reserve(Report, len(reporters))
        reports, events = [], []
        for i, reporter in enumerate(reporters):
            reported = rng.choice([u for u in rng.sample(users, min(3, len(users))) if u != reporter])
            at = run.now - timedelta(days=rng.randint(1, 300), minutes=rng.randint(0, 1440))
            created = (first_report + i, reporter, reported, rng.choice(ReportReason.values), "", ReportStatus.OPEN,
                       at, None, None)
            events.append(AuditEntry("created", at, {"user": reporter, "url": "/meet/report/"}, created))
            row = created
            if rng.random() < HANDLED_SHARE:
                # Decided by a moderator who is not among the bulk accounts: the trail names none.
                outcome = rng.choice(OUTCOMES)
                handled = at + timedelta(hours=rng.randint(2, 72))
                row = (*created[:5], outcome, at, handled, None)
                events.append(AuditEntry(outcome, handled, {"reason": "bulk"}, row))
            reports.append(row)
        loaded.add(Report, rows_copy(Report, REPORT_FIELDS, reports))
        loaded.add(Report.pgh_event_model, audit_copy(Report, REPORT_FIELDS, events, rng=rng))
    return loaded
