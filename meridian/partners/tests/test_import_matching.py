"""Partner import: rows find the partner already stored under any spelling of its name or by an identifier,
near matches are shown rather than merged, and a match never silently overwrites what is stored."""

import io

import pytest

from meridian.core.errors import DuplicateError
from meridian.core.tabular.runner import run_import
from meridian.core.tabular.tests.helpers import as_file, csv_bytes
from meridian.core.text import normalise_domain
from meridian.partners import services
from meridian.partners.import_rows import PartnerImporter
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(db):
    return {
        "DE": country("DE", "Germany", "德国"),
        "AT": country("AT", "Austria", "奥地利"),
        "FR": country("FR", "France", "法国"),
        "GB": country("GB", "United Kingdom", "英国"),
        "US": country("US", "United States", "美国", region_code="019"),
        "JP": country("JP", "Japan", "日本", region_code="142"),
        "RU": country("RU", "Russian Federation", "俄罗斯", region_code="150"),
        "CN": country("CN", "China", "中国", region_code="142"),
    }


def run(headers, rows, *, actor, commit=False, decisions=None):
    return run_import(
        importer=PartnerImporter,
        file=as_file(csv_bytes(headers, rows)),
        actor=actor,
        commit=commit,
        decisions=decisions,
    )


def problems(report) -> list[str]:
    return [str(problem) for problem in report.problems]


def partner(name, code, places, **fields):
    """A stored partner with only the given names (the factory would invent English and Chinese ones)."""
    defaults = {"name_en": "", "name_zh": "", "acronym": "", "city": "", "website": ""}
    fields = {**defaults, **fields}
    return PartnerFactory(
        name=name, country=places[code], website_domain=normalise_domain(fields["website"]), **fields
    )


# --- name variants --------------------------------------------------------------------------------------

NAME_VARIANTS = [
    pytest.param("Universität Heidelberg", "Universität Heidelberg.", "DE", id="trailing full stop"),
    pytest.param("University of Tokyo", "The University of Tokyo", "JP", id="leading The"),
    pytest.param("Ludwig-Maximilians-Universität München", "Ludwig Maximilians Universität München", "DE",
                 id="hyphen vs space"),
    pytest.param("Texas A&M University", "Texas A and M University", "US", id="& vs and"),
    pytest.param("University of St Andrews", "University of Saint Andrews", "GB", id="St vs Saint"),
    pytest.param("University of St. Andrews", "University of St Andrews", "GB", id="St. vs St"),
    pytest.param("Universität Wien", "Universitaet Wien", "AT", id="ae for ä"),
    pytest.param("Technische Universität München", "Technische Universitaet Muenchen", "DE", id="ue for ü"),
    pytest.param("Université Paris-Saclay", "Université Paris–Saclay", "FR", id="en dash"),
    pytest.param("Boston University", "Ｂｏｓｔｏｎ Ｕｎｉｖｅｒｓｉｔｙ", "US", id="full-width letters"),
    pytest.param("Sorbonne Université", "SORBONNE UNIVERSITÉ", "FR", id="case"),
    pytest.param("东京大学", "東京大學", "JP", id="Traditional vs Simplified Chinese"),
]  # fmt: skip


@pytest.mark.parametrize(("stored", "typed", "code"), NAME_VARIANTS)
def test_a_name_variant_finds_the_stored_partner(stored, typed, code, places, people):
    existing = partner(stored, code, places)
    report = run(["Name", "Country"], [[typed, code]], actor=people.officer, commit=True)
    assert report.committed, problems(report)
    assert report.counts == {"create": 0, "update": 0, "unchanged": 1, "problems": 0}
    assert report.rows[0].object_id == existing.pk
    assert report.rows[0].matched == "name"
    assert Partner.objects.count() == 1
    existing.refresh_from_db()
    assert existing.name == stored  # the stored spelling is kept, accents and all


def test_the_english_or_chinese_name_of_a_row_finds_the_partner(places, people):
    existing = partner("Universität Wien", "AT", places, name_en="University of Vienna", name_zh="维也纳大学")
    rows = [["University of Vienna.", "AT"], ["維也納大學", "AT"]]
    for row in rows:
        report = run(["Name", "Country"], [row], actor=people.officer)
        assert report.counts["unchanged"] == 1, row
        assert report.rows[0].object_id == existing.pk
        assert report.rows[0].conflicts == []


def test_the_same_name_in_another_country_is_another_partner(places, people):
    partner("Universität Wien", "AT", places)
    report = run(["Name", "Country"], [["Universität Wien", "DE"]], actor=people.officer)
    assert report.counts["create"] == 1
    assert report.rows[0].possible_duplicates == []


