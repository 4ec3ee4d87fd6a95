"""The kernel's models. Each concern defines its models in its own module; they are imported here
so that Django registers them with the ``core`` app (and creates their permissions)."""

from .audit import AuditEvent  # noqa: F401
