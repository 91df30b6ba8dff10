"""Documents and media on S3-compatible object storage, against a real S3 server (moto's, started here).

The stores are configured the way ``meridian/settings.py`` builds them from ``MERIDIAN_STORAGE=s3`` and the
``S3_*`` variables; a document goes in through the upload view and out through the permission-checked
download view, and the object itself is not readable without credentials.
"""

from __future__ import annotations

import logging
import runpy
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.config import Config
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from moto.server import ThreadedMotoServer

from meridian.agreements.models import AgreementDocument
from meridian.agreements.tests.conftest import pdf_bytes
from tests.storage.helpers import MESSAGE, download, upload

BUCKET = "meridian-documents"
REGION = "us-east-1"
KEY_ID, SECRET = "meridian-test-key", "meridian-test-secret"


def _settings_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict:
    """``meridian/settings.py`` read afresh with the given environment (and a throw-away data folder)."""
    for name in ("S3_BUCKET", "S3_PRIVATE_BUCKET", "S3_ENDPOINT_URL", "S3_PRIVATE_PREFIX", "S3_MEDIA_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MERIDIAN_DATA_DIR", str(tmp_path / "data"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(django_settings.PACKAGE_DIR) / "settings.py"))


@pytest.fixture(scope="module")
def s3_server():
    """A local S3-compatible server (moto) for this module, with one empty bucket; yields its address."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )
    client.create_bucket(Bucket=BUCKET)
    yield endpoint, client
    server.stop()


@pytest.fixture(scope="module")
def s3_storages(s3_server, tmp_path_factory):
    """``STORAGES`` as meridian/settings.py builds it for this server (read once for the module)."""
    endpoint, _ = s3_server
    with pytest.MonkeyPatch.context() as monkeypatch:
        values = _settings_from_env(
            monkeypatch,
            tmp_path_factory.mktemp("settings"),
            MERIDIAN_STORAGE="s3",
            S3_BUCKET=BUCKET,
            S3_ENDPOINT_URL=endpoint,
            S3_REGION=REGION,
            S3_ACCESS_KEY_ID=KEY_ID,
            S3_SECRET_ACCESS_KEY=SECRET,
            S3_ADDRESSING_STYLE="path",
        )
    return values["STORAGES"]


@pytest.fixture
def on_s3(s3_storages, settings):
    settings.STORAGES = {**s3_storages, "staticfiles": settings.STORAGES["staticfiles"]}
    settings.MERIDIAN_STORAGE = "s3"
    return s3_storages


def test_settings_choose_object_storage_for_documents_and_media(on_s3, s3_server):
    endpoint, _ = s3_server
    private, media = on_s3["private"], on_s3["default"]
    assert private["BACKEND"] == "meridian.core.storage_s3.PrivateS3Storage"
    assert media["BACKEND"] == "meridian.core.storage_s3.MediaS3Storage"
    assert private["OPTIONS"]["bucket_name"] == BUCKET and private["OPTIONS"]["location"] == "private"
    assert media["OPTIONS"]["location"] == "media" and media["OPTIONS"]["endpoint_url"] == endpoint
    assert private["OPTIONS"]["querystring_expire"] == 60


def test_local_folders_stay_the_default_and_s3_needs_a_bucket(monkeypatch, tmp_path):
    monkeypatch.delenv("MERIDIAN_STORAGE", raising=False)
    values = _settings_from_env(monkeypatch, tmp_path)
    assert values["STORAGES"]["private"]["BACKEND"] == "meridian.core.storage.PrivateFileSystemStorage"
    assert values["STORAGES"]["default"]["BACKEND"] == "meridian.core.storage.MediaFileSystemStorage"
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET"):
        _settings_from_env(monkeypatch, tmp_path, MERIDIAN_STORAGE="s3")
    with pytest.raises(ImproperlyConfigured, match="MERIDIAN_STORAGE"):
        _settings_from_env(monkeypatch, tmp_path, MERIDIAN_STORAGE="nfs")


def test_a_document_goes_to_the_bucket_and_only_allowed_readers_get_it(
    on_s3, s3_server, client, people, make_agreement
):
    endpoint, s3 = s3_server
    agreement = make_agreement()
    client.force_login(people.coordinator)
    content = pdf_bytes(b"object storage")
    assert upload(client, agreement, content).status_code == 302
    document = AgreementDocument.objects.get(agreement=agreement)

    key = f"private/{document.file.name}"
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == content
    assert not (Path(django_settings.PRIVATE_STORAGE_ROOT) / document.file.name).exists()

    response = download(client, document)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == content

    for outsider in (people.student, people.outsider):
        client.force_login(outsider)
        assert download(client, document).status_code == 404

    # The object is not public: no grant to everyone, and a request without credentials is refused.
    grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("Type") == "Group"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{endpoint}/{BUCKET}/{key}", timeout=5)  # noqa: S310 - the local test server
    assert refused.value.code == 403
    # Any URL the store makes is signed and short-lived.
    query = parse_qs(urlsplit(document.file.url).query)
    assert "X-Amz-Signature" in query and query["X-Amz-Expires"] == ["60"]


def test_a_name_taken_in_the_bucket_is_never_overwritten(on_s3):
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    store = storages["private"]
    first = store.save("tests/same-name.txt", ContentFile(b"first"))
    second = store.save("tests/same-name.txt", ContentFile(b"second"))
    assert first != second
    with store.open(first) as handle:
        assert handle.read() == b"first"
    store.delete(first)
    store.delete(second)


def test_healthz_reports_object_storage(on_s3, client, db, s3_server):
    _, s3 = s3_server
    before = s3.list_objects_v2(Bucket=BUCKET, Prefix="private/healthz/").get("KeyCount", 0)
    response = client.get("/healthz")
    assert response.status_code == 200
    storage = response.json()["storage"]
    assert storage == {
        "status": "ok",
        "backend": "s3",
        "private": {"status": "ok"},
        "media": {"status": "ok"},
    }
    # The probe objects are deleted again.
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="private/healthz/").get("KeyCount", 0) == before


@pytest.fixture
def s3_down(on_s3, settings):
    """The same stores, pointed at a port where no server answers (and no retries, to stay fast)."""
    fast = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=1, read_timeout=1)
    stores = {}
    for alias in ("default", "private"):
        options = {**on_s3[alias]["OPTIONS"], "endpoint_url": "http://127.0.0.1:9", "client_config": fast}
        stores[alias] = {**on_s3[alias], "OPTIONS": options}
    settings.STORAGES = {**settings.STORAGES, **stores}


def test_object_storage_down_answers_503_and_stores_nothing(s3_down, client, people, make_agreement):
    agreement = make_agreement()
    client.force_login(people.coordinator)
    response = upload(client, agreement)
    assert response.status_code == 503
    assert MESSAGE in response.content.decode()
    assert not AgreementDocument.objects.filter(agreement=agreement).exists()

    health = client.get("/healthz")
    assert health.status_code == 503
    body = health.json()
    assert body["storage"]["status"] == "unavailable" and body["database"]["status"] == "ok"
    assert body["storage"]["private"]["error"] == "EndpointConnectionError"
