"""A small institution registry for the partner tests, imported through the real registry pipeline."""

from __future__ import annotations

import csv
from pathlib import Path

from meridian.reference.registry_import import registry_import
from meridian.reference.services import reference_load
from meridian.reference.tests.conftest import ROR_CSV_COLUMNS

OXFORD = "052gg0110"
BROOKES = "04v2twj65"
VIENNA = "03prydq77"
TEXAS_AM = "01f5ytq51"
SMU_CANADA = "010zh7098"
SMU_TEXAS = "042tdr378"

ROWS = [
    # ror_id, name, country, city, website, aliases, acronyms, labels
    (OXFORD, "University of Oxford", "GB", "Oxford", "https://www.ox.ac.uk", "", "", "zh:牛津大学"),
    (BROOKES, "Oxford Brookes University", "GB", "Oxford", "https://www.brookes.ac.uk", "", "OBU", ""),
    (VIENNA, "University of Vienna", "AT", "Vienna", "https://univie.ac.at", "", "", "de:Universität Wien"),
    # A name with an ampersand and a city with markup: both must reach the page escaped.
    (TEXAS_AM, "Texas A&M University", "US", "College Station <script>x()</script>", "", "", "TAMU", ""),
    # One name, two countries.
    (SMU_CANADA, "Saint Mary's University", "CA", "Halifax", "https://www.smu.ca", "", "", ""),
    (SMU_TEXAS, "Saint Mary's University", "US", "San Antonio", "https://www.stmarytx.edu", "", "", ""),
]


def load_registry(tmp_path: Path) -> None:
    """The reference facts, the ROR rows above and one Erasmus charter holder (merged into Vienna)."""
    reference_load()
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
                    "domains": website.split("//", 1)[-1].removeprefix("www.") if website else "",
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
