"""Retention per purpose: the purge deletes what ran out, keeps what a running purpose needs, twice safely."""

import datetime

import pytest
from django.core.management import call_command

from meridian.core.models import Activity
from meridian.people.models import Consent, DataPurpose, DocumentScan, IdentityDocument, Person
from meridian.people.retention import personal_data_purge
from meridian.people.services import consent_record, data_purpose_record, identity_document_create
from meridian.people.tests.conftest import png_upload
from meridian.people.tests.factories import make_person

TODAY = datetime.date(2030, 6, 1)


@pytest.fixture
def guest(germany, visit, travel):
    """A guest whose visit ended 2028-01-10 (kept 365 days) and a passport collected for the visit."""
    person = make_person(
        family_name="Becker", given_name="Anna", email="anna@example.org", nationality=germany
    )
    data_purpose_record(person=person, purpose=visit, ends_on=datetime.date(2028, 1, 10))
    consent_record(person=person, purpose=visit, text_version="guest-2026-11", ip="203.0.113.9")
    identity_document_create(
        person=person,
        actor=None,
        purposes=[visit],
        purpose_ends_on=datetime.date(2028, 1, 10),
        kind="passport",
        number="E12345689",
        issuing_country=germany,
        expiry_date=datetime.date(2031, 1, 1),
        scan=png_upload(),
    )
    return person


def test_purge_deletes_documents_scans_and_erases_the_person(guest):
    scan = DocumentScan.objects.get()
    storage, name = scan.file.storage, scan.file.name or ""
    report = personal_data_purge(today=TODAY)
    assert (len(report.documents), report.scans, report.people) == (1, 1, [guest.pk])
    assert not IdentityDocument.objects.exists() and not storage.exists(name)
    person = Person.objects.get(pk=guest.pk)
    assert person.purged_at is not None
    assert (person.family_name, person.email, person.birth_date, person.nationality) == ("", "", None, None)
    assert not Person.history.filter(id=guest.pk).exclude(family_name="").exists()
    assert Consent.objects.get().ip_address is None
    entries = " ".join(Activity.objects.filter(verb="purged").values_list("message", flat=True))
    assert "retention ended for Visit and hosting of guests" in entries
    assert "Becker" not in entries and "E12345689" not in entries and "anna@" not in entries


def test_purge_is_idempotent(guest):
    personal_data_purge(today=TODAY)
    activity = Activity.objects.count()
    second = personal_data_purge(today=TODAY)
    assert (second.documents, second.scans, second.people) == ([], 0, [])
    assert Activity.objects.count() == activity


def test_nothing_goes_before_retention_ends(guest):
    # 2028-01-10 + 365 days = 2029-01-09 is the last day the data is kept.
    assert DataPurpose.objects.filter(document__isnull=False).get().keep_until() == datetime.date(2029, 1, 9)
    report = personal_data_purge(today=datetime.date(2029, 1, 9))
    assert report.documents == [] and report.people == []
    assert personal_data_purge(today=datetime.date(2029, 1, 10)).documents != []


def test_a_running_purpose_keeps_the_document_and_the_person(guest, travel):
    document = IdentityDocument.objects.get()
    data_purpose_record(person=guest, purpose=travel, document=document, ends_on=datetime.date(2030, 3, 1))
    report = personal_data_purge(today=TODAY)  # travel: 1095 days after 2030-03-01
    assert report.documents == [] and report.people == []
    assert Person.objects.get(pk=guest.pk).family_name == "Becker"


def test_people_with_an_account_are_never_erased(guest, people):
    Person.objects.filter(pk=guest.pk).update(user=people.staff)
    report = personal_data_purge(today=TODAY)
    assert len(report.documents) == 1 and report.people == []


def test_people_without_a_recorded_purpose_are_left_alone(germany):
    make_person(nationality=germany)
    assert personal_data_purge(today=TODAY).people == []


def test_dry_run_changes_nothing(guest):
    report = personal_data_purge(today=TODAY, dry_run=True)
    assert (len(report.documents), report.scans, report.people) == (1, 1, [guest.pk])
    assert IdentityDocument.objects.count() == 1 and Person.objects.get(pk=guest.pk).purged_at is None
    assert "Would delete 1 identity document(s) with 1 scan(s)" in report.summary()


def test_command_reports_and_supports_dry_run(guest, capsys):
    call_command("purge-personal-data", "--dry-run", "--today", "2030-06-01")
    out = capsys.readouterr().out
    assert "Would delete 1" in out and IdentityDocument.objects.exists()
    call_command("purge-personal-data", "--today", "2030-06-01")
    assert "Deleted 1 identity document(s)" in capsys.readouterr().out
    call_command("purge-personal-data", "--today", "2030-06-01")
    assert "Deleted 0 identity document(s) with 0 scan(s); erased 0" in capsys.readouterr().out


def test_scheduled_job_is_registered_and_runs_the_purge(guest):
    from meridian.core.registry import registry

    job = registry.scheduled_jobs.get("people.purge_personal_data")
    assert job.at is not None
    result = job.task().enqueue()  # tests run tasks at once; real today is before retention ends here
    assert result.return_value == {"documents": 0, "scans": 0, "people": 0}
