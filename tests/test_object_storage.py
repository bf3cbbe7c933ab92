"""Private files on S3-compatible object storage (django-storages), against moto's S3 server:
photos, printed forms, work plans and import reports go to the bucket, private, and are served
only through the permission-checked views; nothing is written to MEDIA_ROOT."""

import socket

import pytest
from django.urls import reverse

from collection import pdf
from core.storage import backend_name, private_storage, private_storage_settings
from tests.helpers import jpeg_bytes, submit

pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # moto's S3 server
BUCKET = "registry-private"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    import boto3

    for name, value in (
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "private": private_storage_settings(BUCKET, endpoint_url=s3_server, region="us-east-1"),
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_photos_and_forms_live_in_the_bucket_and_are_served_after_the_check(
    bucket, client, practitioner_a, account_a, campaign, clerk_b, settings, tmp_path
):
    assert backend_name() == "PrivateObjectStorage"
    client.force_login(account_a)
    response = client.post(
        reverse("collection:photo_upload"),
        {"photo": _upload(jpeg_bytes((900, 1200)))},
    )
    assert response.status_code == 302
    stored = keys(bucket)
    assert len(stored) == 2 and all(k.startswith("private/photos/") for k in stored)
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=stored[0])["Grants"]
    assert all(g["Grantee"].get("URI") is None for g in grants)  # nobody but the owner

    application = submit(practitioner_a, account_a)
    photo = client.get(reverse("collection:photo", args=[application.photo_id]))
    assert photo.status_code == 200 and b"".join(photo.streaming_content)[:3] == b"\xff\xd8\xff"
    form = client.get(reverse("collection:application_pdf"))
    assert form.status_code == 200 and b"".join(form.streaming_content)[:5] == b"%PDF-"
    assert any(k.startswith("private/application-forms/") for k in keys(bucket))
    assert not (settings.MEDIA_ROOT / "private").exists()

    client.force_login(clerk_b)  # another county: the file exists, the person is not theirs
    assert client.get(reverse("collection:photo", args=[application.photo_id])).status_code == 404


def test_no_url_to_a_private_object_is_ever_made(bucket, practitioner_a, account_a, with_photo):
    with pytest.raises(ValueError, match="no URL"):
        private_storage().url(with_photo.image.name)
    assert pdf.private_storage().exists(with_photo.image.name)


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("me.jpg", data, content_type="image/jpeg")


def test_a_purged_file_leaves_no_version_in_a_versioned_bucket(bucket):
    """The retention policy deletes for good: every version of the object, not only a delete
    marker over them (core.storage.purge)."""
    from django.core.files.base import ContentFile

    from core.storage import purge

    bucket.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    storage = private_storage()
    name = storage.save("import-problems/1/report.csv", ContentFile(b"first"))
    storage.delete(name)
    name = storage.save("import-problems/1/report.csv", ContentFile(b"second"))
    key = f"private/{name}"
    versions = bucket.list_object_versions(Bucket=BUCKET, Prefix=key)
    assert len(versions.get("Versions", [])) == 2
    purge(name)
    left = bucket.list_object_versions(Bucket=BUCKET, Prefix=key)
    assert not left.get("Versions") and not left.get("DeleteMarkers")
