"""The pages `make bench` measures, each against the floor.

A new page joins the table with one line in ``PAGES``: its name, its URL and who opens it. A URL
may name a pool of values from the bulk data in braces (``{event}``); each request takes the next
value, so the load spreads over many rows as real traffic does. ``who`` is ``VISITOR`` (no
session), ``MEMBER`` (approved members from the bulk data who have registrations, tickets and
messages, one per concurrent client) or the name of a staff role (``xiangcheng.core.roles``):
a bulk member of staff in that role, signed in with two-factor authentication. ``REPRESENTATIVE``
is a bulk representative of a verified organisation, one per concurrent client; ``{my_organisation}``
in her URLs is her own organisation and ``{my_job}`` its job with the most applications.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from xiangcheng.core import roles

VISITOR = "visitor"
MEMBER = "member"
REPRESENTATIVE = "representative"
FLOOR = "floor"


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    who: str = MEMBER
    reference: bool = False  # measured for comparison, held to no target


PAGES = [
    Page(FLOOR, "/bench/floor/", VISITOR),
    # The same page for a signed-in member: what her session and account cost before any page's
    # own work, a reference for the member pages below it.
    Page("floor (signed in)", "/bench/floor/", reference=True),
    Page("home (visitor)", "/", VISITOR),
    Page("home", "/"),
    Page("programme page", "/programmes/{programme}/"),
    Page("event list", "/events/"),
    Page("event detail", "/events/{event}/"),
    Page("directory search", "/members/directory/?q={surname}"),
    Page("我的活动", "/events/mine/"),
    Page("我的反馈", "/inbox/"),
    Page("我的消息", "/messages/"),
    Page("staff: inbox queue", "/admin/services/ticket/?status__exact=new", roles.INBOX_AGENT.name),
    Page("staff: members awaiting review", "/admin/members/memberprofile/?status__exact=pending",
         roles.REVIEWER.name),
    Page("staff: registrations", "/admin/events/registration/", roles.EVENT_MANAGER.name),
    Page("staff: tickets", "/admin/services/ticket/", roles.INBOX_AGENT.name),
    # Service requests (相链她科企)
    Page("service requests", "/requests/"),
    Page("service request search", "/requests/?q={request_topic}"),
    Page("service request detail", "/requests/{service_request}/"),
    # Organisations: the 企业服务 review queue; her organisation's workbench, requests, jobs and a job's
    # applications.
    Page("staff: organisations awaiting verification", "/admin/members/organisation/?status__exact=pending",
         roles.ENTERPRISE_SERVICE.name),
    Page("organisation workbench", "/members/organisations/{my_organisation}/", REPRESENTATIVE),
    Page("organisation requests", "/requests/organisation/{my_organisation}/", REPRESENTATIVE),
    Page("organisation jobs", "/jobs/organisation/{my_organisation}/", REPRESENTATIVE),
    Page("job applications", "/jobs/organisation/{my_organisation}/{my_job}/applications/", REPRESENTATIVE),
    # Jobs (新城招聘)
    Page("jobs list (visitor)", "/jobs/", VISITOR),
    Page("job detail", "/jobs/{job}/"),
    Page("我的求职", "/jobs/mine/"),
    # Federation offerings
    Page("offering list", "/offerings/"),
    Page("offering detail", "/offerings/{offering}/"),
    Page("我的预约", "/offerings/bookings/"),
    # 遇见: the landing page and her match profile (bulk members are opted in by matching/bulk.py)
    Page("遇见 landing", "/meet/"),
    Page("遇见 profile", "/meet/profile/"),
    Page("遇见 suggestions", "/meet/suggestions/"),  # matching/bulk.py stores suggestions for the first 200
    Page("我的相遇", "/meet/introductions/?tab=connected"),  # matching/introduction_bulk.py: the first 200 have each tab
    Page("遇见 blocked list", "/meet/blocked/"),  # matching/safety_bulk.py: the first 200 have blocked a few
]

# 遇见 交友 alone: the 遇见审核 queue of real names waiting for their check (matching/alone_bulk.py).
PAGES += [
    Page("staff: 遇见 real names awaiting check", "/admin/matching/namecheck/", roles.MATCH_MODERATOR.name),
]

# Calls (相创她数智): the list, a call's page, the apply page and 我的申报 (services/call_bulk.py).
PAGES += [
    Page("call list (visitor)", "/calls/", VISITOR),
    Page("call detail", "/calls/{call}/"),
    Page("call apply", "/calls/{call}/apply/"),
    Page("我的申报", "/calls/mine/"),
]

# Calls, the review side: the follow page and 申报评审's list of submitted applications
# (services/call_review_bulk.py gives the reviewer; the calls' bulk data the applications).
PAGES += [
    Page("calls: following", "/calls/following/"),
    Page("staff: applications to calls", "/admin/services/callapplication/?status__exact=submitted",
         roles.CALL_REVIEWER.name),
]

# Stories (科创故事): the list, a story and the Atom feed (xiangcheng/core/story_bulk.py).
PAGES += [
    Page("story list (visitor)", "/stories/", VISITOR),
    Page("story list by tag", "/stories/?tag={story_tag}", VISITOR),
    Page("story detail", "/stories/{story}/"),
    Page("story feed", "/stories/feed/", VISITOR),
]

# 我的授权: every consent she gave (the bulk members' privacy, directory, 遇见 consents, responses
# that share contacts and registrations with children).
PAGES += [
    Page("我的授权", "/members/consents/"),
]

# The staff dashboard (xiangcheng/core/dashboard_views.py): every area's figures for the last month, as 管理员.
_today = date.today()
PAGES += [
    Page("staff: dashboard (one month)",
         f"/admin/dashboard/?first={_today - timedelta(days=30):%Y-%m-%d}&last={_today:%Y-%m-%d}",
         roles.ADMINISTRATOR.name),
    # Each request a period not counted yet ({period_first}: 1,000 first days, taken in turn): the
    # page asks the worker for its count, or finds it asked, and says so (the count itself is
    # `--dashboard`'s run).
    Page("staff: dashboard (a period not counted yet)", "/admin/dashboard/?first={period_first}&last="
         f"{_today:%Y-%m-%d}", roles.ADMINISTRATOR.name),
]

# The audit trail and the outbox as 管理员 opens them: the newest events of every event table (3
# million), the newest notices (a million).
PAGES += [
    Page("staff: audit trail", "/admin/core/auditevent/", roles.ADMINISTRATOR.name),
    Page("staff: outbox", "/admin/core/notice/", roles.ADMINISTRATOR.name),
]

# 我的数据: what her export holds and the state of her latest one.
PAGES += [
    Page("我的数据", "/members/data/"),
]

# 注销账号: the deletion page (read only: the bench never deletes an account).
PAGES += [
    Page("注销账号", "/members/delete/"),
]
