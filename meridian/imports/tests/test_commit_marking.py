"""An import and the upload's "imported" mark are kept together or not at all (a stop in between loses
neither): the mark is written inside the import's own write transaction."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meridian.core.tabular.tests.helpers import csv_bytes
from meridian.imports import services
from meridian.imports.models import ImportBatch
from meridian.imports.services import batch_commit
from meridian.imports.tests.helpers import PARTNER_HEADERS_EN, PARTNER_ROWS
from meridian.reference.tests.factories import country

Partner = apps.get_model("partners", "Partner")

pytestmark = pytest.mark.django_db


class Stopped(Exception):
    """Stands for the process stopping while the upload is being marked."""


@pytest.fixture
def upload(client, people):
    country("DE", "Germany", "德国")
    country("FR", "France", "法国")
    client.force_login(people.officer)

    def make() -> ImportBatch:
        data = csv_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS)
        client.post(reverse("imports:start"), {"kind": "partners", "file": SimpleUploadedFile("p.csv", data)})
        return ImportBatch.objects.get()

    return make


@pytest.fixture
def marking_fails(monkeypatch):
    real = services.batch_record_outcome

    def record(*, batch, report):
        if report.committed:
            raise Stopped
        real(batch=batch, report=report)

    monkeypatch.setattr(services, "batch_record_outcome", record)


def test_a_background_import_whose_marking_fails_imports_nothing(
    upload, client, settings, marking_fails, django_capture_on_commit_callbacks
):
    settings.IMPORT_JOB_THRESHOLD = 1
    with django_capture_on_commit_callbacks(execute=True):
        batch = upload()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.job is not None and batch.job.state == "failed"
    assert Partner.objects.count() == 0
    assert batch.status == "refused" and batch.committed_at is None


def test_a_foreground_import_whose_marking_fails_imports_nothing(upload, people, marking_fails):
    batch = upload()
    with pytest.raises(Stopped):
        batch_commit(batch=batch, actor=people.officer)
    assert Partner.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == "checked" and batch.stored_path.exists()  # it can be imported again


def test_an_import_and_its_mark_are_kept_together(upload, people, django_capture_on_commit_callbacks):
    batch = upload()
    with django_capture_on_commit_callbacks(execute=True):
        report = batch_commit(batch=batch, actor=people.officer)
    assert report is not None and report.committed
    batch.refresh_from_db()
    assert batch.status == "committed" and Partner.objects.count() == 2 and not batch.stored_path.exists()
    assert batch.report["rows"][0]["object_id"] == Partner.objects.get(name=PARTNER_ROWS[0][0]).pk
