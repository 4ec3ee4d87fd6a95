"""The private storage: files that must never be public (inbox attachments, member photos).

They live in ``STORAGES["private"]`` (``PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT``), which no
web server serves; a view of the owning app checks who asks and streams the file, answering
404 to anyone else. Every app's private files use this one storage:

    file = models.FileField(storage=private_storage)

A field whose files are served by a view that takes the stored name gives that view's URL
name, so ``field.url`` (templates, admin) points at the view:

    def photo_storage():
        return served_privately("members:photo")

The storage is looked up when first used and again after ``STORAGES`` changes (tests point it
at a temporary folder): a FileField evaluates its storage callable once, when the model class
is created, and returning the storage itself would pin the location configured at import.

Where it lives is the settings' choice, by environment variables only: the folder by default,
or with ``DJANGO_MEDIA_STORAGE=s3`` a private bucket on object storage
(``xiangcheng.core.object_storage.PrivateObjectStorage``, which makes no URL, signed or not).
Either way the apps see the same storage and the same view URLs.
"""

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils.functional import LazyObject, empty


class PrivateStorage(LazyObject):
    """``storages["private"]``; ``url()`` names the view that serves a file, if one does."""

    def __init__(self, url_name: str | None = None):
        super().__init__()
        # Set past LazyObject.__setattr__, which would forward it to the wrapped storage.
        self.__dict__["url_name"] = url_name

    def _setup(self):
        self._wrapped = storages["private"]

    def url(self, name: str) -> str:
        if self.url_name is None:
            raise ValueError("Private files have no public URL; a view serves them.")
        return reverse(self.url_name, args=[name])


_private = PrivateStorage()
_served: dict[str, PrivateStorage] = {}


def private_storage() -> PrivateStorage:
    """The storage callable for a FileField of private files."""
    return _private


def served_privately(url_name: str) -> PrivateStorage:
    """The private storage, with ``url()`` pointing at the view ``url_name`` (given the name)."""
    return _served.setdefault(url_name, PrivateStorage(url_name))


@receiver(setting_changed)
def _private_storage_changed(*, setting: str, **kwargs) -> None:
    if setting == "STORAGES":
        for storage in (_private, *_served.values()):
            storage._wrapped = empty
