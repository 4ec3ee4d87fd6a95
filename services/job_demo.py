"""Idempotent demo jobs (新城招聘): six published, one awaiting review, a few applications.

The jobs belong to the first verified demo organisation (members' organisation demo, loaded first);
its representative and the 企业服务 moderator are that demo's logins.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from members import organisation_demo
from members.models import Organisation, OrganisationStatus, User
from xiangcheng.core.demo import DemoLoaded

from . import applications, jobs
from .models import Education, Job

# (title, city, location, salary range or None, education, headcount, days open, description)
JOBS = [
    ("新材料研发工程师", "suzhou", "相城区高铁新城", (15000, 25000), Education.MASTER, 2, 45,
     "负责功能薄膜材料的配方设计与中试验证，参与专利撰写。材料、化学相关专业，有研发经验者优先。"),
    ("算法工程师（智能网联）", "suzhou", "相城区元和街道", (20000, 35000), Education.MASTER, 1, 30,
     "参与车路协同感知算法研发，熟悉深度学习框架。欢迎女性工程师加入。"),
    ("知识产权专员", "suzhou", "相城区高铁新城", (8000, 12000), Education.BACHELOR, 1, 20,
     "负责专利检索、申请流程管理与成果转化材料整理。"),
    ("数字金融产品经理", "shanghai", "浦东新区", None, Education.BACHELOR, 1, 60,
     "面向科技型中小企业的数字金融产品设计，薪资面议。"),
    ("生物医药实验员", "suzhou", "相城区漕湖街道", (7000, 10000), Education.COLLEGE, 3, 25,
     "协助完成细胞实验与数据记录，提供系统培训，可兼顾家庭的弹性排班。"),
    ("集成电路版图设计工程师", "wuxi", "新吴区", (18000, 30000), Education.BACHELOR, 2, 40,
     "负责模拟电路版图设计与验证，熟悉主流 EDA 工具。"),
]
PENDING_JOB = ("区块链开发实习生", "suzhou", "相城区高铁新城", (4000, 6000), Education.BACHELOR, 2, 30,
               "参与区块链存证平台开发，每周至少到岗三天。")
APPLICANTS = [("linxiaowen", 0, "我在功能薄膜方向有十年研发经验，希望参与贵司新材料项目。"),
              ("zhouyiran", 1, "创业中积累了车联网产品经验，也希望回到一线做算法。")]


def _values(spec, today) -> dict:
    title, city, location, salary, education, headcount, days, description = spec
    return {"title": title, "city": city, "location": location, "salary_min": salary[0] if salary else None,
            "salary_max": salary[1] if salary else None, "education": education, "headcount": headcount,
            "description": description, "closes_on": today + timedelta(days=days)}


@transaction.atomic
def demo_load() -> DemoLoaded:
    # The organisations' demo (loaded before this one) gives the moderator and the organisations.
    moderator = User.objects.get(username=organisation_demo.STAFF["username"])
    organisation = Organisation.objects.filter(status=OrganisationStatus.VERIFIED).order_by("pk").first()
    representative = organisation.representatives.select_related("user").order_by("pk").first().user
    logins = []
    if Job.objects.exists():
        return DemoLoaded(logins=logins)
    today = timezone.localdate()
    posted = [jobs.job_create(organisation=organisation, author=representative, data=_values(spec, today))
              for spec in JOBS]
    for job in posted:
        jobs.job_submit(job=job, author=representative)
    jobs.jobs_publish(job_ids=[job.pk for job in posted], reviewer=moderator)
    pending = jobs.job_create(organisation=organisation, author=representative, data=_values(PENDING_JOB, today))
    jobs.job_submit(job=pending, author=representative)
    for username, index, message in APPLICANTS:
        member = User.objects.filter(username=username, profile__isnull=False).first()
        if member is not None:
            job = Job.objects.get(pk=posted[index].pk)
            applications.application_submit(job=job, member=member, message=message)
    return DemoLoaded(logins=logins, summary=f"{len(posted)} published jobs, 1 awaiting review")
