"""Large agreement exports run as background jobs that produce the file; small ones stay immediate."""

import csv
import io

import pytest
from django.urls import reverse

from meridian.jobs.models import JobRun

pytestmark = pytest.mark.django_db


def test_large_export_runs_as_a_job(
    client, people, make_agreement, settings, django_capture_on_commit_callbacks
):
    for n in range(3):
        make_agreement(title_en=f"Exchange {n}")
    settings.EXPORT_JOB_THRESHOLD = 2
    client.force_login(people.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("agreements:export"))
    job = JobRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.state == "succeeded" and job.result == {"rows": 3} and job.result_filename.endswith(".csv")
    page = client.get(response.url).content.decode()
    assert "3 agreements exported." in page and reverse("jobs:download", args=[job.pk]) in page
    body = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][1] == "Title (English)"
    assert sorted(row[1] for row in rows[1:]) == ["Exchange 0", "Exchange 1", "Exchange 2"]


def test_small_export_stays_immediate(client, people, make_agreement, settings):
    make_agreement(title_en="Only one")
    settings.EXPORT_JOB_THRESHOLD = 2
    client.force_login(people.officer)
    response = client.get(reverse("agreements:export"))
    assert response.status_code == 200 and b"Only one" in response.content
    assert not JobRun.objects.exists()
