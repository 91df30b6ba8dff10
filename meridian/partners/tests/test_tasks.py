"""Large partner exports run as background jobs that produce the file; small ones stay immediate."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from meridian.jobs.models import JobRun
from meridian.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(germany, japan):
    return [PartnerFactory(name=f"German {n}", country=germany) for n in range(3)] + [
        PartnerFactory(name="=Japanese", country=japan)
    ]


def test_small_export_stays_immediate(client, people, partners, settings):
    settings.EXPORT_JOB_THRESHOLD = 10
    client.force_login(people.officer)
    response = client.get(reverse("partners:export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert not JobRun.objects.exists()


def test_large_export_runs_as_a_job(client, people, partners, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_JOB_THRESHOLD = 2
    client.force_login(people.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("partners:export") + "?country=DE")
    job = JobRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.kind == "partners.export" and job.state == "succeeded" and job.result == {"rows": 3}
    assert job.message == "3 partners exported."
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    # The same filter as the list: only the German partners.
    assert sorted(row[1] for row in rows[1:]) == ["German 0", "German 1", "German 2"]
    # Only the person who asked (and administrators) may fetch it.
    client.force_login(people.coordinator)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_large_xlsx_export_job_neutralises_formulas(
    client, people, partners, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_JOB_THRESHOLD = 2
    client.force_login(people.officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("partners:export") + "?format=xlsx")
    job = JobRun.objects.get()
    assert job.result_filename.endswith(".xlsx") and job.result_path is not None
    sheet = load_workbook(io.BytesIO(job.result_path.read_bytes())).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(names) == 4 and "'=Japanese" in names


def test_export_job_of_a_user_who_lost_the_right_fails(people, partners, django_capture_on_commit_callbacks):
    from meridian.jobs.services import job_run_now
    from meridian.partners.tasks import start_partner_export

    job = start_partner_export(actor=people.outsider, query="", fmt="csv")
    job = job_run_now(job=job)
    assert job.state == "failed" and job.message == "You may not export partners." and not job.result_file
