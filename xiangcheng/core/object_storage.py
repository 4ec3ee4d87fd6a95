"""The private storage on S3-compatible object storage (``DJANGO_MEDIA_STORAGE=s3``).

The settings make it ``STORAGES["private"]`` (``xiangcheng/settings/base.py``,
``object_storages``); the apps keep reaching it through ``xiangcheng.core.storage``, whose
views check who asks and stream the file. It never makes a URL, signed or not: a signed link
would let anyone holding it read a member's photo or attachment until it expires, past every
rule the views apply. Only this module imports boto3, and only when object storage is on.
"""

from storages.backends.s3 import S3Storage


class PrivateObjectStorage(S3Storage):
    """Private files in their own bucket (or prefix); a view of the owning app serves them."""

    querystring_auth = False

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Private files have no public URL; a view serves them.")
