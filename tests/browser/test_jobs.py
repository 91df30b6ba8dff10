"""A background job's page follows its progress and then shows its outcome, with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from meridian.jobs.models import JobRun
from meridian.jobs.services import job_attach_file, job_finish, job_progress
from tests.browser.helpers import sign_in


def _running_job(people) -> JobRun:
    job = JobRun.objects.create(
        kind="partners.export",
        label="Partner export (CSV)",
        actor=people.officer,
        runner="meridian.partners.tasks.export_partners",
        params={"query": "", "fmt": "csv"},
        state=JobRun.State.RUNNING,
    )
    job_progress(job.pk, done=30, total=120, message="Writing rows")
    return job


def _finish(job: JobRun) -> None:
    job_attach_file(job, filename="partners.csv", content=b"Name\nHeidelberg\n", content_type="text/csv")
    job_finish(job=job, result={"rows": 1}, message="1 partner exported.")


@pytest.mark.django_db(transaction=True)
def test_progress_bar_follows_the_job_then_offers_the_file(page: Page, people):
    job = _running_job(people)
    sign_in(page, people.officer.username)
    page.goto(f"/jobs/{job.pk}/")
    expect(page.locator("progress")).to_have_attribute("value", "25")
    expect(page.get_by_text("30 of 120")).to_be_visible()

    job_progress(job.pk, done=90, total=120, message="Writing rows")
    expect(page.get_by_text("90 of 120")).to_be_visible(timeout=10000)  # htmx polling, no reload
    expect(page.locator("progress")).to_have_attribute("value", "75")

    _finish(JobRun.objects.get(pk=job.pk))
    download_link = page.get_by_role("link", name=re.compile("Download partners.csv"))
    expect(download_link).to_be_visible(timeout=10000)  # the finished job reloads the page to its outcome
    expect(page.locator("progress")).to_have_attribute("value", "100")
    with page.expect_download() as info:
        download_link.click()
    assert info.value.suggested_filename == "partners.csv"
    with open(info.value.path(), "rb") as handle:
        assert handle.read() == b"Name\nHeidelberg\n"


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_page_refreshes_itself(new_page, people):
    job = _running_job(people)
    page = new_page(java_script_enabled=False)
    sign_in(page, people.officer.username)
    page.goto(f"/jobs/{job.pk}/")
    expect(page.get_by_text("30 of 120")).to_be_visible()
    _finish(JobRun.objects.get(pk=job.pk))
    expect(page.get_by_role("link", name=re.compile("Download partners.csv"))).to_be_visible(timeout=10000)
