"""Large imports run as background jobs with progress, and end with the same report as small ones."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from meridian.core.tabular.tests.helpers import as_file, csv_bytes
from meridian.imports.models import ImportBatch
from meridian.imports.services import import_dry_run
from meridian.imports.tests.helpers import PARTNER_HEADERS_EN, PARTNER_ROWS
from meridian.jobs.models import JobRun
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db

Partner = apps.get_model("partners", "Partner")
DATA = csv_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS)


@pytest.fixture
def officer_client(client, people, settings):
    settings.IMPORT_JOB_THRESHOLD = 1  # the two-row file counts as large
    country("DE", "Germany", "德国")
    country("FR", "France", "法国")
    client.force_login(people.officer)
    return client


def _upload(client):
    return client.post(
        reverse("imports:start"), {"kind": "partners", "file": SimpleUploadedFile("partners.csv", DATA)}
    )


def _job(batch: ImportBatch) -> JobRun:
    assert batch.job is not None
    return batch.job


def test_large_file_is_checked_by_a_job_with_the_same_report(
    officer_client, people, django_capture_on_commit_callbacks
):
    expected = import_dry_run(kind="partners", file=as_file(DATA), actor=people.officer).to_dict()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _upload(officer_client)
    batch = ImportBatch.objects.get()
    assert response.url == reverse("imports:batch", args=[batch.pk])
    assert batch.background and batch.status == "checking" and _job(batch).state == "queued"

    # While the job waits, the upload page follows its progress (htmx, or a refresh without JavaScript).
    page = officer_client.get(response.url).content.decode()
    assert reverse("jobs:progress", args=[_job(batch).pk]) in page and "<noscript><meta" in page
    assert reverse("imports:commit", args=[batch.pk]) not in page

    for callback in callbacks:
        callback()
    batch.refresh_from_db()
    assert batch.status == "checked" and _job(batch).state == "succeeded"
    assert batch.report == expected == _job(batch).result
    page = officer_client.get(response.url).content.decode()
    assert "Dry run: 2 to create" in page and reverse("imports:commit", args=[batch.pk]) in page
    assert Partner.objects.count() == 0


def test_large_file_is_imported_by_a_job(officer_client, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(officer_client)
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        done = officer_client.post(reverse("imports:commit", args=[batch.pk]), follow=True)
    assert b"runs in the background" in done.content
    batch.refresh_from_db()
    job = _job(batch)
    assert job.kind == "imports.commit" and job.state == "succeeded" and job.actor == people.officer
    assert batch.status == "committed" and batch.committed_at and not batch.stored_path.exists()
    assert Partner.objects.count() == 2
    assert batch.report["committed"] and [row["action"] for row in batch.report["rows"]] == [
        "create",
        "create",
    ]
    assert batch.report == job.result and job.message == "Imported: 2 created, 0 updated, 0 unchanged."
    # Both the upload page and the job's result page show the report.
    assert b"Imported: 2 created" in officer_client.get(reverse("imports:batch", args=[batch.pk])).content
    job_page = officer_client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Imported: 2 created" in job_page and "Sorbonne Universit" in job_page

    # A second press imports nothing more.
    officer_client.post(reverse("imports:commit", args=[batch.pk]))
    assert Partner.objects.count() == 2 and JobRun.objects.filter(kind="imports.commit").count() == 1


def test_a_failing_import_job_changes_nothing_and_says_why(
    officer_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(officer_client)
    batch = ImportBatch.objects.get()
    germany = country("DE", "Germany", "德国")
    # Meanwhile two partners are recorded: one with the row's ROR ID, another with its website.
    Partner.objects.create(name="Holds the ROR ID", kind="university", country=germany, ror_id="038t36y30")
    Partner.objects.create(
        name="Holds the site", kind="university", country=germany, website_domain="uni-heidelberg.de"
    )
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("imports:commit", args=[batch.pk]))
    batch.refresh_from_db()
    job = _job(batch)
    assert job.state == "failed" and job.message.startswith("Nothing was imported: 1 problem(s).")
    assert batch.status == "refused" and batch.report == job.result and batch.report["problems"]
    assert Partner.objects.count() == 2
    page = officer_client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "The job failed and changed nothing." in page and "already belongs to another partner" in page


def test_someone_elses_job_and_upload_are_not_found(
    officer_client, client, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(officer_client)
    batch = ImportBatch.objects.get()
    client.force_login(people.admin)
    assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 404
    other = apps.get_model("accounts", "User").objects.create_user(username="officer2", password="x")
    client.force_login(other)
    assert client.get(reverse("jobs:detail", args=[_job(batch).pk])).status_code == 404


def test_command_line_background_import(tmp_path, people, capsys, django_capture_on_commit_callbacks):
    country("DE", "Germany", "德国")
    country("FR", "France", "法国")
    path = tmp_path / "partners.csv"
    path.write_bytes(DATA)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import", "partners", str(path), "--background", "--user", people.officer.username)
    job = JobRun.objects.get()
    assert f"Queued as job {job.pk}" in capsys.readouterr().out
    job.refresh_from_db()
    assert job.state == "succeeded" and job.result["committed"] and job.actor == people.officer
    assert Partner.objects.count() == 2 and path.exists()
