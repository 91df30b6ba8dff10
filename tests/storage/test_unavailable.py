"""A private-documents folder that cannot be used answers 503 with a clear message, not a bare 500.

The folder is made unusable the way a broken mount looks even to root (tests may run as root, for whom a
read-only mode changes nothing): a plain file stands where the folder should be. Nothing stored is lost:
once the folder is back, the earlier document downloads as before.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from meridian.agreements.models import AgreementDocument
from meridian.agreements.tests.conftest import pdf_bytes
from meridian.core.errors import StorageUnavailableError
from meridian.core.storage_errors import StorageErrorMiddleware
from meridian.core.tabular.tests.helpers import csv_bytes
from meridian.imports.models import ImportBatch
from meridian.imports.tests.helpers import PARTNER_HEADERS_EN, PARTNER_ROWS
from meridian.reference.tests.factories import country
from tests.storage.helpers import MESSAGE, download, upload

ZH_MESSAGE = "文档存储不可用"


@pytest.fixture
def private_root(settings, tmp_path) -> Path:
    """A private-documents folder of this test's own (the stores follow the setting)."""
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_STORAGE_ROOT = root
    return root


def _break(root: Path) -> Path:
    """Move the folder away and leave a file in its place; returns where the folder went."""
    away = root.with_name("private-away")
    root.rename(away)
    root.write_bytes(b"not a folder")
    return away


def _repair(root: Path, away: Path) -> None:
    root.unlink()
    away.rename(root)


def test_upload_and_download_answer_503_and_nothing_is_lost(private_root, client, people, make_agreement):
    agreement = make_agreement()
    client.force_login(people.coordinator)
    assert upload(client, agreement, pdf_bytes(b"kept")).status_code == 302
    kept = AgreementDocument.objects.get(agreement=agreement)

    away = _break(private_root)
    try:
        response = upload(client, agreement, pdf_bytes(b"second"))
        assert response.status_code == 503
        assert response["Retry-After"] == "60"
        assert MESSAGE in response.content.decode()
        assert AgreementDocument.objects.filter(agreement=agreement).count() == 1

        response = download(client, kept)
        assert response.status_code == 503 and MESSAGE in response.content.decode()

        response = client.get("/healthz")
        assert response.status_code == 503
        storage = response.json()["storage"]
        assert storage["status"] == "unavailable" and storage["backend"] == "local"
        assert storage["private"] == {"status": "unavailable", "error": "NotADirectoryError"}
        assert storage["media"] == {"status": "ok"}
    finally:
        _repair(private_root, away)

    response = download(client, kept)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes(b"kept")
    assert client.get("/healthz").status_code == 200


def test_the_message_is_translated(private_root, client, people, make_agreement):
    agreement = make_agreement()
    client.force_login(people.coordinator)
    away = _break(private_root)
    try:
        response = client.post(
            reverse("agreements:document_upload", args=[agreement.pk]),
            {"kind": "signed", "file": SimpleUploadedFile("a.pdf", pdf_bytes())},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert response.status_code == 503
        assert ZH_MESSAGE in response.content.decode()
    finally:
        _repair(private_root, away)


def test_an_import_upload_answers_503(private_root, client, people):
    country("DE", "Germany", "德国")
    country("FR", "France", "法国")
    client.force_login(people.officer)
    away = _break(private_root)
    try:
        response = client.post(
            reverse("imports:start"),
            {
                "kind": "partners",
                "file": SimpleUploadedFile("partners.csv", csv_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS)),
            },
        )
        assert response.status_code == 503
        assert MESSAGE in response.content.decode()
        assert not ImportBatch.objects.exists()
    finally:
        _repair(private_root, away)


def _raise(exc: Exception):
    def view(request):
        raise exc

    return view


@pytest.mark.parametrize(
    ("exc", "taken"),
    [
        (StorageUnavailableError(store="private", reason="test"), True),
        (PermissionError(13, "Permission denied", "/etc/meridian-elsewhere/file"), False),
        (FileNotFoundError(2, "No such file", "/nowhere"), False),
        (ValueError("a bug"), False),
    ],
)
def test_only_storage_failures_are_taken(exc, taken, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    middleware = StorageErrorMiddleware(_raise(exc))
    request = RequestFactory().get("/agreements/1/")
    response = middleware.process_exception(request, exc)
    assert (response is not None) is taken


def test_an_os_error_inside_the_private_folder_is_taken(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    exc = PermissionError(13, "Permission denied", str(tmp_path / "private" / "imports" / "x.upload"))
    response = StorageErrorMiddleware(_raise(exc)).process_exception(RequestFactory().get("/import/"), exc)
    assert response is not None and response.status_code == 503


def test_under_the_api_the_answer_is_the_json_error_shape(db):
    exc = StorageUnavailableError(store="private", reason="test")
    request = RequestFactory().get("/api/v1/agreements/1/")
    response = StorageErrorMiddleware(_raise(exc)).process_exception(request, exc)
    assert response is not None and response.status_code == 503
    error = json.loads(response.content)["error"]
    assert error["code"] == "storage_unavailable" and MESSAGE in error["message"]
    assert error["details"] == {}


def test_a_missing_file_is_still_404(private_root, client, people, make_agreement):
    agreement = make_agreement()
    client.force_login(people.coordinator)
    upload(client, agreement)
    document = AgreementDocument.objects.get(agreement=agreement)
    shutil.rmtree(private_root / "agreements")
    assert download(client, document).status_code == 404
