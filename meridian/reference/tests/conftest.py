"""Fixtures of the reference tests: loaded facts, small registry files, and the shared data folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from django.conf import settings

from meridian.reference.registry_import import registry_import
from meridian.reference.services import reference_load

ROR_CSV_COLUMNS = [
    "ror_id",
    "name",
    "status",
    "types",
    "established",
    "country_code",
    "country_name",
    "subdivision",
    "city",
    "lat",
    "lng",
    "website",
    "domains",
    "aliases",
    "acronyms",
    "labels",
    "wikidata",
    "grid",
    "isni",
    "release",
]

SHARED = Path(settings.BASE_DIR).parent / "shared" / "data"


def shared_file(name: str) -> Path:
    """A file of the shared reference data, or skip when the folder is not there."""
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"shared reference data not available: {name} is missing from ../shared/data")
    return path


@pytest.fixture
def facts(db) -> None:
    reference_load()


def ror_v2(
    ror_id: str,
    name: str,
    *,
    country: str = "DE",
    city: str = "Heidelberg",
    website: str = "",
    domains: list[str] | None = None,
    extra_names: list[dict] | None = None,
    status: str = "active",
) -> dict:
    """A ROR record in schema v2, as the data dump has it."""
    return {
        "id": f"https://ror.org/{ror_id}",
        "names": [{"value": name, "types": ["ror_display", "label"], "lang": "en"}, *(extra_names or [])],
        "locations": [
            {
                "geonames_id": 1,
                "geonames_details": {
                    "name": city,
                    "lat": 49.4,
                    "lng": 8.7,
                    "country_code": country,
                    "country_name": country,
                    "country_subdivision_name": "Baden-Württemberg",
                },
            }
        ],
        "links": [{"type": "website", "value": website}] if website else [],
        "domains": domains or [],
        "external_ids": [{"type": "grid", "all": ["grid.7700.0"], "preferred": "grid.7700.0"}],
        "status": status,
        "types": ["education"],
        "established": 1386,
    }


@pytest.fixture
def write_json(tmp_path: Path):
    def write(name: str, data: object) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return path

    return write


ROWS = [
    # ror_id, name, country, city, website, aliases, acronyms, labels
    ("052gg0110", "University of Oxford", "GB", "Oxford", "https://www.ox.ac.uk", "", "", "zh:牛津大学"),
    ("04v2twj65", "Oxford Brookes University", "GB", "Oxford", "https://www.brookes.ac.uk", "", "OBU", ""),
    (
        "03prydq77",
        "University of Vienna",
        "AT",
        "Vienna",
        "https://univie.ac.at",
        "Alma Mater Rudolphina",
        "",
        "de:Universität Wien",
    ),
    (
        "05a28rw58",
        "ETH Zurich",
        "CH",
        "Zurich",
        "https://ethz.ch",
        "",
        "ETH|ETHZ",
        "de:Eidgenössische Technische Hochschule Zürich",
    ),
    ("02v51f717", "Peking University", "CN", "Beijing", "https://www.pku.edu.cn", "", "PKU", "zh:北京大学"),
    (
        "01oxf0r89",
        "Oxford College of Engineering",
        "NP",
        "Kathmandu",
        "https://oxfordcollege.edu.np",
        "",
        "",
        "",
    ),
]


@pytest.fixture
def registry(facts: None, tmp_path: Path) -> None:
    """Six ROR records and one ECHE holder, imported through the real pipeline."""
    path = tmp_path / "ror.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ROR_CSV_COLUMNS)
        writer.writeheader()
        for ror_id, name, country, city, website, aliases, acronyms, labels in ROWS:
            writer.writerow(
                {
                    "ror_id": f"https://ror.org/{ror_id}",
                    "name": name,
                    "country_code": country,
                    "city": city,
                    "website": website,
                    "aliases": aliases,
                    "acronyms": acronyms,
                    "labels": labels,
                    "lat": "51.75",
                    "lng": "-1.25",
                }
            )
    registry_import(source="ror", path=path)
    eche = tmp_path / "eche.csv"
    eche.write_text(
        "Erasmus Code,PIC,Legal Name,City,Country Cd,Website Url\n"
        "A  WIEN01,999904689,UNIVERSITAT WIEN,Wien,AT,https://www.univie.ac.at\n",
        encoding="utf-8",
    )
    registry_import(source="eche", path=eche)
