"""The report page as a new user meets it: saving a mapping under a taken name, rows with conflicts to
decide, conflicts named by their field, possible duplicates against the file's row, and a mapping that does
not fit."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.core.tabular.tests.helpers import csv_bytes
from meridian.imports.models import ColumnMapping, ImportBatch
from meridian.imports.services import mapping_save
from meridian.imports.tests.kinds import MERGE_KEY
from meridian.reference.models import Country
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db

ODD_HEADERS = ["Spalte A", "Spalte B", "Spalte C"]
ODD_ROWS = [["Universität Wien", "AT", "Wien"]]
ODD_MAPPING = {"Spalte A": "name", "Spalte B": "country", "Spalte C": "city"}
MERGE_HEADERS = ["Code", "Alpha-3", "English name", "Chinese name"]


@pytest.fixture
def officer_client(client, people):
    country("AT", "Austria", "奥地利")
    client.force_login(people.officer)
    return client


def _upload(client, data: bytes, *, kind: str = "partners", **options):
    return client.post(
        reverse("imports:start"), {"kind": kind, "file": SimpleUploadedFile("file.csv", data), **options}
    )


def _page(client, batch: ImportBatch, **params) -> str:
    return client.get(reverse("imports:batch", args=[batch.pk]), params).content.decode()


# 1. Saving a mapping under a name that is taken -------------------------------------------------------------


def test_a_taken_mapping_name_is_an_error_on_the_name_field_and_the_choices_are_kept(officer_client, org):
    other = user_create(username="officer2", email="officer2@meridian.example", password="x" * 20)
    membership_grant(user=other, unit=org.intl_office, role=Role.OFFICER)
    mapping_save(actor=other, kind="partners", name="Austrian list", mapping={"Spalte A": "name"})
    _upload(officer_client, csv_bytes(ODD_HEADERS, ODD_ROWS))
    batch = ImportBatch.objects.get()
    url = reverse("imports:reread", args=[batch.pk])
    chosen = {"column_0": "name", "column_1": "country", "column_2": "city", "save_as": "Austrian list"}

    response = officer_client.post(url, chosen)
    assert response.status_code == 200
    page = response.content.decode()
    # The error sits on the name field, which is marked, inside the open mapping step; no box above the form.
    field = re.search(r'<div class="field has-error" id="field-save_as">.*?</div></div>', page, re.S)
    assert field and "A mapping called “Austrian list” already exists; choose another name." in field.group()
    assert 'aria-invalid="true"' in field.group()
    assert '<details open id="column-mapping">' in page
    assert 'class="errorlist-box"' not in page.split('id="read-again"')[1]
    # What the user chose is still chosen.
    for name, value in (("column_0", "name"), ("column_1", "country"), ("column_2", "city")):
        select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
        assert select and f'<option value="{value}" selected>' in select.group()
    # Nothing was saved or checked again.
    assert ColumnMapping.objects.get().mapping == {"Spalte A": "name"}
    batch.refresh_from_db()
    assert batch.status == "refused" and batch.mapping == {}
    # Reloading the address of the form (a GET) goes to the report instead of an error page.
    assert officer_client.get(url)["Location"] == reverse("imports:batch", args=[batch.pk])

    # Another name saves, and the browser is sent on to the report (post/redirect/get).
    response = officer_client.post(url, {**chosen, "save_as": "Austrian list (mine)"})
    assert response.status_code == 302 and response["Location"] == reverse("imports:batch", args=[batch.pk])
    assert "The column mapping was saved." in officer_client.get(response["Location"]).content.decode()
    assert ColumnMapping.objects.get(name="Austrian list (mine)").mapping == ODD_MAPPING

    # Saving again under one's own name replaces the mapping, and says so.
    response = officer_client.post(url, {**chosen, "save_as": "Austrian list (mine)"})
    assert response.status_code == 302
    page = officer_client.get(response["Location"]).content.decode()
    assert "The column mapping “Austrian list (mine)” was replaced by these choices." in page


# 2. Rows with conflicts are counted apart and easy to find --------------------------------------------------


@pytest.fixture
def conflict_batch(officer_client, merge_kind):
    # Row 2 matches QZ and its English name conflicts (nothing else changes); row 3 is new; row 4 matches QV
    # and changes nothing.
    Country.objects.create(code="QV", alpha3="QVV", name_en="Vuxland", name_zh="乌克斯兰")
    rows = [["QZ", "QZZ", "Quuxland", ""], ["QW", "QWW", "Wuxland", "沃克斯兰"], ["QV", "QVV", "Vuxland", ""]]
    _upload(officer_client, csv_bytes(MERGE_HEADERS, rows), kind=MERGE_KEY)
    return ImportBatch.objects.get()


def test_rows_with_conflicts_are_not_counted_unchanged(officer_client, conflict_batch):
    page = _page(officer_client, conflict_batch)
    assert "Dry run: 1 to create, 0 to update, 1 unchanged, 1 with conflicts to decide." in page
    tile = re.search(r'<div class="stat" id="conflict-count">.*?</div>', page, re.S)
    assert tile and '<span class="value">1</span>' in tile.group()
    assert '<a href="?show=conflicts#plan">with conflicts to decide</a>' in tile.group()
    assert re.search(r'<span class="value">1</span> unchanged', page)
    # A list of the rows to decide links to each of them.
    assert re.search(r'1 row has conflicts to decide: <a href="#row-2">2</a>', page)
    assert '<tr id="row-2" class="has-conflicts">' in page and '<tr id="row-3">' in page
    # The unchanged rows' list holds only the row with nothing to decide.
    unchanged = page.split('id="unchanged-rows"')[1]
    assert "<td>QV</td>" in unchanged and "<td>QZ</td>" not in unchanged

    only = _page(officer_client, conflict_batch, show="conflicts")
    assert "Only the rows with conflicts to decide are shown." in only
    assert '<tr id="row-2" class="has-conflicts">' in only and 'id="row-3"' not in only
    # The choice is still offered there.
    assert 'form="commit-form" name="decision-2-name_en" value="file"' in only


def test_a_committed_report_counts_conflicts_apart(officer_client, conflict_batch):
    officer_client.post(reverse("imports:commit", args=[conflict_batch.pk]))
    conflict_batch.refresh_from_db()
    assert conflict_batch.status == "committed"
    page = _page(officer_client, conflict_batch)
    assert (
        "Imported: 1 created, 0 updated, 1 unchanged, 1 with conflicts (stored values kept unless the "
        "file&#x27;s were chosen)." in page
    )
    assert "?show=conflicts" not in page  # nothing is left to decide


# 3. Conflicts are named by the field, in the reader's language ----------------------------------------------


def test_conflicts_are_labelled_with_the_fields_label_in_the_readers_language(officer_client, merge_kind):
    headers = ["代码", "三字母代码", "英文名称", "中文名称"]
    _upload(officer_client, csv_bytes(headers, [["QZ", "QZZ", "Quuxland", ""]]), kind=MERGE_KEY)
    batch = ImportBatch.objects.get()
    assert batch.report["rows"][0]["conflicts"][0]["column"] == "英文名称"

    english = _page(officer_client, batch)
    legend = re.search(r'<fieldset class="conflict">\s*<legend>(.*?)</legend>', english, re.S)
    assert legend and legend.group(1).startswith("English name ")
    assert '<small class="muted">(file column “英文名称”)</small>' in legend.group(1)

    chinese = officer_client.get(
        reverse("imports:batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    legend = re.search(r'<fieldset class="conflict">\s*<legend>(.*?)</legend>', chinese, re.S)
    # The file's header is the label: it is not repeated.
    assert legend and legend.group(1) == "英文名称"


# 4. A possible duplicate reads as the file's row against the stored record ----------------------------------


def test_the_possible_duplicate_cell_names_the_files_row_and_the_stored_record(officer_client, merge_kind):
    Country.objects.create(code="QY", alpha3="QYY", name_en="Quuxland", name_zh="库克斯兰")
    _upload(officer_client, csv_bytes(MERGE_HEADERS, [["QX", "QXX", "Quuxland", "库克斯兰"]]), kind=MERGE_KEY)
    page = _page(officer_client, ImportBatch.objects.get())
    cell = re.search(r'<div class="possible-duplicate">(.*?)</div>', page, re.S)
    assert cell and cell.group(1) == "QX — possible duplicate of Quuxland (same English name)"


def test_a_possible_duplicate_with_a_page_is_linked():
    template = Template("{% load imports %}{% duplicate_link kind duplicate %}")
    linked = template.render(Context({"kind": "partners", "duplicate": {"id": 7, "label": "A & B"}}))
    assert linked == f'<a href="{reverse("partners:detail", args=[7])}">A &amp; B</a>'
    plain = template.render(Context({"kind": MERGE_KEY, "duplicate": {"id": None, "label": "<b>"}}))
    assert plain == "&lt;b&gt;"


# 5. A saved mapping that does not fit the file is said ------------------------------------------------------


def test_a_saved_mapping_that_fits_only_in_part_is_said(officer_client, people):
    saved = mapping_save(actor=people.officer, kind="partners", name="Austrian list", mapping=ODD_MAPPING)
    data = csv_bytes(["Name", "Country", "Spalte C"], ODD_ROWS)
    _upload(officer_client, data, saved_mapping=saved.pk)
    batch = ImportBatch.objects.get()
    assert batch.status == "checked"  # the other columns were recognised by their headers
    page = _page(officer_client, batch)
    warning = re.search(r'<div class="errorlist-box" role="alert" id="mapping-misfit">.*?</div>', page, re.S)
    assert warning and "was applied only in part" in warning.group()
    assert "<q>Spalte A</q>, <q>Spalte B</q>" in warning.group() and "Spalte C" not in warning.group()


def test_a_saved_mapping_that_does_not_fit_at_all_is_said(officer_client, people):
    saved = mapping_save(actor=people.officer, kind="partners", name="Austrian list", mapping=ODD_MAPPING)
    _upload(officer_client, csv_bytes(["Hochschule", "Land", "Ort"], ODD_ROWS), saved_mapping=saved.pk)
    batch = ImportBatch.objects.get()
    assert batch.status == "refused" and batch.report["needs_mapping"]
    page = _page(officer_client, batch)
    warning = re.search(r'id="mapping-misfit">.*?</div>', page, re.S)
    assert warning and "was not applied: none of its columns is in the file" in warning.group()
    assert "<q>Spalte A</q>, <q>Spalte B</q>, <q>Spalte C</q>" in warning.group()
    assert '<a href="#column-mapping">' in warning.group()


def test_a_fitting_mapping_gives_no_warning(officer_client, people):
    saved = mapping_save(actor=people.officer, kind="partners", name="Austrian list", mapping=ODD_MAPPING)
    _upload(officer_client, csv_bytes(ODD_HEADERS, ODD_ROWS), saved_mapping=saved.pk)
    assert 'id="mapping-misfit"' not in _page(officer_client, ImportBatch.objects.get())
