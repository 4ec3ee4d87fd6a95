"""Bulk stories for `make bench`: 5,000 at scale 1.0 over five years, nine in ten published, with
the audit trail as it would have been written (created, then published). Bodies are a few
paragraphs of sanitized HTML, as the admin form would have stored them."""

from datetime import timedelta

from .bulk import (
    AuditEntry,
    BulkLoaded,
    BulkRun,
    audit_copy,
    bulk_writing,
    ids_reserve,
    rows_copy,
    tables_settled,
)
from .models import Programme
from .story_models import Story, StoryStatus

STORIES = 5_000
YEARS = 5
TOPICS = [
    ("create", "数字化发展培训", ["数字化", "培训"]),
    ("create", "互联网营销师大赛", ["大赛", "数字化"]),
    ("create", "青年女科学家推荐", ["人才计划", "青年女科学家"]),
    ("link", "科企会客厅", ["科企会客厅", "成果转化"]),
    ("link", "智能车联网", ["车联网", "创业"]),
    ("gather", "产业资源对接沙龙", ["科创沙龙"]),
    ("support", "LADIES 聚力空间", ["聚力空间", "儿童托管"]),
    ("alliance", "女性精英联合会", ["会员故事"]),
]
PARAGRAPHS = [
    "她在实验室和车间之间往返了五年，把一项研究变成了企业的一条产线。",
    "联盟的活动让她认识了同行，也让她的团队找到了第一位客户。",
    "“遇到难处，就去‘巾帼管家’留言。”她这样建议刚入会的姐妹。",
    "下一期活动将在高铁新城举办，欢迎会员报名参加。",
]
FIELDS = ["id", "programme", "title", "summary", "body", "cover", "cover_thumb", "tags", "status", "published_at",
          "author", "created_at", "updated_at"]


def _rows(run: BulkRun, first_id: int, count: int) -> list[tuple]:
    rng = run.rng("stories")
    programmes = dict(Programme.objects.values_list("slug", "pk"))
    rows = []
    for i in range(count):
        slug, topic, tags = TOPICS[i % len(TOPICS)]
        created = run.now - timedelta(days=rng.uniform(0, YEARS * 365))
        published = rng.random() < 0.9
        body = "".join(f"<p>{p}</p>" for p in rng.sample(PARAGRAPHS, 3))
        rows.append((first_id + i, programmes[slug], f"{topic}：第{i + 1}个故事", f"{topic}里的一位会员讲述她的科创经历。",
                     body, "", "", tags, StoryStatus.PUBLISHED if published else StoryStatus.DRAFT,
                     created + timedelta(hours=rng.uniform(1, 72)) if published else None, None, created, created))
    return rows


def _audit(rows: list[tuple]):
    for row in rows:
        draft = (*row[:8], StoryStatus.DRAFT, None, *row[10:])
        yield AuditEntry("created", row[11], {"url": "/admin/core/story/add/"}, draft)
        if row[8] == StoryStatus.PUBLISHED:
            yield AuditEntry(StoryStatus.PUBLISHED.value, row[9], {"url": "/admin/core/story/"}, row)


def bulk_load(run: BulkRun) -> BulkLoaded:
    loaded = BulkLoaded(key="stories")
    if Story.objects.exists():
        loaded.skipped = True
        return loaded
    with bulk_writing(Story):
        count = run.count(STORIES)
        rows = _rows(run, ids_reserve(Story, count), count)
        loaded.add(Story, rows_copy(Story, FIELDS, rows))
        loaded.add(Story.pgh_event_model, audit_copy(Story, FIELDS, _audit(rows), rng=run.rng("stories.audit")))
    tables_settled(Story)
    return loaded
