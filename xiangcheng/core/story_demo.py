"""Demo stories for `make run`: the alliance's world (the district plan, its programmes and venues),
told with invented people. Idempotent: a story whose title is there is left as it is.

The members app features a consenting demo member in the first one (members/story_feature_demo.py).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .demo import DemoLoaded
from .models import Programme
from .stories import story_publish, story_save
from .story_models import Story

# (title, programme slug, summary, body, tags, days ago published; None: a draft)
STORIES = [
    ("把实验室的成果带进车间：一位材料工程师的五年", "create",
     "一位材料工程师在联盟的科创沙龙上讲述她把研究成果带进相城企业的五年。",
     "<p>“做研究的人，最怕成果躺在抽屉里。”在联盟成立后的第一场科创沙龙上，这位高级工程师这样开场。</p>"
     "<h2>从一篇论文到一条产线</h2><p>她的团队研究功能薄膜材料，五年前在高铁新城找到了第一家愿意试用的企业。"
     "从小试到中试，她几乎每周都往返于实验室和车间之间。</p>"
     "<blockquote>“企业的问题，就是我们下一篇论文的题目。”</blockquote>"
     "<h3>她给新会员的三条建议</h3><ul><li>早一点去车间</li><li>把专利写成企业看得懂的话</li>"
     "<li>遇到难处，就去“巾帼管家”留言</li></ul>",
     ["新材料", "成果转化", "科创沙龙"], 3),
    ("数字化发展培训结业：二十位学员交出了自己的作品", "create",
     "相创她数智的数字化发展培训第一期结业，学员们带来了为自家企业做的数据看板和营销方案。",
     "<p>为期六周的数字化发展培训在 LADIES 聚力空间结业。二十位学员来自制造、贸易和服务企业，"
     "每人都带着一个自己企业的真实问题来上课。</p>"
     "<p>结业展示上，有人做了生产数据看板，有人重做了网店的直播脚本。"
     "下一期将增加互联网营销师的实训内容，报名请关注<a href=\"https://www.example.cn/\">联盟网站</a>的活动页面。</p>",
     ["数字化", "培训"], 8),
    ("在科企会客厅，她为车联网找到了第一位客户", "link",
     "一家车联网初创企业的创始人在科企会客厅上和整车配套企业牵手，合作从一次面对面交流开始。",
     "<p>相城区的智能车联网产业正在聚集。一家初创企业的创始人带着团队的 AI 视觉方案来到科企会客厅，"
     "十五分钟的路演后，一家配套企业的负责人留下来多聊了一个小时。</p>"
     "<p>“联盟帮我们省掉了最难的一步：认识对的人。”她说。</p>",
     ["车联网", "科企会客厅"], 15),
    ("儿童公益托管开放：周末的沙龙，妈妈们可以安心来了", "support",
     "相助她空间的儿童公益托管角在周末沙龙期间开放，带孩子的会员可以在报名时一并预约。",
     "<p>很多会员说，周末的活动想来，可孩子没人照看。从这个月起，联盟的沙龙在 LADIES 聚力空间举办时，"
     "隔壁的儿童公益托管角同步开放，由专业老师和志愿者照看。</p>"
     "<p>报名活动时勾选“需要托管”，填写孩子的年龄即可。名额有限，先到先得。</p>",
     ["儿童托管", "聚力空间"], 21),
    ("青年女科学家推荐：我们如何准备申报材料（草稿）", "create",
     "联盟将组织青年女科学家等人才计划的推荐申报，本文整理往年申报中的常见问题。",
     "<p>本文仍在编辑中，发布前请勿外传。</p><ol><li>申报条件怎么看</li><li>推荐材料怎么写</li></ol>",
     ["人才计划", "青年女科学家"], None),
]


@transaction.atomic
def demo_load() -> DemoLoaded:
    programmes = {p.slug: p for p in Programme.objects.all()}
    now = timezone.now()
    for title, slug, summary, body, tags, days_ago in STORIES:
        if Story.objects.filter(title=title).exists():
            continue
        story = story_save(story=Story(title=title, programme=programmes[slug], summary=summary, body=body,
                                       tags=tags))
        if days_ago is not None:
            story = story_publish(story=story)
            Story.objects.filter(pk=story.pk).update(published_at=now - timedelta(days=days_ago))
    return DemoLoaded()
