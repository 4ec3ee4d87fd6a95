"""Storage for files that must never be public (inbox attachments): served only through views."""

from django.core.files.storage import storages


def private_storage():
    return storages["private"]
