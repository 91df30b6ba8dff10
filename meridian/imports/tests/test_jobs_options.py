"""Background checks and imports carry the reading options and the user's choices for conflicts."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from meridian.core.tabular.tests.helpers import csv_bytes
from meridian.imports.models import ImportBatch
from meridian.imports.services import mapping_save
from meridian.imports.tests.kinds import MERGE_KEY
from meridian.jobs.models import JobRun
from meridian.reference.models import Country
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db

Partner = apps.get_model("partners", "Partner")
ODD_HEADERS = ["Spalte A", "Spalte B", "Spalte C"]
ODD_ROWS = [["Universität Wien", "AT", "Wien"], ["Technische Universität Graz", "AT", "Graz"]]
ODD_MAPPING = {"Spalte A": "name", "Spalte B": "country", "Spalte C": "city"}
MERGE_DATA = csv_bytes(
    ["Code", "Alpha-3", "English name", "Chinese name"],
    [["QZ", "QZZ", "Quuxland", "库克斯兰"], ["QW", "QWW", "Wuxland", "乌克斯兰"]],
)


@pytest.fixture
def officer_client(client, people, settings):
    settings.IMPORT_JOB_THRESHOLD = 1  # two-row files count as large
    country("AT", "Austria", "奥地利")
    client.force_login(people.officer)
    return client


def _job(batch: ImportBatch) -> JobRun:
    assert batch.job is not None
    return batch.job


def _upload(client, data: bytes, kind: str):
    return client.post(reverse("imports:start"), {"kind": kind, "file": SimpleUploadedFile("f.csv", data)})


def test_background_check_with_the_mapping_step_then_background_import(
    officer_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(officer_client, csv_bytes(ODD_HEADERS, ODD_ROWS), "partners")
    batch = ImportBatch.objects.get()
    assert batch.background and batch.status == "refused" and batch.report["needs_mapping"]
    assert batch.stored_path.exists()  # kept for the mapping step, also after a background check
    first_job = batch.job

    columns = {f"column_{index}": ODD_MAPPING[header] for index, header in enumerate(ODD_HEADERS)}
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("imports:reread", args=[batch.pk]), columns)
    batch.refresh_from_db()
    assert (
        _job(batch) != first_job and _job(batch).kind == "imports.check" and _job(batch).state == "succeeded"
    )
    assert batch.status == "checked" and batch.report["mapping"] == ODD_MAPPING

    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("imports:commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert _job(batch).kind == "imports.commit" and _job(batch).state == "succeeded"
    assert batch.status == "committed"
    assert sorted(Partner.objects.values_list("name", "city")) == [
        ("Technische Universität Graz", "Graz"),
        ("Universität Wien", "Wien"),
    ]


def test_background_import_applies_the_choices_for_conflicts(
    officer_client, merge_kind, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(officer_client, MERGE_DATA, MERGE_KEY)
    batch = ImportBatch.objects.get()
    assert batch.status == "checked" and batch.report["rows"][0]["conflicts"][0]["field"] == "name_en"
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("imports:commit", args=[batch.pk]), {"decision-2-name_en": "file"})
    batch.refresh_from_db()
    job = _job(batch)
    assert job.params == {"batch_id": batch.pk, "decisions": {"2": {"name_en": "file"}}}
    assert job.state == "succeeded" and batch.status == "committed"
    assert Country.objects.get(pk="QZ").name_en == "Quuxland"
    assert Country.objects.get(pk="QW").name_en == "Wuxland"


def test_command_line_background_import_carries_options(
    tmp_path, people, merge_kind, django_capture_on_commit_callbacks
):
    mapping_save(
        actor=people.officer,
        kind=MERGE_KEY,
        name="Codes",
        mapping={"Kennung": "code", "Kurz": "alpha3", "Englisch": "name_en", "Chinesisch": "name_zh"},
    )
    path = tmp_path / "countries.csv"
    path.write_bytes(
        csv_bytes(["Kennung", "Kurz", "Englisch", "Chinesisch"], [["QZ", "QZZ", "Quuxland", "库克斯兰"]])
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "import",
            MERGE_KEY,
            str(path),
            "--background",
            "--user",
            people.officer.username,
            "--mapping",
            "Codes",
            "--encoding",
            "utf-8-sig",
            "--take-file-values",
        )
    job = JobRun.objects.get()
    assert job.params["mapping"]["Kennung"] == "code" and job.params["take_file_values"] is True
    assert job.params["encoding"] == "utf-8-sig"
    job.refresh_from_db()
    assert job.state == "succeeded" and job.result["committed"]
    stored = Country.objects.get(pk="QZ")
    assert (stored.name_en, stored.name_zh) == ("Quuxland", "库克斯兰")
