"""What the 遇见审核 role may do with 遇见 (the kernel's roles registry)."""

from xiangcheng.core.roles import MATCH_MODERATOR, grant

# 遇见审核 reads match profiles (moderation actions come with reports); nobody else on the staff does.
grant(MATCH_MODERATOR, "matching", ["view_matchprofile"])

# Introductions: 遇见审核 reads who asked whom and how it ended (never the message or contacts).
grant(MATCH_MODERATOR, "matching", ["view_introduction"])
