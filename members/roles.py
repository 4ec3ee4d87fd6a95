"""What membership work the staff roles may do (the kernel's roles registry)."""

from xiangcheng.core.roles import ADMINISTRATOR, ENTERPRISE_SERVICE, REVIEWER, grant

# Reviewers read profiles and decide applications: nothing else.
grant(REVIEWER, "members", ["view_memberprofile", "review_memberprofile"])
# ...and read (and retry) the decision notices in the outbox.
grant(REVIEWER, "core", ["view_notice", "change_notice"])
# The administrator reads accounts, profiles and consents.
grant(ADMINISTRATOR, "members", ["view_user", "view_memberprofile", "view_consent"])

# 企业服务 verifies organisations, confirms their women-led badge, reads their representatives and
# invitations, and reads (and retries) the notices sent about them.
grant(ENTERPRISE_SERVICE, "members", ["view_organisation", "change_organisation", "verify_organisation",
                                      "view_representative", "view_organisationinvitation"])
grant(ENTERPRISE_SERVICE, "core", ["view_notice", "change_notice"])
# The administrator reads the organisations and who represents them.
grant(ADMINISTRATOR, "members", ["view_organisation", "view_representative", "view_organisationinvitation"])

# --- Stories (科创故事): 宣传编辑 asks members to be featured and reads their answers and notices ---
from xiangcheng.core.roles import STORY_EDITOR  # noqa: E402

grant(STORY_EDITOR, "members", ["view_storyfeature", "add_storyfeature", "change_storyfeature",
                                "delete_storyfeature"])
grant(STORY_EDITOR, "core", ["view_notice", "change_notice"])
grant(ADMINISTRATOR, "members", ["view_storyfeature"])
