"""The agreement import's dry run plans in memory: the same report as running the rows through the services,
nothing written, and no write lock taken, so other users keep working while a file is checked."""

from __future__ import annotations

import threading
from datetime import date
from unittest import mock

import pytest
from django.apps import apps
from django.db import connection

from meridian.agreements.import_rows import AgreementImporter
from meridian.agreements.models import Agreement
from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.models import Activity
from meridian.core.tabular.runner import run_import
from meridian.core.tabular.tests.helpers import as_file, csv_bytes
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country
from meridian.workflow.models import TransitionLog

HEADERS = [
    "Number", "Title (English)", "Type", "Partners", "Responsible unit", "Start date", "End date", "State",
    "Auto renew", "Notice period (days)",
]  # fmt: skip


def row(
    number: str = "",
    title: str = "Student exchange",
    *,
    partner: str = "Heidelberg University",
    start: str = "2026-01-01",
    end: str = "2030-12-31",
    state: str = "",
    notice: str = "",
) -> list[str]:
    unit, kind, auto_renew = "eng", "Student exchange", ""
    return [number, title, kind, partner, unit, start, end, state, auto_renew, notice]


class _ThroughServices(AgreementImporter):
    """The importer as it was: its dry run runs the services in a transaction that is rolled back."""

    plans_in_memory = False

    def check(self, planned):
        return True


@pytest.fixture
def partners(db):
    germany = country("DE", "Germany", "德国")
    return [
        PartnerFactory(name="Universität Heidelberg", name_en="Heidelberg University", country=germany),
        PartnerFactory(name="Universität Bonn", name_en="University of Bonn", country=germany),
    ]


def _run(rows, *, importer=AgreementImporter, actor, commit=False, progress=None):
    data = csv_bytes(HEADERS, rows)
    return run_import(importer=importer, file=as_file(data), actor=actor, commit=commit, progress=progress)


def _outcome(report) -> tuple:
    """The rows planned and the problems. A row the services refuse was listed among the rows by the old dry
    run and has its problem only in the new one, so rows with a problem are compared by their problems."""
    refused = {p.row for p in report.problems}
    rows = [(r.row, r.action, r.label, r.changes, r.object_id) for r in report.rows if r.row not in refused]
    return rows, sorted((p.row or 0, p.column, p.reason) for p in report.problems)


def _stored(org, partners) -> dict[str, Agreement]:
    common = {"responsible_unit": org.engineering, "partners": [partners[0]], "title_en": "Student exchange"}
    return {
        "approved": AgreementFactory(number="AP-2025-001", state="approved", start_date=None, **common),
        "expired": AgreementFactory(number="EX-2019-001", state="expired", **common),
        "active": AgreementFactory(number="AC-2024-001", state="active", **common),
    }


