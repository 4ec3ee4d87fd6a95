"""What the 遇见审核 role may do with 遇见 (the kernel's roles registry)."""

from xiangcheng.core.roles import MATCH_MODERATOR, grant

# 遇见审核 reads match profiles (moderation actions come with reports); nobody else on the staff does.
grant(MATCH_MODERATOR, "matching", ["view_matchprofile"])

# 交友 alone: 遇见审核 verifies or rejects the real names waiting in its queue (matching.name_checks).
grant(MATCH_MODERATOR, "matching", ["view_namecheck", "check_namecheck"])
# Safety: 遇见审核 reads the reports and decides them (warn, suspend, dismiss).
grant(MATCH_MODERATOR, "matching", ["view_report", "moderate_report"])
# Introductions: 遇见审核 reads who asked whom and how it ended (never the message or contacts).
grant(MATCH_MODERATOR, "matching", ["view_introduction"])