def test_an_acronym_matches_only_in_the_same_country(places, people):
    mit = partner("Massachusetts Institute of Technology", "US", places, acronym="MIT")
    same = run(["Name", "Country"], [["MIT", "US"]], actor=people.officer)
    assert (same.counts["unchanged"], same.rows[0].object_id, same.rows[0].matched) == (1, mit.pk, "acronym")
    other = run(["Name", "Country"], [["MIT", "DE"]], actor=people.officer)
    assert other.counts["create"] == 1


@pytest.mark.parametrize(
    ("column", "value", "matched"),
    [
        ("ROR ID", "https://ror.org/038t36y30", "ROR ID"),
        ("Erasmus code", "d heidelb01", "Erasmus code"),
        ("PIC", "999 888 777", "PIC"),
        ("Website", "http://uni-heidelberg.de/", "website"),
    ],
)
def test_identifiers_find_the_partner_whatever_the_name(column, value, matched, places, people):
    existing = partner(
        "Ruprecht-Karls-Universität Heidelberg",
        "DE",
        places,
        ror_id="038t36y30",
        erasmus_code="D  HEIDELB01",
        pic="999888777",
        website="https://www.uni-heidelberg.de",
    )
    report = run(["Name", "Country", column], [["Heidelberg University", "DE", value]], actor=people.officer)
    assert report.ok, problems(report)
    assert report.rows[0].object_id == existing.pk
    assert report.rows[0].matched == matched


# --- near matches ---------------------------------------------------------------------------------------


def test_a_near_match_is_a_possible_duplicate_not_a_merge(places, people):
    existing = partner("Universität Heidelberg", "DE", places)
    report = run(["Name", "Country"], [["Universitat Heidelbreg", "DE"]], actor=people.officer)
    assert report.ok, problems(report)
    assert report.counts["create"] == 1
    assert report.rows[0].possible_duplicates == [
        {
            "id": existing.pk,
            "label": "Universität Heidelberg",
            "reason": "similar name: Universität Heidelberg",
        }
    ]
    committed = run(
        ["Name", "Country"], [["Universitat Heidelbreg", "DE"]], actor=people.officer, commit=True
    )
    assert committed.committed, problems(committed)
    assert Partner.objects.count() == 2


@pytest.mark.parametrize(
    ("stored", "typed", "typed_country"),
    [
        ("Universität Heidelberg", "Universitat Heidelbreg", "AT"),  # another country
        ("Université Paris 1", "Université Paris 8", "FR"),  # numbered universities are not typos
        ("Universität Heidelberg", "Universität Hamburg", "DE"),
    ],
)
def test_no_possible_duplicate_for_other_organisations(stored, typed, typed_country, places, people):
    partner(stored, "DE" if "Paris" not in stored else "FR", places)
    report = run(["Name", "Country"], [[typed, typed_country]], actor=people.officer)
    assert report.counts["create"] == 1
    assert report.rows[0].possible_duplicates == []


def test_near_matches_are_found_among_many_stored_partners(places, people):
    for number in range(300):
        partner(f"Hochschule Beispielstadt {number}", "DE", places)
    target = partner("Universität Heidelberg", "DE", places)
    report = run(["Name", "Country"], [["Universitaet Heidelbreg", "DE"]], actor=people.officer)
    assert [d["id"] for d in report.rows[0].possible_duplicates] == [target.pk]


# --- the same organisation twice in one file ------------------------------------------------------------


def test_two_spellings_of_one_partner_in_a_file_are_refused(places, people):
    rows = [["Universität Wien", "AT"], ["UNIVERSITAET WIEN.", "AT"]]
    report = run(["Name", "Country"], rows, actor=people.officer)
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (3, "Name", "the same partner as row 2")
    ]


def test_two_rows_matching_one_stored_partner_are_refused(places, people):
    partner("Universität Wien", "AT", places, name_en="University of Vienna")
    rows = [["Universität Wien", "AT"], ["University of Vienna", "AT"]]
    report = run(["Name", "Country"], rows, actor=people.officer)
    assert [(p.row, p.reason) for p in report.problems] == [(3, "the same partner as row 2")]


def test_near_identical_rows_in_a_file_are_noted(places, people):
    rows = [["Universität Heidelberg", "DE"], ["Universitat Heidelbreg", "DE"]]
    report = run(["Name", "Country"], rows, actor=people.officer)
    assert report.ok, problems(report)
    assert report.rows[0].possible_duplicates == []
    assert report.rows[1].possible_duplicates == [
        {
            "id": None,
            "label": "Universität Heidelberg",
            "reason": "similar name in row 2: Universität Heidelberg",
        }
    ]


# --- no silent overwrite --------------------------------------------------------------------------------

MOSCOW = "Московский государственный университет"