BONN = "University of Bonn"
CASES = {
    "creates and moves": [row(state="Active"), row(title="Research", partner=BONN, state="draft")],
    "expire an open-ended agreement": [row(end="", state="expired")],
    "activate without a start date": [row(start="", end="", state="active")],
    "notice period without an end date": [row(end="", notice="30")],
    "title too long": [row(title="x" * 301)],
    "generated number taken by a later row": [row(), row(number="2026-se-0005", title="Other")],
    "a later row's generated number after one in the file": [
        row(number="2026-SE-0007"), row(title="Other", state="expired"),
    ],
    "edit an expired agreement": [row(number="EX-2019-001", title="Renamed")],
    "activate a stored agreement without a start date": [
        row(number="AP-2025-001", start="", end="", state="active"),
    ],
    "move a stored agreement and change it": [row(number="ap-2025-001", title="Renamed", state="active")],
    "impossible move": [row(number="AC-2024-001", state="draft")],
    "unchanged": [row(number="AC-2024-001", state="active", start="2025-01-01", end="2030-01-01")],
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["officer", "coordinator", "staff"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_dry_run_reports_what_running_the_services_reports(case, actor, partners, people, org):
    _stored(org, partners)
    AgreementFactory(number="２０２６－SE－0004", responsible_unit=org.computing, partners=[partners[1]])
    user = getattr(people, actor)
    in_memory = _run(CASES[case], actor=user)
    through_services = _run(CASES[case], importer=_ThroughServices, actor=user)
    assert _outcome(in_memory) == _outcome(through_services)


@pytest.mark.django_db
def test_the_dry_run_reports_the_service_refusals_of_every_row(partners, people, org):
    report = _run([row(end="", state="expired"), row(title="Other", start="", end="", state="active")],
                  actor=people.officer)  # fmt: skip
    assert [(p.row, p.column) for p in report.problems] == [(2, "State"), (3, "State")]
    assert "2026-SE-0001 is open-ended" in report.problems[0].reason
    assert "needs a start date" in report.problems[1].reason


@pytest.mark.django_db
def test_a_row_may_not_take_the_number_generated_for_an_earlier_row(partners, people, org):
    AgreementFactory(number="２０２６－SE－0004", responsible_unit=org.computing, partners=[partners[1]])
    report = _run([row(), row(number="2026-se-0005", title="Other")], actor=people.officer)
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (3, "Number", "Agreement 2026-SE-0005 already has this number; numbers that differ only in upper "
         "or lower case, full-width characters or dashes are the same number.")
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_later_rows_generated_number_follows_an_explicit_one_in_the_message(partners, people, org):
    report = _run([row(number="2026-SE-0007"), row(title="Other", state="expired")], actor=people.officer)
    assert [(p.row, p.column) for p in report.problems] == [(3, "State")]
    assert "Agreement 2026-SE-0008 runs until 2030-12-31" in report.problems[0].reason


def _counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_a_dry_run_leaves_the_database_unchanged(partners, people, org):
    stored = _stored(org, partners)
    before = _counts()
    rows = [
        row(title="New exchange", state="active"),
        row(number="ap-2025-001", title="Renamed", state="active"),
    ]
    with mock.patch("meridian.agreements.services.agreement_create") as create:
        report = _run(rows, actor=people.officer)
    assert report.ok, [str(p) for p in report.problems]
    assert report.counts == {"create": 1, "update": 1, "unchanged": 0, "problems": 0}
    create.assert_not_called()  # no service runs in a dry run
    assert _counts() == before
    assert Agreement.objects.count() == 3
    assert Agreement.history.count() == before["agreements.HistoricalAgreement"]
    assert Activity.objects.count() == before["core.Activity"]
    assert not TransitionLog.objects.exists()
    stored["approved"].refresh_from_db()
    assert (stored["approved"].title_en, stored["approved"].state) == ("Student exchange", "approved")


@pytest.mark.django_db
def test_the_commit_still_goes_through_the_services(partners, people, org):
    _stored(org, partners)
    rows = [
        row(title="New exchange", state="active"),
        row(number="ap-2025-001", title="Renamed", state="active"),
    ]
    report = _run(rows, actor=people.officer, commit=True)
    assert report.committed, [str(p) for p in report.problems]
    created = Agreement.objects.get(pk=report.created[0].object_id)
    assert created.number == "2026-SE-0001" and created.state == "active"
    assert list(created.transitions.values_list("action", flat=True).order_by("id")) == [
        "submit", "approve", "activate",
    ]  # fmt: skip
    moved = Agreement.objects.get(number="AP-2025-001")
    assert (moved.title_en, moved.state, moved.version) == ("Renamed", "active", 3)
    assert Activity.objects.filter(verb="created", object_id=created.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_dry_run_takes_no_write_lock_and_another_user_can_write(partners, people, org):
    """Another connection writes in the middle of the dry run; with an open write transaction it could not."""
    results: list[object] = []

    def other_user_writes() -> None:
        try:
            AgreementFactory(number="OTHER-1", responsible_unit=org.computing, partners=[partners[1]])
            results.append("ok")
        except Exception as exc:  # noqa: BLE001 - the failure is the result
            results.append(exc)
        finally:
            connection.close()

    def progress(done: int, total: int, message: str) -> None:
        assert not connection.in_atomic_block  # planning runs outside any transaction
        if done == 2 and not results:
            thread = threading.Thread(target=other_user_writes)
            thread.start()
            thread.join(timeout=30)

    rows = [row(state="active"), row(title="Research", start="2025-03-01", end="", state="draft")]
    report = _run(rows, actor=people.officer, progress=progress)
    assert report.ok, [str(p) for p in report.problems]
    assert report.counts["create"] == 2
    assert results == ["ok"]
    assert list(Agreement.objects.values_list("number", flat=True)) == ["OTHER-1"]


@pytest.mark.django_db
def test_a_generated_number_follows_the_stored_ones_in_any_spelling(partners, people, org):
    AgreementFactory(number="２０２６－se－0004", responsible_unit=org.computing, partners=[partners[1]])
    report = _run([row(), row(title="Other")], actor=people.officer, commit=True)
    assert report.committed, [str(p) for p in report.problems]
    numbers = sorted(
        Agreement.objects.filter(title_en__in=["Student exchange", "Other"]).values_list("number", flat=True)
    )
    assert numbers == ["2026-SE-0005", "2026-SE-0006"]
    assert date(2026, 1, 1) == Agreement.objects.get(number="2026-SE-0005").start_date
