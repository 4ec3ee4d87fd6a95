"""The five programmes of the district plan 数智相城 科技她创, defined once.

Every app may point at a programme (events, inbox categories, enterprise requests, 遇见, calls);
the programmes themselves depend on no app. The five rows are ensured after every migrate, so a
fresh database, a test database flushed between tests and production all have them; staff may
edit their texts and colours in admin (existing rows are never overwritten here).
"""

PROGRAMMES = [
    ("相聚她平台", "gather", "一个平台，把她们聚在一起",
     "联盟的线上服务平台：发布动态与政策，组织产业资源对接沙龙、女企业家分享会等交流活动，"
     "并开设“巾帼管家”在线信箱，倾听女性科技工作者和创业者的困难与建议。", 1, "#c2185b", "聚"),
    ("相助她空间", "support", "有温度的空间与陪伴",
     "依托 LADIES 聚力空间等阵地，为会员提供一对一服务、儿童公益托管等关爱支持，"
     "让她们安心投入科研与创业；“遇见”栏目帮助会员在自愿前提下结识同行。", 2, "#ef6c00", "助"),
    ("相汇她同盟", "alliance", "汇聚长三角的科技她力量",
     "面向科研人员、工程技术人员、企业家和高校学生的会员体系：入会审核、会员名录、"
     "女性精英联合会，让长三角的女科技工作者彼此看见、相互支持。", 3, "#6a1b9a", "汇"),
    ("相链她科企", "link", "链接女性科技企业与资源",
     "服务女性领办的科技企业：发布服务需求与技术成果转化信息，举办科企会客厅，"
     "对接新城招聘岗位，帮助企业找到人才、资金和合作伙伴。", 4, "#00838f", "链"),
    ("相创她数智", "create", "数字技能，让创造更有力量",
     "围绕数字化发展开展培训与竞赛：数字化发展培训、互联网营销师培训及大赛、科技女性思维营，"
     "并组织青年女科学家等荣誉的推荐申报。", 5, "#2e7d32", "创"),
]
SLUGS = [p[1] for p in PROGRAMMES]


def programmes_ensure(model) -> int:
    """Create whichever of the five is missing (``model``: the real or a migration's Programme).

    Returns how many were created; rows staff edited are left as they are.
    """
    created = 0
    for name, slug, slogan, description, order, colour, icon in PROGRAMMES:
        created += model.objects.get_or_create(
            slug=slug, defaults={"name": name, "slogan": slogan, "description": description,
                                 "order": order, "colour": colour, "icon": icon},
        )[1]
    return created
