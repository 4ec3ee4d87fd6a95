"""The kernel every app leans on, each concern once: the five programmes and their page
sections, the notification outbox and its channels (email, SMS, 我的消息), the audit trail, the
roles registry and the file gate. It imports none of the apps; the apps plug into it."""
