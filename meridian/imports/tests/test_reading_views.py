"""The report page's reading options, column-mapping step, saved mappings at upload, and conflict choices."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from openpyxl import Workbook

from meridian.core.tabular.tests.helpers import csv_bytes
from meridian.imports.models import ColumnMapping, ImportBatch
from meridian.imports.services import mapping_save
from meridian.imports.tests.kinds import MERGE_KEY
from meridian.reference.models import Country
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db

Partner = apps.get_model("partners", "Partner")
# Headers no synonym or fuzzy match can recognise: only the mapping step can say what they hold.
ODD_HEADERS = ["Spalte A", "Spalte B", "Spalte C"]
ODD_ROWS = [["Universität Wien", "AT", "Wien"], ["Technische Universität Graz", "AT", "Graz"]]
ODD_MAPPING = {"Spalte A": "name", "Spalte B": "country", "Spalte C": "city"}


@pytest.fixture
def officer_client(client, people):
    country("AT", "Austria", "奥地利")
    client.force_login(people.officer)
    return client


def _upload(client, data: bytes, *, kind: str = "partners", name: str = "partners.csv", **options):
    return client.post(
        reverse("imports:start"), {"kind": kind, "file": SimpleUploadedFile(name, data), **options}
    )


def _columns(mapping: dict[str, str], headers=ODD_HEADERS) -> dict[str, str]:
    return {f"column_{index}": mapping.get(header, "") for index, header in enumerate(headers)}


def test_a_missing_required_column_leads_to_the_mapping_step_and_a_saved_mapping(officer_client, people):
    _upload(officer_client, csv_bytes(ODD_HEADERS, ODD_ROWS))
    batch = ImportBatch.objects.get()
    assert batch.status == "refused" and batch.report["needs_mapping"]
    assert batch.report["headers"] == ODD_HEADERS
    # The file is kept: the mapping step can still make it importable.
    assert batch.stored_path.exists()

    page = officer_client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "Which column holds what?" in page and reverse("imports:reread", args=[batch.pk]) in page
    assert '<select name="column_0"' in page and '<option value="name">Name / 名称 *</option>' in page
    assert "— ignore this column —" in page
    assert "Universität Wien" in page  # the sample: the first column, as decoded
    assert reverse("imports:commit", args=[batch.pk]) not in page

    response = officer_client.post(
        reverse("imports:reread", args=[batch.pk]), {**_columns(ODD_MAPPING), "save_as": "Austrian list"}
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "checked" and batch.mapping == ODD_MAPPING
    assert batch.report["mapping"] == ODD_MAPPING and not batch.report["needs_mapping"]
    assert batch.report["sample"] == ["Universität Wien", "Technische Universität Graz"]
    saved = ColumnMapping.objects.get()
    assert (saved.name, saved.kind, saved.mapping, saved.owner) == (
        "Austrian list",
        "partners",
        ODD_MAPPING,
        people.officer,
    )
    page = officer_client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "Dry run: 2 to create" in page and "Spalte A → Name / 名称" in page

    officer_client.post(reverse("imports:commit", args=[batch.pk]))
    assert sorted(Partner.objects.values_list("name", "city")) == [
        ("Technische Universität Graz", "Graz"),
        ("Universität Wien", "Wien"),
    ]

    # The next file shaped the same way is read with the saved mapping chosen at upload.
    start = officer_client.get(reverse("imports:start")).content.decode()
    assert f'<option value="{saved.pk}">Partners · Austrian list</option>' in start
    _upload(
        officer_client,
        csv_bytes(ODD_HEADERS, [["Universität Innsbruck", "AT", "Innsbruck"]]),
        saved_mapping=saved.pk,
    )
    latest = ImportBatch.objects.first()
    assert latest is not None
    assert latest.status == "checked" and latest.mapping == ODD_MAPPING
    assert latest.report["rows"][0]["label"] == "Universität Innsbruck"


def test_a_column_ignored_in_the_mapping_is_not_read(officer_client):
    headers = [*ODD_HEADERS, "Spalte D"]
    rows = [[*row, "https://example.org"] for row in ODD_ROWS]
    _upload(officer_client, csv_bytes(headers, rows))
    batch = ImportBatch.objects.get()
    officer_client.post(reverse("imports:reread", args=[batch.pk]), _columns(ODD_MAPPING, headers))
    batch.refresh_from_db()
    assert batch.status == "checked" and batch.mapping == {**ODD_MAPPING, "Spalte D": ""}
    assert batch.report["ignored_columns"] == ["Spalte D"]


def test_two_columns_for_one_field_are_refused_on_the_form(officer_client):
    _upload(officer_client, csv_bytes(ODD_HEADERS, ODD_ROWS))
    batch = ImportBatch.objects.get()
    response = officer_client.post(
        reverse("imports:reread", args=[batch.pk]),
        _columns({"Spalte A": "name", "Spalte B": "country", "Spalte C": "name"}),
    )
    assert response.status_code == 200
    assert "Each field can be taken from one column only: name" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "refused" and batch.mapping == {}


def test_a_saved_mapping_of_another_kind_is_refused_at_upload(officer_client, people):
    saved = mapping_save(
        actor=people.officer, kind="agreements", name="Agreements", mapping={"Titel": "title_en"}
    )
    response = _upload(officer_client, csv_bytes(ODD_HEADERS, ODD_ROWS), saved_mapping=saved.pk)
    assert (
        response.status_code == 200
        and "This mapping is for another kind of file." in response.content.decode()
    )
    assert ImportBatch.objects.count() == 0


def test_the_encoding_can_be_chosen_at_upload_and_on_the_report(officer_client):
    data = csv_bytes(
        ["Name", "Country"], [["Universität Wien", "AT"], ["Université de Genève", "AT"]], encoding="cp1252"
    )
    _upload(officer_client, data, encoding="cp1252")
    batch = ImportBatch.objects.get()
    assert batch.encoding == "cp1252" and batch.report["encoding"] == "cp1252"
    assert batch.report["sample"] == ["Universität Wien", "Université de Genève"]
    page = officer_client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "Windows-1252 (Western European)" in page
    assert '<option value="cp1252" selected>' in page  # the encoding select shows the one used

    # Read again as GB18030: "é " is no GB18030 text, so the file is refused as a whole, and kept so that the
    # user can choose again.
    officer_client.post(reverse("imports:reread", args=[batch.pk]), {"encoding": "gb18030"})
    batch.refresh_from_db()
    assert batch.encoding == "gb18030" and batch.status == "refused"
    assert [problem["row"] for problem in batch.report["problems"]] == [None]
    assert batch.stored_path.exists()
    officer_client.post(reverse("imports:reread", args=[batch.pk]), {"encoding": ""})
    batch.refresh_from_db()
    assert batch.status == "checked" and batch.encoding == ""


def _workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    import io

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_another_sheet_can_be_chosen(officer_client):
    data = _workbook(
        {
            "2024": [["Name", "Country"], ["Universität Wien", "AT"]],
            "2019": [["Name", "Country"], ["Universität Salzburg", "AT"], ["Universität Linz", "AT"]],
        }
    )
    _upload(officer_client, data, name="partners.xlsx")
    batch = ImportBatch.objects.get()
    assert batch.report["sheets"] == ["2024", "2019"] and batch.report["sheet"] == "2024"
    page = officer_client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert '<select name="sheet"' in page and '<option value="2019">2019</option>' in page
    officer_client.post(reverse("imports:reread", args=[batch.pk]), {"sheet": "2019"})
    batch.refresh_from_db()
    assert batch.sheet == "2019" and batch.report["sheet"] == "2019"
    assert [row["label"] for row in batch.report["rows"]] == ["Universität Salzburg", "Universität Linz"]
    officer_client.post(reverse("imports:commit", args=[batch.pk]))
    assert sorted(Partner.objects.values_list("name", flat=True)) == [
        "Universität Linz",
        "Universität Salzburg",
    ]


def test_a_file_refused_for_its_rows_is_not_kept_and_cannot_be_read_again(officer_client):
    _upload(officer_client, csv_bytes(["Name", "Country"], [["Universität Wien", "Atlantis"]]))
    batch = ImportBatch.objects.get()
    assert batch.status == "refused" and not batch.stored_path.exists()
    page = officer_client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert reverse("imports:reread", args=[batch.pk]) not in page
    response = officer_client.post(
        reverse("imports:reread", args=[batch.pk]), {"encoding": "cp1252"}, follow=True
    )
    assert "cannot be checked again" in response.content.decode()


# Conflicts, possible duplicates and the user's choices ------------------------------------------------------

MERGE_HEADERS = ["Code", "Alpha-3", "English name", "Chinese name"]


def test_conflicts_are_shown_side_by_side_and_the_stored_value_is_kept_by_default(officer_client, merge_kind):
    _upload(officer_client, csv_bytes(MERGE_HEADERS, [["QZ", "QZZ", "Quuxland", "库克斯兰"]]), kind=MERGE_KEY)
    batch = ImportBatch.objects.get()
    (row,) = batch.report["rows"]
    assert row["matched"] == "code" and row["action"] == "update" and row["changes"] == ["Chinese name"]
    assert row["conflicts"] == [
        {"field": "name_en", "column": "English name", "stored": "Old Quuxland", "incoming": "Quuxland"}
    ]
    page = officer_client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "Old Quuxland" in page and "Quuxland" in page
    assert 'form="commit-form" name="decision-2-name_en" value="stored" checked' in page
    assert 'form="commit-form" name="decision-2-name_en" value="file"' in page
    officer_client.post(reverse("imports:commit", args=[batch.pk]))
    stored = Country.objects.get(pk="QZ")
    # The blank Chinese name is filled; the English name is kept.
    assert (stored.name_en, stored.name_zh) == ("Old Quuxland", "库克斯兰")


def test_taking_the_files_value_for_a_field(officer_client, merge_kind):
    _upload(officer_client, csv_bytes(MERGE_HEADERS, [["QZ", "QZZ", "Quuxland", "库克斯兰"]]), kind=MERGE_KEY)
    batch = ImportBatch.objects.get()
    # A choice for a field without a conflict (or a row not in the report) is not taken.
    officer_client.post(
        reverse("imports:commit", args=[batch.pk]),
        {"decision-2-name_en": "file", "decision-2-alpha3": "file", "decision-9-name_en": "file"},
    )
    batch.refresh_from_db()
    assert batch.status == "committed"
    assert Country.objects.get(pk="QZ").name_en == "Quuxland"


def test_possible_duplicates_are_listed(officer_client, merge_kind):
    Country.objects.create(code="QY", alpha3="QYY", name_en="Quuxland", name_zh="库克斯兰")
    _upload(officer_client, csv_bytes(MERGE_HEADERS, [["QX", "QXX", "Quuxland", "库克斯兰"]]), kind=MERGE_KEY)
    batch = ImportBatch.objects.get()
    assert batch.report["rows"][0]["possible_duplicates"] == [
        {"id": "QY", "label": "Quuxland", "reason": "same English name"}
    ]
    page = officer_client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "Possible duplicates" in page and "(same English name)" in page


def test_record_links_of_possible_duplicates():
    template = Template("{% load imports %}{% record_url kind duplicate %}")
    assert template.render(Context({"kind": "partners", "duplicate": {"id": 7, "label": "X"}})) == reverse(
        "partners:detail", args=[7]
    )
    assert template.render(Context({"kind": "test-merge-countries", "duplicate": {"id": "QY"}})) == ""
    assert (
        template.render(Context({"kind": "partners", "duplicate": {"id": 7, "url": "/elsewhere/"}}))
        == "/elsewhere/"
    )


# Permissions ------------------------------------------------------------------------------------------------


def test_reading_again_is_for_the_uploader_only(officer_client, client, people):
    _upload(officer_client, csv_bytes(ODD_HEADERS, ODD_ROWS))
    batch = ImportBatch.objects.get()
    url = reverse("imports:reread", args=[batch.pk])
    # A GET (a reload after an error) goes to the report page.
    assert officer_client.get(url)["Location"] == reverse("imports:batch", args=[batch.pk])
    client.force_login(people.admin)
    assert client.post(url, _columns(ODD_MAPPING)).status_code == 404
    for who in ("coordinator", "leadership", "outsider"):
        client.force_login(getattr(people, who))
        assert client.post(url, _columns(ODD_MAPPING)).status_code == 403
    client.logout()
    assert client.post(url, _columns(ODD_MAPPING)).status_code == 302  # to the login page
    batch.refresh_from_db()
    assert batch.status == "refused" and batch.mapping == {}


def test_reading_again_needs_csrf(people):
    from django.test import Client

    country("AT", "Austria", "奥地利")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people.officer)
    batch = ImportBatch.objects.create(
        owner=people.officer, kind="partners", original_name="p.csv", stored_name="x", status="refused"
    )
    assert strict.post(reverse("imports:reread", args=[batch.pk]), _columns(ODD_MAPPING)).status_code == 403


def test_saved_mappings_are_listed_and_deleted_by_their_owner_or_an_administrator(officer_client, people):
    from django.test import Client

    client = Client()  # a second browser (``officer_client`` is the ``client`` fixture)
    saved = mapping_save(actor=people.admin, kind="partners", name="Admin list", mapping=ODD_MAPPING)
    mine = mapping_save(actor=people.officer, kind="partners", name="My list", mapping=ODD_MAPPING)
    page = officer_client.get(reverse("imports:start")).content.decode()
    assert "Admin list" in page and "My list" in page
    assert reverse("imports:mapping-delete", args=[mine.pk]) in page
    assert reverse("imports:mapping-delete", args=[saved.pk]) not in page
    assert officer_client.post(reverse("imports:mapping-delete", args=[saved.pk])).status_code == 403
    assert officer_client.get(reverse("imports:mapping-delete", args=[mine.pk])).status_code == 405
    client.force_login(people.coordinator)
    assert client.post(reverse("imports:mapping-delete", args=[mine.pk])).status_code == 403
    assert officer_client.post(reverse("imports:mapping-delete", args=[mine.pk])).status_code == 302
    client.force_login(people.admin)
    assert client.post(reverse("imports:mapping-delete", args=[saved.pk])).status_code == 302
    assert ColumnMapping.objects.count() == 0
