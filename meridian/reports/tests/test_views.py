"""The reports page: who sees which dataset, and that each CSV holds only what the user may see."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from meridian.core.registry import ReportDataset, registry

LIST = reverse("reports:list")

# role: datasets listed (None: the page is refused)
MATRIX: dict[str, list[str] | None] = {
    "admin": ["partners", "agreements"],
    "officer": ["partners", "agreements"],
    "leadership": ["partners", "agreements"],
    "coordinator": ["partners", "agreements"],
    "staff": ["partners", "agreements"],
    "student": None,
    "partner_contact": None,
    "outsider": None,
}


def download(client, user, key: str, **params):
    client.force_login(user)
    return client.get(reverse("reports:download", args=[key]), params)


def rows_of(response) -> list[dict]:
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_the_list_shows_each_role_its_datasets(client, users, role):
    client.force_login(users[role])
    response = client.get(LIST)
    if MATRIX[role] is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    html = response.content.decode()
    for key in MATRIX[role] or []:
        assert reverse("reports:download", args=[key]) in html


@pytest.mark.parametrize("role", sorted(MATRIX))
@pytest.mark.parametrize("key", ["partners", "agreements"])
def test_downloads_are_refused_with_404_to_roles_without_the_dataset(client, users, role, key):
    response = download(client, users[role], key)
    allowed = key in (MATRIX[role] or [])
    assert response.status_code == (200 if allowed else 404)


def test_unknown_dataset_is_404(client, users):
    assert download(client, users["officer"], "nothing").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    assert client.get(LIST).status_code == 302


def test_agreements_csv_holds_only_the_coordinators_units(client, users):
    numbers = [row["Number"] for row in rows_of(download(client, users["coordinator"], "agreements"))]
    assert numbers == ["AGR-KY-1"]
    numbers = [row["Number"] for row in rows_of(download(client, users["officer"], "agreements"))]
    assert numbers == ["AGR-KY-1", "AGR-KY-2"]


def test_partners_csv_uses_the_shared_definitions(client, users, records):
    rows = {row["English name"]: row for row in rows_of(download(client, users["officer"], "partners"))}
    assert rows["Kyoto University"]["Public partner"] == "Yes"
    assert rows["Kyoto Tech"]["Public partner"] == "No"
    assert {row["Active partner"] for row in rows.values()} == {"Yes"}  # every factory partner is active


def test_xlsx_download(client, users):
    response = download(client, users["officer"], "partners", format="xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.cell(row=1, column=1).value == "ID"
    assert sheet.max_row == 4  # header and three partners


def test_a_dataset_registered_by_another_context_is_listed_and_its_cells_are_neutralised(client, users):
    registry.report_datasets.add(
        ReportDataset(
            key="test-visits",
            label="Visits",
            columns=(("guest", "Guest"), ("ok", "Confirmed"), ("missing", "Missing")),
            rows=lambda user: [{"guest": "=HYPERLINK(1)", "ok": True}],
            visible=lambda user: user.username == "officer",
        )
    )
    try:
        client.force_login(users["officer"])
        assert reverse("reports:download", args=["test-visits"]) in client.get(LIST).content.decode()
        [row] = rows_of(download(client, users["officer"], "test-visits"))
        assert row == {"Guest": "'=HYPERLINK(1)", "Confirmed": "Yes", "Missing": ""}
        assert download(client, users["coordinator"], "test-visits").status_code == 404
    finally:
        registry.report_datasets.remove("test-visits")


def test_chinese_page(client, users):
    client.force_login(users["officer"])
    html = client.get(LIST, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans">' in html


@pytest.mark.parametrize("key", ["partners", "agreements"])
def test_query_count_does_not_grow_with_rows(client, users, org, key):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meridian.agreements.tests.factories import AgreementFactory
    from meridian.partners.tests.factories import PartnerFactory

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert download(client, users["officer"], key).status_code == 200
        return len(ctx.captured_queries)

    queries()  # warm-up: the user's roles are read once per request anyway
    few = queries()
    for _ in range(15):
        AgreementFactory(responsible_unit=org.engineering, partners=[PartnerFactory()], channels=["research"])
    assert queries() == few
