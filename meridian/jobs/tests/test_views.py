import pytest
from django.urls import reverse

from meridian.jobs.models import JobRun
from meridian.jobs.services import job_progress, job_run_now, job_start
from meridian.jobs.tests import runners

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(people):
    job = job_start(
        kind="test", label="Export", actor=people.officer, runner=runners.succeed, params={"name": "z"}
    )
    return job_run_now(job=job)


@pytest.fixture
def running(people):
    job = job_start(kind="test", label="Long work", actor=people.officer, runner=runners.succeed, params={})
    JobRun.objects.filter(pk=job.pk).update(state="running")
    job_progress(job.pk, done=30, total=120, message="Saving rows")
    return job


def test_running_job_page_shows_progress_and_polls(client, people, running):
    client.force_login(people.officer)
    page = client.get(reverse("jobs:detail", args=[running.pk])).content.decode()
    assert '<progress max="100" value="25"' in page and "30 of 120" in page and "Saving rows" in page
    assert f'hx-get="{reverse("jobs:progress", args=[running.pk])}"' in page
    # Without JavaScript the page refreshes itself, and a link reloads it.
    assert '<noscript><meta http-equiv="refresh"' in page
    assert "Reload now" in page


def test_progress_fragment_keeps_polling_then_reloads_the_page(client, people, running):
    client.force_login(people.officer)
    url = reverse("jobs:progress", args=[running.pk])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in response and b"hx-trigger" in response.content
    JobRun.objects.filter(pk=running.pk).update(state="succeeded")
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true" and b"hx-trigger" not in response.content


def test_finished_job_offers_its_file(client, people, finished):
    client.force_login(people.officer)
    page = client.get(reverse("jobs:detail", args=[finished.pk])).content.decode()
    assert "Finished" in page and reverse("jobs:download", args=[finished.pk]) in page
    assert "refresh" not in page
    download = client.get(reverse("jobs:download", args=[finished.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"name\nz\n"
    assert 'filename="result.csv"' in download["Content-Disposition"]


def test_failed_job_says_why(client, people):
    job = job_start(
        kind="test", label="Import", actor=people.officer, runner=runners.refuse, params={"name": "q"}
    )
    job_run_now(job=job)
    client.force_login(people.officer)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Failed" in page and "changed nothing" in page and "The partner was merged meanwhile." in page
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize(
    "who", ["coordinator", "staff", "student", "leadership", "outsider", "other_officer"]
)
def test_other_people_get_404(who, client, people, finished, django_user_model):
    if who == "other_officer":
        user = django_user_model.objects.create_user(username="officer2", password="x")
    else:
        user = getattr(people, who)
    client.force_login(user)
    for name in ("jobs:detail", "jobs:progress", "jobs:download"):
        assert client.get(reverse(name, args=[finished.pk])).status_code == 404
    assert b"Export" not in client.get(reverse("jobs:list")).content


def test_administrators_see_every_job(client, people, finished):
    client.force_login(people.admin)
    assert client.get(reverse("jobs:detail", args=[finished.pk])).status_code == 200
    assert client.get(reverse("jobs:download", args=[finished.pk])).status_code == 200
    assert b"Export" not in client.get(reverse("jobs:list")).content
    assert b"Export" in client.get(reverse("jobs:list") + "?all=1").content


def test_my_jobs_lists_own_jobs_with_fixed_queries(client, people, finished):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.officer)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("jobs:list"))
    for n in range(30):
        job_start(kind="test", label=f"Job {n}", actor=people.officer, runner=runners.succeed, params={})
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("jobs:list")).content.decode()
    assert len(many) == len(few), (len(few), len(many))
    assert "Job 29" in page and "Export" not in page  # newest first; the oldest is on page two
    assert "Page 1 of 2" in page


def test_anonymous_is_sent_to_login(client, finished):
    response = client.get(reverse("jobs:detail", args=[finished.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_my_jobs_nav_entry_appears_once_a_user_has_jobs(people, finished):
    from meridian.core.registry import registry

    entry = registry.nav.get("jobs")
    assert entry.visible(people.officer) and not entry.visible(people.coordinator)
