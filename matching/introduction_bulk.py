"""Bulk 相遇 requests for `make bench`: 20,000 at scale 1.0 among the bulk 遇见 participants, each
pair once and inside one circle (交友 with 交友). The members `make bench` signs in (the oldest
accounts) each get requests sent, received and connected, so 我的相遇 reads full pages; the rest
are spread at random. Each row has its "created" audit event, and its answer's or end's event
at the time it happened, as the domain would have recorded them."""

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

from .models import (
    INTRODUCTION_EXPIRY_DAYS,
    Introduction,
    IntroductionStatus,
    MatchProfile,
    MatchStatus,
    Purpose,
)

S = IntroductionStatus
INTRODUCTIONS = 20_000
# The bench members (the oldest participants) and how many of each tab each of them has.
SIGNED_IN = 200
EACH_SENT, EACH_RECEIVED, EACH_CONNECTED = 8, 8, 8
FIELDS = ["id", "sender", "recipient", "message", "status", "sender_shares_email", "sender_shares_phone",
          "recipient_shares_email", "recipient_shares_phone", "created_at", "answered_at"]
MESSAGES = ["您好，看到我们都关注这个方向，想认识一下。", "想请教您在成果转化方面的经验，方便交流吗？",
            "我们在同一个城市，周末可以一起参加沙龙。", "对您的研究很感兴趣，希望有机会聊聊。"]
LATER_STATUSES = [(S.PENDING, 40), (S.ACCEPTED, 30), (S.DECLINED, 15), (S.EXPIRED, 10), (S.WITHDRAWN, 5)]


def bulk_load(run: BulkRun) -> BulkLoaded:
    loaded = BulkLoaded(key="matching-introductions")
    if Introduction.objects.exists():
        loaded.skipped = True
        return loaded
    rng = run.rng("matching-introductions")
    profiles = list(MatchProfile.objects.filter(status=MatchStatus.ACTIVE).order_by("user_id")
                    .values_list("user_id", "purposes"))
    circles: dict[bool, list[int]] = {True: [], False: []}
    for user_id, purposes in profiles:
        circles[Purpose.FRIENDSHIP in purposes].append(user_id)
    circle_of = {user_id: Purpose.FRIENDSHIP in purposes for user_id, purposes in profiles}
    wanted = run.count(INTRODUCTIONS)
    if len(profiles) < 2 or not wanted:
        return loaded
    pairs: set[frozenset] = set()
    chosen: list[tuple[int, int, str]] = []  # (sender, recipient, status)

    def add(sender: int, recipient: int, status: str) -> None:
        pair = frozenset((sender, recipient))
        if sender != recipient and pair not in pairs and circle_of[sender] == circle_of[recipient]:
            pairs.add(pair)
            chosen.append((sender, recipient, status))

    for user_id, _purposes in profiles[:SIGNED_IN]:
        others = circles[circle_of[user_id]]
        for count, sent, status in ((EACH_SENT, True, S.PENDING), (EACH_RECEIVED, False, S.PENDING),
                                    (EACH_CONNECTED, rng.random() < 0.5, S.ACCEPTED)):
            for other in rng.sample(others, min(count, len(others))):
                if sent:
                    add(user_id, other, status)
                else:
                    add(other, user_id, status)
    statuses, weights = zip(*LATER_STATUSES, strict=True)
    attempts = 0
    while len(chosen) < wanted and attempts < wanted * 5:
        attempts += 1
        sender = rng.choice(profiles)[0]
        add(sender, rng.choice(circles[circle_of[sender]]), rng.choices(statuses, weights)[0])
    chosen = chosen[:wanted]
    with bulk_writing(Introduction):
        first = ids_reserve(Introduction, len(chosen))
        rows, audit = [], []
        for offset, (sender, recipient, status) in enumerate(chosen):
            fresh = status == S.PENDING  # still waiting: sent within the expiry
            age = timedelta(days=rng.randint(0, INTRODUCTION_EXPIRY_DAYS - 2) if fresh else rng.randint(15, 120),
                            minutes=rng.randint(0, 1440))
            created = run.now - age
            answered = created + timedelta(hours=rng.randint(1, 72)) if status in (S.ACCEPTED, S.DECLINED) else None
            connected = status == S.ACCEPTED
            row = (first + offset, sender, recipient, rng.choice(MESSAGES), status, rng.random() < 0.7,
                   rng.random() < 0.3, connected and rng.random() < 0.7, connected and rng.random() < 0.3,
                   created, answered)
            rows.append(row)
            sent = (*row[:4], S.PENDING, *row[5:7], False, False, created, None)
            audit.append(AuditEntry("created", created, {"user": sender, "url": "/meet/suggestions/"}, sent))
            if status != S.PENDING:
                at = answered or (created + timedelta(days=INTRODUCTION_EXPIRY_DAYS) if status == S.EXPIRED
                                  else created + timedelta(hours=rng.randint(1, 48)))
                who = {"user": recipient} if answered else ({"user": sender} if status == S.WITHDRAWN else None)
                audit.append(AuditEntry(status, at, who, row))
        loaded.add(Introduction, rows_copy(Introduction, FIELDS, rows))
        loaded.add(Introduction.pgh_event_model, audit_copy(Introduction, FIELDS, audit, rng=rng))
    return loaded
