"""What inbox work the staff roles may do (the kernel's roles registry)."""

from xiangcheng.core.roles import ADMINISTRATOR, ENTERPRISE_SERVICE, INBOX_AGENT, INBOX_SUPERVISOR, grant

READ_TICKETS = ["view_ticket", "change_ticket", "view_ticketmessage", "view_attachment"]
grant(INBOX_AGENT, "services", [*READ_TICKETS, "view_cannedreply"])
# Supervisors also get the digest of unassigned tickets and keep the canned replies and deadlines.
grant(INBOX_SUPERVISOR, "services", [
    *READ_TICKETS, "supervise_ticket",
    "view_cannedreply", "add_cannedreply", "change_cannedreply", "delete_cannedreply",
    "view_categorysla", "add_categorysla", "change_categorysla",
])
# Supervisors read (and retry) the inbox notices in the outbox.
grant(INBOX_SUPERVISOR, "core", ["view_notice", "change_notice"])
# The administrator reads tickets, their messages, the canned replies and the deadlines. Not the
# attachments: a member's uploaded files are opened only by the inbox staff answering her.
# ...and the jobs and their applications (not the CVs: only 企业服务 and the organisation open them).
grant(ADMINISTRATOR, "services", ["view_job", "view_application"])
grant(ADMINISTRATOR, "services", ["view_ticket", "view_ticketmessage", "view_cannedreply", "view_categorysla"])

# --- Jobs (新城招聘): 企业服务 moderates jobs and may read the applications and their CVs ----------
grant(ENTERPRISE_SERVICE, "services", ["view_job", "moderate_job", "view_application", "read_cv"])


# --- Federation offerings: 企业服务 publishes them, keeps their time slots and sees who booked.
grant(ENTERPRISE_SERVICE, "services", [
    "view_offering", "add_offering", "change_offering", "delete_offering",
    "view_offeringslot", "add_offeringslot", "change_offeringslot", "delete_offeringslot",
    "view_slotbooking", "view_offeringappointment",
])
grant(ADMINISTRATOR, "services", ["view_offering", "view_offeringslot", "view_slotbooking", "view_offeringappointment"])


# --- Service requests (相链她科企): 企业服务 moderates them and reads the responses (never contacts) ---
from xiangcheng.core.roles import ENTERPRISE_SERVICE  # noqa: E402

grant(ENTERPRISE_SERVICE, "services", ["view_servicerequest", "change_servicerequest", "view_requestresponse"])


# --- Calls (相创她数智): 申报评审 publishes calls and reviews the applications and their files; the
# administrator reads calls and applications (not the attachments: only the reviewers open them).
from xiangcheng.core.roles import CALL_REVIEWER  # noqa: E402

grant(CALL_REVIEWER, "services", [
    "view_call", "add_call", "change_call",
    "view_callapplication", "change_callapplication", "review_callapplication",
    "view_callattachment",
])
grant(ADMINISTRATOR, "services", ["view_call", "view_callapplication"])