def test_an_english_row_does_not_replace_a_russian_official_name(places, people):
    msu = partner(MOSCOW, "RU", places, ror_id="010pmpe69")
    rows = [["Lomonosov Moscow State University", "RU", "010pmpe69"]]
    report = run(["Name", "Country", "ROR ID"], rows, actor=people.officer, commit=True)
    assert report.committed, problems(report)
    assert report.counts["update"] == 1
    assert report.rows[0].conflicts == []
    msu.refresh_from_db()
    assert msu.name == MOSCOW
    assert msu.name_en == "Lomonosov Moscow State University"


def test_an_english_name_unlike_the_stored_one_is_a_conflict(places, people):
    msu = partner(MOSCOW, "RU", places, ror_id="010pmpe69", name_en="Moscow State University")
    rows = [["Lomonosov Moscow State University", "RU", "010pmpe69"]]
    report = run(["Name", "Country", "ROR ID"], rows, actor=people.officer, commit=True)
    assert report.counts["unchanged"] == 1
    assert report.rows[0].conflicts == [
        {
            "field": "name_en",
            "column": "Name",
            "stored": "Moscow State University",
            "incoming": "Lomonosov Moscow State University",
        }
    ]
    msu.refresh_from_db()
    assert (msu.name, msu.name_en) == (MOSCOW, "Moscow State University")

    chosen = run(
        ["Name", "Country", "ROR ID"],
        rows,
        actor=people.officer,
        commit=True,
        decisions={"2": {"name_en": "file"}},
    )
    assert chosen.committed and chosen.rows[0].conflicts == []
    msu.refresh_from_db()
    assert (msu.name, msu.name_en) == (MOSCOW, "Lomonosov Moscow State University")


def test_umlauts_are_not_removed(places, people):
    wien = partner("Universität Wien", "AT", places, ror_id="03prydq77", city="Wien")
    rows = [["Universitat Wien", "Austria", "Wien", "03prydq77"]]
    report = run(["Name", "Country", "City", "ROR ID"], rows, actor=people.officer, commit=True)
    assert report.counts == {"create": 0, "update": 0, "unchanged": 1, "problems": 0}
    wien.refresh_from_db()
    assert wien.name == "Universität Wien"


def test_a_file_that_adds_accents_is_a_conflict_one_that_drops_them_no_change(places, people):
    """ "Zurich" stored and "Zürich" in the file: the file spells the city more fully, so the user decides;
    the other way round nothing changes (accents are never removed)."""
    plain = partner("ETH Zurich", "DE", places, ror_id="05a28rw58", city="Zurich")
    accented = partner("Universität Wien", "AT", places, ror_id="03prydq77", city="Wien Döbling")
    headers = ["Name", "Country", "City", "ROR ID"]
    rows = [
        ["ETH Zurich", "DE", "Zürich", "05a28rw58"],
        ["Universität Wien", "AT", "Wien Dobling", "03prydq77"],
    ]
    report = run(headers, rows, actor=people.officer)
    assert report.ok, problems(report)
    assert report.rows[0].conflicts == [
        {"field": "city", "column": "City", "stored": "Zurich", "incoming": "Zürich"}
    ]
    assert (report.rows[1].action, report.rows[1].conflicts) == ("unchanged", [])
    chosen = run(headers, rows, actor=people.officer, commit=True, decisions={"2": {"city": "file"}})
    assert chosen.committed, problems(chosen)
    plain.refresh_from_db()
    accented.refresh_from_db()
    assert (plain.city, accented.city) == ("Zürich", "Wien Döbling")


def test_a_website_with_or_without_www_is_the_same_site(places, people):
    partner("Universität Wien", "AT", places, ror_id="03prydq77", website="https://www.univie.ac.at")
    headers = ["Name", "Country", "Website", "ROR ID"]
    same = run(
        headers, [["Universität Wien", "AT", "https://univie.ac.at/", "03prydq77"]], actor=people.officer
    )
    assert (same.rows[0].action, same.rows[0].conflicts) == ("unchanged", [])
    other = run(
        headers, [["Universität Wien", "AT", "https://univie.ac.at/en", "03prydq77"]], actor=people.officer
    )
    assert [c["field"] for c in other.rows[0].conflicts] == ["website"]


def test_full_width_letters_are_not_stored(places, people):
    rows = [
        ["Ｍａｓｓａｃｈｕｓｅｔｔｓ　Ｉｎｓｔｉｔｕｔｅ", "US", "ＭＩＴ"],
        ["香港中文大学（深圳）", "CN", "ＣＵＨＫ－ＳＺ"],
    ]
    report = run(["Name", "Country", "Acronym"], rows, actor=people.officer, commit=True)
    assert report.committed, problems(report)
    assert Partner.objects.get(country="US").name == "Massachusetts Institute"
    assert Partner.objects.get(country="US").acronym == "MIT"
    assert Partner.objects.get(country="CN").name == "香港中文大学（深圳）"
    assert Partner.objects.get(country="CN").acronym == "CUHK-SZ"


