"""Import uploads and job results live in the private store: on object storage they go to the bucket, are
read back from it by every step, and files written to the old local folder before stay readable."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from meridian.core.privatefiles import IMPORTS, JOBS, PrivateFile, move_legacy_files, private_files
from meridian.core.tabular.tests.helpers import csv_bytes
from meridian.imports.models import ImportBatch
from meridian.imports.tests.helpers import PARTNER_HEADERS_EN, PARTNER_ROWS
from meridian.jobs.models import JobRun
from meridian.jobs.services import job_start
from meridian.jobs.tests import runners
from meridian.partners.models import Partner
from meridian.reference.tests.factories import country
from tests.storage import test_object_storage as object_storage

BUCKET = object_storage.BUCKET
# The object storage tests' fixtures: a moto S3 server and the stores settings.py builds for it.
s3_server, s3_storages, on_s3 = object_storage.s3_server, object_storage.s3_storages, object_storage.on_s3

pytestmark = pytest.mark.django_db


def _key(stored: PrivateFile) -> str:
    return f"private/{stored.storage_name}"


def _object(s3, stored: PrivateFile) -> bytes:
    return s3.get_object(Bucket=BUCKET, Key=_key(stored))["Body"].read()


def _local(stored: PrivateFile) -> Path:
    return Path(django_settings.PRIVATE_STORAGE_ROOT) / stored.storage_name


@pytest.fixture
def officer(client, people):
    country("DE", "Germany", "德国")
    country("FR", "France", "法国")
    client.force_login(people.officer)
    return client


def test_an_import_upload_is_kept_in_the_bucket_and_imported_from_it(on_s3, s3_server, officer):
    _endpoint, s3 = s3_server
    data = csv_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS)
    response = officer.post(
        reverse("imports:start"), {"kind": "partners", "file": SimpleUploadedFile("partners.csv", data)}
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == "checked"
    stored = batch.stored_path
    assert _object(s3, stored) == data and not _local(stored).exists()
    assert stored.exists() and stored.sha256() == batch.sha256

    done = officer.post(reverse("imports:commit", args=[batch.pk]), follow=True)
    assert b"Imported: 2 created" in done.content and Partner.objects.count() == 2
    assert not stored.exists()
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix=_key(stored)).get("KeyCount", 0) == 0


def test_a_job_result_is_in_the_bucket_and_downloaded_from_it(
    on_s3, s3_server, client, people, django_capture_on_commit_callbacks
):
    _endpoint, s3 = s3_server
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            kind="test.work",
            label="Test work",
            actor=people.officer,
            runner=runners.succeed,
            params={"name": "b"},
        )
    job = JobRun.objects.get(pk=job.pk)
    stored = job.result_path
    assert stored is not None and stored.storage_name == f"jobs/{job.result_file}"
    assert _object(s3, stored) == b"name\nb\n" and not _local(stored).exists()
    client.force_login(people.officer)
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"name\nb\n"


def test_files_left_in_the_old_folder_stay_readable_and_can_be_moved(on_s3, s3_server, settings, tmp_path):
    _endpoint, s3 = s3_server
    settings.PRIVATE_STORAGE_ROOT = tmp_path  # the old folder holds only this test's files
    old_upload, old_result = PrivateFile(IMPORTS, "0123old.upload"), PrivateFile(JOBS, "4567old.result")
    for stored, content in ((old_upload, b"Name\nold\n"), (old_result, b"result\n")):
        _local(stored).parent.mkdir(parents=True, exist_ok=True)
        _local(stored).write_bytes(content)
    # Not in the bucket, yet found, read and listed (the expiry sweep sees it).
    assert old_upload.exists() and old_upload.read_bytes() == b"Name\nold\n"
    assert old_upload in private_files(IMPORTS, ".upload") and old_upload.modified_at() is not None

    out = io.StringIO()
    call_command("move-private-files", stdout=out)
    assert "Moved 2 file(s)" in out.getvalue()
    assert _object(s3, old_upload) == b"Name\nold\n" and _object(s3, old_result) == b"result\n"
    assert not _local(old_upload).exists() and not _local(old_result).exists()
    assert old_result.read_bytes() == b"result\n"
    assert move_legacy_files() == 0  # nothing left to move
    for stored in (old_upload, old_result):
        stored.unlink()
        assert not stored.exists()


def test_the_default_store_is_the_old_folder_itself(tmp_path, settings):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    stored = PrivateFile(IMPORTS, "../../escape.upload")
    assert stored.storage_name == "imports/escape.upload"  # a stored name never leaves its folder
    stored.write_bytes(b"x")
    assert (tmp_path / "imports" / "escape.upload").read_bytes() == b"x"
    assert move_legacy_files() == 0 and stored.exists()
