"""What membership work the staff roles may do (the kernel's roles registry)."""

from xiangcheng.core.roles import ADMINISTRATOR, REVIEWER, grant

# Reviewers read profiles and decide applications: nothing else.
grant(REVIEWER, "members", ["view_memberprofile", "review_memberprofile"])
# ...and read (and retry) the decision notices in the outbox.
grant(REVIEWER, "core", ["view_notice", "change_notice"])
# The administrator reads accounts, profiles and consents.
grant(ADMINISTRATOR, "members", ["view_user", "view_memberprofile", "view_consent"])
