"""Documents and media on S3-compatible object storage (AWS S3, MinIO, Ceph RGW, ...), via django-storages.

Chosen with ``MERIDIAN_STORAGE=s3``; the options come from the ``S3_*`` settings (``meridian/settings.py``).
Objects are written without an ACL, so they are exactly as private as the bucket (which must not be public):
the app reads them with its credentials and streams them to readers it has checked. Any URL these stores make
(``.url()``, e.g. a link in the admin) is signed and expires after ``S3_SIGNED_URL_SECONDS``; none is public.
"""

from __future__ import annotations

from typing import Any

from storages.backends.s3 import S3Storage

from meridian.core.storage import MEDIA_STORAGE_ALIAS, PRIVATE_STORAGE_ALIAS, GuardedStorageMixin

# Never overridable from settings: a name already taken gets a new one (as on the file system), nothing is
# made public by an ACL, and every URL is signed.
_FIXED = {"file_overwrite": False, "default_acl": None, "querystring_auth": True, "custom_domain": None}


class _ObjectStorage(GuardedStorageMixin, S3Storage):
    def __init__(self, **options: Any) -> None:
        # Signature version 4 (what AWS, MinIO and Ceph all accept) also for signed URLs, not boto3's v2.
        super().__init__(**{"signature_version": "s3v4", **options, **_FIXED})


class PrivateS3Storage(_ObjectStorage):
    """Private documents in ``S3_PRIVATE_BUCKET`` under ``S3_PRIVATE_PREFIX`` (default ``private/``)."""

    storage_alias = PRIVATE_STORAGE_ALIAS


class MediaS3Storage(_ObjectStorage):
    """Media (Django's default store) in ``S3_BUCKET`` under ``S3_MEDIA_PREFIX`` (default ``media/``)."""

    storage_alias = MEDIA_STORAGE_ALIAS
