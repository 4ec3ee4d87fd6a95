"""Idempotent demo service requests (相链她科企): six published, one awaiting review, one closed, with
responses — one of them accepted, so both sides' pages show shared contacts.

The requests belong to the first two verified organisations of the members' organisation demo.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from members import organisation_demo
from members.models import Field, Organisation, Representative, User
from xiangcheng.core.demo import DemoLoaded

from . import requests, responses
from .models import Budget, RequestCategory, ServiceRequest

REQUESTS = [
    # (organisation index, category, title, field, budget, days open, description)
    (0, RequestCategory.TECHNOLOGY, "先进新材料研发合作", Field.ADVANCED_MATERIALS, Budget.FROM_50, 40,
     "公司计划开发一种用于柔性屏的功能薄膜，寻找在新材料表征和中试方面有经验的专家合作。"),
    (0, RequestCategory.TRANSFER, "高校专利成果转化对接", Field.ADVANCED_MATERIALS, Budget.NEGOTIABLE, 60,
     "希望与高校、科研院所对接薄膜材料相关专利，推动成果在相城落地转化。"),
    (0, RequestCategory.TALENT, "招募材料检测实验室负责人", Field.ADVANCED_MATERIALS, Budget.NONE, 30,
     "负责检测实验室的日常运行与方法开发，欢迎有CNAS实验室管理经验的女性科技工作者推荐或自荐。"),
    (1, RequestCategory.TECHNOLOGY, "车路协同算法联合攻关", Field.CONNECTED_VEHICLES, Budget.FROM_100, 45,
     "围绕高铁新城示范路段的车路协同场景，寻找感知融合与决策算法方向的合作团队。"),
    (1, RequestCategory.FINANCING, "A轮融资对接", Field.CONNECTED_VEHICLES, Budget.OVER_500, 50,
     "公司已完成天使轮，计划启动A轮融资，希望对接关注智能网联汽车的投资机构。"),
    (1, RequestCategory.TRAINING, "数据合规培训需求", Field.DIGITAL_FINANCE, Budget.UNDER_10, 25,
     "希望为研发团队安排一次数据安全与个人信息保护合规培训，半天即可。"),
]
PENDING = (1, RequestCategory.PREMISES, "寻找路演与测试场地", Field.CONNECTED_VEHICLES, Budget.FROM_10, 35,
           "需要一处可开展小型路演和封闭测试的场地，时间约两周。")
CLOSED = (0, RequestCategory.OTHER, "行业沙龙联合主办", Field.ADVANCED_MATERIALS, Budget.NONE, 20,
          "与联盟共同举办一次新材料主题沙龙，已找到合作方。")


def _post(organisation: Organisation, author, entry, *, submit: bool = True) -> ServiceRequest:
    _org, category, title, field, budget, days, description = entry
    return requests.request_create(organisation=organisation, author=author, submit=submit, data={
        "category": category, "title": title, "description": description, "field": field, "budget": budget,
        "deadline": timezone.localdate() + timedelta(days=days)})


@transaction.atomic
def demo_load() -> DemoLoaded:
    # The organisations' demo (loaded before this one) gives the moderator, the two organisations
    # and their representatives; their logins are listed there.
    moderator = User.objects.get(username=organisation_demo.STAFF["username"])
    organisations = [Organisation.objects.get(credit_code=entry[4]["credit_code"])
                     for entry in organisation_demo.ORGANISATIONS[:2]]
    representatives = [Representative.objects.filter(organisation=o).order_by("pk").first().user for o in organisations]
    logins = []
    if ServiceRequest.objects.exists():
        return DemoLoaded(logins=logins)
    published = [_post(organisations[e[0]], representatives[e[0]], e) for e in REQUESTS]
    requests.requests_publish(request_ids=[r.pk for r in published], reviewer=moderator)
    _post(organisations[PENDING[0]], representatives[PENDING[0]], PENDING)
    closed = _post(organisations[CLOSED[0]], representatives[CLOSED[0]], CLOSED)
    requests.requests_publish(request_ids=[closed.pk], reviewer=moderator)
    requests.request_close(service_request=closed, actor=representatives[CLOSED[0]])
    members = {user.username: user for user in User.objects.filter(username__in=["linxiaowen", "zhouyiran"])}
    if "linxiaowen" in members:
        answer = responses.response_create(
            service_request=published[0], member=members["linxiaowen"], share_email=True,
            message="我在功能薄膜表征方面有十年经验，可以先线上交流一次。")
        responses.response_accept(response=answer, representative=representatives[0], share_email=True)
        responses.response_create(service_request=published[1], member=members["linxiaowen"],
                                  message="我们研究院有两项相关专利，欢迎进一步了解。")
    if "zhouyiran" in members:
        responses.response_create(service_request=published[3], member=members["zhouyiran"], share_email=True,
                                  message="我们团队做过类似的感知融合项目，期待合作。")
    return DemoLoaded(logins=logins)
