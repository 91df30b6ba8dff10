"""Agreement numbers in any case, width or dash are one agreement, and an exported agreement list (renewed
agreements included) imports back unchanged."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from meridian.agreements import services
from meridian.agreements.import_rows import AgreementImporter
from meridian.agreements.models import Agreement
from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.tabular.runner import run_import
from meridian.core.tabular.tests.helpers import as_file, csv_bytes
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(db):
    germany, japan = country("DE", "Germany", "德国"), country("JP", "Japan", "日本", region_code="142")
    return {
        "heidelberg": PartnerFactory(
            name="Ruprecht-Karls-Universität Heidelberg",
            name_en="Heidelberg University",
            name_zh="海德堡大学",
            country=germany,
        ),
        "munich": PartnerFactory(
            name="Technische Universität München",
            name_en="Technical University of Munich",
            name_zh="慕尼黑工业大学",
            country=germany,
        ),
        "tokyo": PartnerFactory(
            name="東京大學", name_en="The University of Tokyo", name_zh="东京大学", country=japan
        ),
    }


def run(data: bytes, *, actor, commit=False):
    return run_import(importer=AgreementImporter, file=as_file(data), actor=actor, commit=commit)


def problems(report) -> list[str]:
    return [str(problem) for problem in report.problems]


HEADERS = ["Number", "Title (English)", "Type", "Partners", "Responsible unit", "Start date", "End date"]


def row(number: str, partner: str = "Heidelberg University") -> list[str]:
    return [number, "Student exchange", "Student exchange", partner, "eng", "2025-01-01", "2030-01-01"]


@pytest.mark.parametrize("typed", ["sx-2024-001", "SX－2024－001", "SX-2024-001", "ＳＸ–２０２４–００１"])
def test_an_agreement_number_in_any_case_width_or_dash_is_the_same_agreement(typed, partners, people, org):
    stored = AgreementFactory(
        number="SX-2024-001",
        title_en="Student exchange",
        responsible_unit=org.engineering,
        partners=[partners["heidelberg"]],
        start_date=date(2025, 1, 1),
        end_date=date(2030, 1, 1),
    )
    report = run(csv_bytes(HEADERS, [row(typed)]), actor=people.officer, commit=True)
    assert report.committed, problems(report)
    assert report.counts == {"create": 0, "update": 0, "unchanged": 1, "problems": 0}
    assert report.rows[0].object_id == stored.pk
    stored.refresh_from_db()
    assert stored.number == "SX-2024-001"  # as the stored record writes it
    assert Agreement.objects.count() == 1


def test_two_spellings_of_one_number_in_a_file_are_one_agreement_twice(partners, people, org):
    rows = [row("sx-2024-001"), row("SX－2024－001")]
    report = run(csv_bytes(HEADERS, rows), actor=people.officer)
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (3, "Number", "the same agreement as row 2")
    ]


def test_a_new_agreement_keeps_its_number_as_written(partners, people, org):
    report = run(csv_bytes(HEADERS, [row("sx-2024-007")]), actor=people.officer, commit=True)
    assert report.committed, problems(report)
    assert Agreement.objects.get().number == "sx-2024-007"


@pytest.mark.parametrize(
    "reference",
    [
        "Heidelberg University.",
        "HEIDELBERG UNIVERSITY",
        "Ruprecht Karls Universitaet Heidelberg",
        "海德堡大學",
    ],
)
def test_partner_references_match_name_variants(reference, partners, people, org):
    report = run(csv_bytes(HEADERS, [row("SX-2024-002", reference)]), actor=people.officer)
    assert report.ok, problems(report)
    assert report.counts["create"] == 1


def test_a_new_renewed_agreement_is_still_refused(partners, people, org):
    headers = [*HEADERS, "State"]
    report = run(csv_bytes(headers, [[*row("SX-2024-003"), "Renewed"]]), actor=people.officer)
    assert [(p.row, p.column) for p in report.problems] == [(2, "State")]


@pytest.fixture
def agreement_list(partners, people, org):
    """Agreements as an office has them: active, renewed and its successor, expired, several partners."""
    active = AgreementFactory(
        number="SX-2024-001",
        title_en="Student exchange with Heidelberg",
        title_zh="与海德堡大学学生交流协议",
        responsible_unit=org.engineering,
        partners=[partners["heidelberg"]],
        channels=["student_exchange", "research"],
        state="active",
        start_date=date(2024, 1, 1),
        end_date=date(2029, 12, 31),
    )
    old = AgreementFactory(
        number="MOU-2019-004",
        title_en="Memorandum of understanding with Munich and Tokyo",
        kind="mou",
        responsible_unit=org.intl_office,
        partners=[partners["munich"], partners["tokyo"]],
        channels=["cultural"],
        state="active",
        start_date=date(2019, 6, 1),
        end_date=date(2024, 5, 31),
    )
    successor = services.agreement_renew(
        agreement=old, actor=people.admin, start_date=date(2024, 6, 1), end_date=date(2029, 5, 31)
    )
    expired = AgreementFactory(
        number="RC-2015-002",
        title_en="Research cooperation with Tokyo",
        kind="research",
        responsible_unit=org.computing,
        partners=[partners["tokyo"]],
        state="expired",
        start_date=date(2015, 1, 1),
        end_date=date(2020, 1, 1),
    )
    old.refresh_from_db()
    assert old.state == "renewed"
    return [active, old, successor, expired]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_agreement_list_imports_back_unchanged(fmt, language, agreement_list, people):
    client = Client()
    client.force_login(people.officer)
    response = client.get(reverse("agreements:export"), {"format": fmt}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    report = run(response.content, actor=people.officer)
    assert report.ok, problems(report)
    english = run(client.get(reverse("agreements:export"), {"format": fmt}).content, actor=people.officer)
    # The same columns are read back from a list exported in either language.
    assert set(report.mapping.values()) == set(english.mapping.values())
    assert len(report.rows) == len(agreement_list)
    assert {outcome.action for outcome in report.rows} == {"unchanged"}
    assert [outcome.conflicts for outcome in report.rows] == [[]] * len(agreement_list)
    assert sorted(outcome.object_id for outcome in report.rows) == sorted(a.pk for a in agreement_list)
