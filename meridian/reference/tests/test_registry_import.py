"""Registry import from small files made in the test: formats, merging, re-import, refusals."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from meridian.reference.models import (
    Institution,
    InstitutionDomain,
    InstitutionName,
    InstitutionToken,
    RegistryImport,
)
from meridian.reference.registry_import import RegistryFileError, registry_import
from meridian.reference.tests.conftest import ROR_CSV_COLUMNS, ror_v2

pytestmark = pytest.mark.usefixtures("facts")


def _ror_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ROR_CSV_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({key: row.get(key, "") for key in ROR_CSV_COLUMNS})
    return path


HEIDELBERG = {
    "ror_id": "https://ror.org/038t36y30",
    "name": "Heidelberg University",
    "status": "active",
    "types": "education",
    "established": "1386",
    "country_code": "DE",
    "city": "Heidelberg",
    "lat": "49.41",
    "lng": "8.69",
    "website": "https://www.uni-heidelberg.de",
    "acronyms": "UH",
    "aliases": "Ruperto Carola",
    "labels": "de:Ruprecht-Karls-Universität Heidelberg|zh:海德堡大学",
    "release": "v2.1",
}
GRAZ = {
    "ror_id": "https://ror.org/01faaaf77",
    "name": "University of Graz",
    "country_code": "AT",
    "city": "Graz",
    "website": "https://www.uni-graz.at/en/",
    "labels": "de:Universität Graz",
    "release": "v2.2",
}


def _snapshot() -> tuple:
    return (
        sorted(Institution.objects.values_list("pk", "name", "status", "sources", "erasmus_code")),
        InstitutionName.objects.count(),
        InstitutionToken.objects.count(),
        InstitutionDomain.objects.count(),
        RegistryImport.objects.count(),
    )


def test_ror_csv_import_keeps_names_tokens_and_domains(tmp_path):
    result = registry_import(source="ror", path=_ror_csv(tmp_path / "ror.csv", [HEIDELBERG, GRAZ]))
    assert (result.created, result.updated, result.unchanged, result.withdrawn) == (2, 0, 0, 0)
    assert result.edition == "v2.2"
    inst = Institution.objects.get(ror_id="038t36y30")
    assert (inst.country_id, inst.city, inst.latitude, inst.established, inst.sources) == (
        "DE",
        "Heidelberg",
        49.41,
        1386,
        "ror",
    )
    names = set(inst.names.values_list("kind", "value", "language"))
    assert ("label", "海德堡大学", "zh") in names and ("acronym", "UH", "") in names
    assert ("label", "Ruprecht-Karls-Universität Heidelberg", "de") in names
    # Names are kept in search form: folded words joined by single spaces, so hyphens do not matter.
    assert inst.names.get(value="Ruprecht-Karls-Universität Heidelberg").normalised == (
        "ruprecht karls universitat heidelberg"
    )
    assert {"heidelberg", "ruprecht", "universitat", "海德堡大学", "uh"} <= set(
        inst.tokens.values_list("token", flat=True)
    )
    assert list(inst.domains.values_list("domain", flat=True)) == ["uni-heidelberg.de"]
    run = RegistryImport.objects.get()
    assert (run.source, run.file_name, run.created, run.total) == ("ror", "ror.csv", 2, 2)


def test_newer_edition_updates_in_place_and_withdraws_what_is_gone(tmp_path):
    registry_import(source="ror", path=_ror_csv(tmp_path / "v1.csv", [HEIDELBERG, GRAZ]))
    graz_pk = Institution.objects.get(ror_id="01faaaf77").pk
    again = registry_import(source="ror", path=_ror_csv(tmp_path / "v1.csv", [HEIDELBERG, GRAZ]))
    assert (again.created, again.updated, again.unchanged, again.withdrawn) == (0, 0, 2, 0)

    changed = {**HEIDELBERG, "city": "Heidelberg-Altstadt", "acronyms": "UH|RKU", "release": "v2.3"}
    newer = registry_import(source="ror", path=_ror_csv(tmp_path / "v2.csv", [changed]))
    assert (newer.created, newer.updated, newer.unchanged, newer.withdrawn) == (0, 1, 0, 1)
    heidelberg = Institution.objects.get(ror_id="038t36y30")
    assert heidelberg.city == "Heidelberg-Altstadt"
    assert heidelberg.names.filter(kind="acronym", value="RKU").exists()
    assert heidelberg.tokens.filter(token="rku").exists()
    graz = Institution.objects.get(pk=graz_pk)  # never deleted
    assert (graz.status, graz.sources) == ("withdrawn", "")
    assert RegistryImport.objects.count() == 3

    back = registry_import(source="ror", path=_ror_csv(tmp_path / "v3.csv", [changed, GRAZ]))
    assert (back.created, back.updated, back.unchanged, back.withdrawn) == (0, 1, 1, 0)
    assert Institution.objects.get(pk=graz_pk).status == "active"


def test_ror_v2_json_and_v1_json(tmp_path, write_json):
    record = ror_v2(
        "038t36y30",
        "Heidelberg University",
        website="https://www.uni-heidelberg.de/en",
        domains=["uni-heidelberg.de"],
        extra_names=[
            {"value": "Universität Heidelberg", "types": ["label"], "lang": "de"},
            {"value": "UHD", "types": ["acronym"], "lang": None},
        ],
    )
    result = registry_import(source="ror", path=write_json("v1.50-ror-data_schema_v2.json", [record]))
    assert result.created == 1
    inst = Institution.objects.get()
    assert (inst.name, inst.subdivision, inst.website, inst.types) == (
        "Heidelberg University",
        "Baden-Württemberg",
        "https://www.uni-heidelberg.de/en",
        "education",
    )
    assert inst.names.filter(kind="acronym", value="UHD").exists()

    v1 = {
        "id": "https://ror.org/01faaaf77",
        "name": "University of Graz",
        "status": "active",
        "types": ["Education"],
        "established": 1585,
        "links": ["https://www.uni-graz.at"],
        "aliases": ["Karl-Franzens-Universität Graz"],
        "acronyms": [],
        "labels": [{"label": "Universität Graz", "iso639": "de"}],
        "country": {"country_code": "AT"},
        "addresses": [{"lat": 47.07, "lng": 15.45, "city": "Graz"}],
    }
    registry_import(source="ror", path=write_json("v1.json", [v1]))
    graz = Institution.objects.get(ror_id="01faaaf77")
    assert (graz.country_id, graz.city, graz.types, graz.website) == (
        "AT",
        "Graz",
        "education",
        "https://www.uni-graz.at",
    )
    assert graz.names.filter(kind="alias", value="Karl-Franzens-Universität Graz").exists()


def test_ror_zip_as_published_prefers_the_schema_v2_file(tmp_path):
    path = tmp_path / "v1.50-2024-07-29-ror-data.zip"
    v1_record = {
        "id": "https://ror.org/038t36y30",
        "name": "Name from schema v1",
        "country": {"country_code": "DE"},
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("v1.50-2024-07-29-ror-data.json", json.dumps([v1_record]))
        archive.writestr(
            "v1.50-2024-07-29-ror-data_schema_v2.json", json.dumps([ror_v2("038t36y30", "Name v2")])
        )
        archive.writestr("v1.50-2024-07-29-ror-data.csv", "id,name\n")
    result = registry_import(source="ror", path=path)
    assert result.created == 1 and result.edition == "v1.50-2024-07-29-ror-data"
    assert Institution.objects.get().name == "Name v2"


def test_ror_zip_after_v2_became_the_default_skips_the_schema_v1_file(tmp_path):
    path = tmp_path / "v1.60-2025-02-27-ror-data.zip"
    v1_record = {
        "id": "https://ror.org/038t36y30",
        "name": "Name from schema v1",
        "country": {"country_code": "DE"},
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("v1.60-2025-02-27-ror-data_schema_v1.json", json.dumps([v1_record]))
        archive.writestr("v1.60-2025-02-27-ror-data.json", json.dumps([ror_v2("038t36y30", "Name v2")]))
    result = registry_import(source="ror", path=path)
    assert result.edition == "v1.60-2025-02-27-ror-data"
    assert Institution.objects.get().name == "Name v2"


@pytest.mark.parametrize(
    ("source", "name", "content", "message"),
    [
        ("ror", "dump.json", b'[{"id": "https://ror.org/038t36y30", "names": [', "not valid JSON"),
        ("ror", "dump.zip", b"PK\x03\x04 truncated", "not a readable ZIP"),
        ("ror", "subset.csv", b"id,title,country\n1,x,DE\n", "lacks the columns"),
        ("ror", "empty.csv", b"", "is empty"),
        ("ror", "header.csv", (",".join(ROR_CSV_COLUMNS) + "\n").encode(), "contains no institutions"),
        ("eche", "eche.csv", b"Code;Name\nA  GRAZ01;Graz\n", "No header row"),
        (
            "eche",
            "eche.csv",
            b"Erasmus Code,City\nA  GRAZ01,Graz\n",
            "lacks the columns: Legal Name, Country Cd",
        ),
        ("eche", "eche.xlsx", b"PK\x03\x04broken", "not a readable XLSX"),
        ("domains", "world.json", b'[{"name": "X", "alpha_two_code": "DE"}, {"na', "not valid JSON"),
        ("domains", "world.json", b'{"name": "X"}', "JSON list"),
    ],
)
def test_bad_files_are_refused_and_the_registry_is_left_as_it_was(tmp_path, source, name, content, message):
    registry_import(source="ror", path=_ror_csv(tmp_path / "good.csv", [HEIDELBERG, GRAZ]))
    before = _snapshot()
    bad = tmp_path / name
    bad.write_bytes(content)
    with pytest.raises(CommandError, match=message) as info:
        call_command("import-registry", source, str(bad))
    assert "registry is unchanged" in str(info.value)
    assert _snapshot() == before


def test_dry_run_reports_without_writing(tmp_path, capsys):
    path = _ror_csv(tmp_path / "ror.csv", [HEIDELBERG, GRAZ])
    call_command("import-registry", "ror", str(path), "--dry-run")
    assert "Dry run, nothing written: ror v2.2: 2 records, 2 created" in capsys.readouterr().out
    assert not Institution.objects.exists() and not RegistryImport.objects.exists()


def _eche_rows() -> list[list[str]]:
    return [
        [
            "A  GRAZ01",
            "999873188",
            "E10208800",
            "UNIVERSITAET GRAZ",
            "Graz",
            "AT",
            "www.uni-graz.at",
            "2021-01-01",
        ],
        [
            "B\u00a0 LALOUVI02",
            "949740590",
            "E10209221",
            "UNIVERSITE CATHOLIQUE DE LOUVAIN",
            "Louvain-la-Neuve",
            "BE",
            "https://uclouvain.be",
            "2021-01-01",
        ],
        [
            "G  ATHINE01",
            "999866883",
            "E10208495",
            "ETHNIKO KAI KAPODISTRIAKO PANEPISTIMIO ATHINON",
            "Athens",
            "EL",
            "",
            "2021-01-01",
        ],
    ]


def test_eche_csv_keeps_padding_normalises_nbsp_and_merges_with_ror_by_domain(tmp_path):
    registry_import(source="ror", path=_ror_csv(tmp_path / "ror.csv", [HEIDELBERG, GRAZ]))
    path = tmp_path / "eche_holders_2026-04-08.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Erasmus Code",
                "PIC",
                "OID",
                "Legal Name",
                "City",
                "Country Cd",
                "Website Url",
                "Erasmus Eche Start",
            ]
        )
        writer.writerows(_eche_rows())
    result = registry_import(source="eche", path=path)
    assert (result.created, result.updated, result.edition) == (2, 1, "2026-04-08")
    graz = Institution.objects.get(erasmus_code="A  GRAZ01")
    assert (
        graz.ror_id == "01faaaf77" and graz.name == "University of Graz"
    )  # ROR keeps the descriptive fields
    assert (graz.pic, graz.sources, str(graz.eche_start)) == ("999873188", "ror,eche", "2021-01-01")
    assert graz.names.filter(source="eche", value="UNIVERSITAET GRAZ").exists()
    louvain = Institution.objects.get(erasmus_code="B  LALOUVI02")
    assert louvain.erasmus_key == "BLALOUVI02" and louvain.website == "https://uclouvain.be"
    assert Institution.objects.get(erasmus_code="G  ATHINE01").country_id == "GR"


def test_eche_xlsx_with_renamed_headers_and_a_title_row(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["List of higher education institutions awarded the ECHE 2021-2027"])
    sheet.append([])
    sheet.append(
        [
            "ERASMUS CODE",
            "PIC",
            "OID",
            "Organisation Legal Name",
            "City",
            "Country",
            "Website",
            "ECHE start date",
        ]
    )
    for row in _eche_rows():
        sheet.append(row)
    path = tmp_path / "eche.xlsx"
    workbook.save(path)
    result = registry_import(source="eche", path=path)
    assert result.created == 3
    assert Institution.objects.get(erasmus_code="B  LALOUVI02").name == "UNIVERSITE CATHOLIQUE DE LOUVAIN"
    assert set(Institution.objects.values_list("sources", flat=True)) == {"eche"}


def test_domains_list_merges_by_domain_and_creates_the_rest(tmp_path, write_json):
    registry_import(source="ror", path=_ror_csv(tmp_path / "ror.csv", [HEIDELBERG]))
    entries = [
        {
            "name": "Universität Heidelberg",
            "alpha_two_code": "DE",
            "country": "Germany",
            "domains": ["uni-heidelberg.de", "stud.uni-heidelberg.de"],
            "web_pages": ["https://www.uni-heidelberg.de/"],
            "state-province": None,
        },
        {
            "name": "Hellenic College of Noah",
            "alpha_two_code": "GR",
            "country": "Greece",
            "domains": ["noah.edu.gr"],
            "web_pages": ["https://noah.edu.gr/"],
            "state-province": "Macedonia",
        },
    ]
    result = registry_import(source="domains", path=write_json("world.json", entries))
    assert (result.created, result.updated) == (1, 1)
    heidelberg = Institution.objects.get(ror_id="038t36y30")
    assert heidelberg.sources == "ror,domains" and heidelberg.name == "Heidelberg University"
    assert set(heidelberg.domains.values_list("domain", flat=True)) == {
        "uni-heidelberg.de",
        "stud.uni-heidelberg.de",
    }
    noah = Institution.objects.get(name="Hellenic College of Noah")
    assert (noah.country_id, noah.subdivision, noah.website) == ("GR", "Macedonia", "https://noah.edu.gr/")
    again = registry_import(source="domains", path=write_json("world.json", entries))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_command_prints_the_counts(tmp_path):
    out = io.StringIO()
    call_command("import-registry", "ror", str(_ror_csv(tmp_path / "ror.csv", [HEIDELBERG])), stdout=out)
    assert out.getvalue().strip() == "ror v2.1: 1 records, 1 created, 0 updated, 0 unchanged, 0 withdrawn"
    with pytest.raises(RegistryFileError, match="does not exist"):
        registry_import(source="ror", path=tmp_path / "missing.csv")
