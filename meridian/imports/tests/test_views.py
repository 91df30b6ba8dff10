import io

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from meridian.core.tabular.tests.helpers import csv_bytes
from meridian.imports.models import ImportBatch
from meridian.imports.tests.helpers import PARTNER_HEADERS_EN, PARTNER_ROWS
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db

# The hub knows the kinds only through the registry; the tests reach their models by label, not by import.
Partner = apps.get_model("partners", "Partner")


@pytest.fixture
def officer_client(client, people):
    country("DE", "Germany", "德国")
    country("FR", "France", "法国")
    client.force_login(people.officer)
    return client


def _upload(client, data: bytes, kind: str = "partners", name: str = "partners.csv"):
    return client.post(reverse("imports:start"), {"kind": kind, "file": SimpleUploadedFile(name, data)})


def test_upload_report_commit(officer_client, people):
    assert officer_client.get(reverse("imports:start")).status_code == 200
    response = _upload(officer_client, csv_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:batch", args=[batch.pk])
    assert batch.owner == people.officer and batch.status == "checked" and len(batch.sha256) == 64
    assert batch.stored_path.is_file()
    assert batch.stored_path.storage_name == f"imports/{batch.stored_name}"  # in the private store
    assert (settings.PRIVATE_STORAGE_ROOT / "imports" / batch.stored_name).is_file()
    assert "partners" not in batch.stored_name
    assert Partner.objects.count() == 0

    page = officer_client.get(response.url)
    assert page.status_code == 200
    assert b"Dry run: 2 to create" in page.content
    assert b"Sorbonne Universit" in page.content
    assert reverse("imports:commit", args=[batch.pk]).encode() in page.content

    assert officer_client.get(reverse("imports:commit", args=[batch.pk])).status_code == 405
    done = officer_client.post(reverse("imports:commit", args=[batch.pk]), follow=True)
    assert b"Imported: 2 created" in done.content
    assert Partner.objects.count() == 2
    batch.refresh_from_db()
    assert batch.status == "committed" and not batch.stored_path.exists()

    # A second press does nothing more.
    officer_client.post(reverse("imports:commit", args=[batch.pk]))
    assert Partner.objects.count() == 2


def test_report_with_problems_has_no_import_button(officer_client):
    rows = [["Bad University", "", "", "", "Atlantis", "", "", "", "", "", "", "", ""]]
    response = _upload(officer_client, csv_bytes(PARTNER_HEADERS_EN, rows))
    batch = ImportBatch.objects.get()
    assert batch.status == "refused"
    assert not batch.stored_path.exists()
    page = officer_client.get(response.url)
    assert b"Atlantis" in page.content and b"Country" in page.content
    assert reverse("imports:commit", args=[batch.pk]).encode() not in page.content
    officer_client.post(reverse("imports:commit", args=[batch.pk]))
    assert Partner.objects.count() == 0


def test_wrong_file_type_is_reported(officer_client):
    response = _upload(officer_client, b"\x89PNG\r\n\x1a\n\x00\x00\x00", name="partners.csv")
    page = officer_client.get(response.url)
    assert b"not a CSV or XLSX file" in page.content


def test_commit_revalidates_the_stored_file(officer_client):
    _upload(officer_client, csv_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS))
    batch = ImportBatch.objects.get()
    batch.stored_path.write_bytes(b"tampered")
    officer_client.post(reverse("imports:commit", args=[batch.pk]))
    assert Partner.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == "checked"


def test_someone_elses_batch_is_not_found(officer_client, client, people):
    _upload(officer_client, csv_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS))
    batch = ImportBatch.objects.get()
    client.logout()
    client.force_login(people.admin)
    assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:commit", args=[batch.pk])).status_code == 404
    assert Partner.objects.count() == 0


def test_commit_needs_csrf(people):
    from django.test import Client

    country("DE", "Germany", "德国")
    country("FR", "France", "法国")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people.officer)
    response = strict.post(
        reverse("imports:start"),
        {
            "kind": "partners",
            "file": SimpleUploadedFile("p.csv", csv_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS)),
        },
    )
    assert response.status_code == 403
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize("who", ["coordinator", "staff", "student", "leadership", "outsider"])
def test_others_are_forbidden(who, client, people):
    client.force_login(getattr(people, who))
    assert client.get(reverse("imports:start")).status_code == 403
    response = client.post(
        reverse("imports:start"), {"kind": "partners", "file": SimpleUploadedFile("p.csv", b"a")}
    )
    assert response.status_code == 403
    assert client.get(reverse("imports:template", args=["partners", "csv"])).status_code == 403
    assert ImportBatch.objects.count() == 0


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("imports:start"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


@pytest.mark.parametrize("kind", ["partners", "agreements"])
def test_templates_in_both_languages(kind, client, people):
    client.force_login(people.admin)
    csv_response = client.get(reverse("imports:template", args=[kind, "csv"]))
    assert csv_response.status_code == 200
    first_line = csv_response.content.decode("utf-8-sig").splitlines()[0]
    assert first_line.startswith("Name," if kind == "partners" else "Number,")
    xlsx_response = client.get(reverse("imports:template", args=[kind, "xlsx"]) + "?lang=zh")
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    headers = [cell.value for cell in next(sheet.iter_rows())]
    assert headers[0] == ("名称" if kind == "partners" else "协议编号")
    assert client.get(reverse("imports:template", args=[kind, "pdf"])).status_code == 404


def test_problems_found_at_commit_refuse_the_batch(officer_client):
    _upload(officer_client, csv_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS))
    batch = ImportBatch.objects.get()
    # Meanwhile two partners are recorded: one with the row's ROR ID, another with its website.
    germany = country("DE", "Germany", "德国")
    Partner.objects.create(name="Holds the ROR ID", kind="university", country=germany, ror_id="038t36y30")
    Partner.objects.create(
        name="Holds the site", kind="university", country=germany, website_domain="uni-heidelberg.de"
    )
    response = officer_client.post(reverse("imports:commit", args=[batch.pk]), follow=True)
    assert b"Nothing was imported" in response.content
    batch.refresh_from_db()
    assert batch.status == "refused" and batch.report["problems"]
    assert Partner.objects.count() == 2


def test_start_page_queries_do_not_grow_with_uploads(officer_client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def upload(n: int) -> None:
        ImportBatch.objects.create(
            owner=people.officer, kind="partners", original_name=f"f{n}.csv", stored_name="x"
        )

    upload(0)
    with CaptureQueriesContext(connection) as few:
        officer_client.get(reverse("imports:start"))
    for n in range(1, 12):
        upload(n)
    with CaptureQueriesContext(connection) as many:
        response = officer_client.get(reverse("imports:start"))
    assert len(many) == len(few), (len(few), len(many))
    assert response.content.count(b".csv</a>") == 10


def test_unchanged_rows_are_listed_with_what_they_matched(officer_client):
    _upload(officer_client, csv_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS))
    officer_client.post(reverse("imports:commit", args=[ImportBatch.objects.get().pk]))
    _upload(officer_client, csv_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS))
    again = ImportBatch.objects.latest("pk")
    page = officer_client.get(reverse("imports:batch", args=[again.pk])).content.decode()
    assert "2 rows are unchanged: what they matched" in page
    listed = page.split('id="unchanged-rows"', 1)[1].split("</details>", 1)[0]
    assert "Sorbonne Universit" in listed
    # A CSV report offers another encoding; the hint is not shown for a workbook (it has none).
    assert "choose another text encoding below" in page