def test_a_different_stored_value_is_kept_and_shown_a_blank_one_filled(places, people):
    stored = partner("Universität Heidelberg", "DE", places, city="Heidelberg", province="", status="active")
    rows = [["Universität Heidelberg", "DE", "Mannheim", "Baden-Württemberg", "Former"]]
    headers = ["Name", "Country", "City", "Province", "Status"]
    report = run(headers, rows, actor=people.officer, commit=True)
    assert report.committed, problems(report)
    assert report.rows[0].changes == ["Province"]
    assert report.rows[0].conflicts == [
        {"field": "city", "column": "City", "stored": "Heidelberg", "incoming": "Mannheim"},
        {"field": "status", "column": "Status", "stored": "Active", "incoming": "Former"},
    ]
    stored.refresh_from_db()
    assert (stored.city, stored.province, stored.status) == ("Heidelberg", "Baden-Württemberg", "active")

    chosen = run(headers, rows, actor=people.officer, commit=True, decisions={"2": {"city": "file"}})
    assert chosen.rows[0].changes == ["City"]
    assert [c["field"] for c in chosen.rows[0].conflicts] == ["status"]
    stored.refresh_from_db()
    assert (stored.city, stored.status) == ("Mannheim", "active")


def test_tags_are_added_not_replaced(places, people):
    stored = partner("Universität Heidelberg", "DE", places)
    services.partner_update(partner=stored, actor=None, tags=["Erasmus"])
    rows = [["Universität Heidelberg", "DE", "Europe"]]
    report = run(["Name", "Country", "Tags"], rows, actor=people.officer, commit=True)
    assert report.committed, problems(report)
    assert sorted(t.name for t in stored.tags.all()) == ["Erasmus", "Europe"]


# --- the services refuse a second partner under another spelling ---------------------------------------


def test_partner_create_refuses_a_name_variant_in_the_same_country(places):
    wien = partner("Universität Wien", "AT", places, name_en="University of Vienna")
    with pytest.raises(DuplicateError) as raised:
        services.partner_create(actor=None, name="Universitaet Wien", country=places["AT"])
    assert raised.value.existing == wien
    assert "same name" in raised.value.message
    with pytest.raises(DuplicateError):
        services.partner_create(
            actor=None, name="Wiener Universität", name_en="The University of Vienna.", country=places["AT"]
        )
    assert services.find_duplicate(names=("UNIVERSITY OF VIENNA",), country="AT") == (wien, "name")
    assert services.find_duplicate(names=("University of Vienna",), country="DE") is None
    assert services.partner_create(actor=None, name="Universität Wien", country=places["DE"]).pk


def test_an_older_pair_of_records_with_one_name_stays_editable(places):
    partner("Universität Wien", "AT", places)
    second = partner("Universitaet Wien", "AT", places)  # stored before the check existed
    services.partner_update(partner=second, actor=None, city="Wien")
    graz = partner("Universität Graz", "AT", places)
    with pytest.raises(DuplicateError):
        services.partner_update(partner=graz, actor=None, name="Universität  Wien.")


def test_a_list_with_only_chinese_and_english_names_under_a_merged_header(places, people):
    """院校名称 merged over 中文 | 英文, 国家/地区 and 城市 merged over both rows: no "Name" column, so the
    official name is the English one (else the Chinese one)."""
    from openpyxl import Workbook

    from meridian.core.tabular.tests.helpers import as_file

    book = Workbook()
    sheet = book.active
    sheet.append(["院校名称", None, "国家/地区", "城市"])
    sheet.append(["中文", "英文", None, None])
    sheet.append(["海德堡大学", "Heidelberg University", "德国", "Heidelberg"])
    sheet.append(["东京大学", "", "日本", "Tokyo"])
    sheet.merge_cells("A1:B1")
    sheet.merge_cells("C1:C2")
    sheet.merge_cells("D1:D2")
    data = io.BytesIO()
    book.save(data)
    report = run_import(
        importer=PartnerImporter, file=as_file(data.getvalue()), actor=people.officer, commit=True
    )
    assert report.committed, problems(report)
    heidelberg = Partner.objects.get(country="DE")
    assert (heidelberg.name, heidelberg.name_en, heidelberg.name_zh) == (
        "Heidelberg University",
        "Heidelberg University",
        "海德堡大学",
    )
    assert Partner.objects.get(country="JP").name == "东京大学"
