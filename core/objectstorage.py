"""The private storage on S3-compatible object storage (STORAGES["private"] when
REGISTRY_S3_BUCKET is set; core.storage). Its own module, so that a server on the file system
never imports boto3."""

from storages.backends.s3 import S3Storage

from core.storage import NO_URL


class PrivateObjectStorage(S3Storage):
    def url(self, name, *args, **kwargs):
        raise ValueError(NO_URL)
