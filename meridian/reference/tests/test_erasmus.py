"""Erasmus codes: the official padded form from any typed form, the look-up key, and the registry look-up."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from meridian.reference.erasmus import (
    ErasmusCodeError,
    erasmus_country,
    erasmus_key,
    is_erasmus_code,
    normalise_erasmus_code,
)
from meridian.reference.models import Institution
from meridian.reference.registry_import import registry_import
from meridian.reference.selectors import registry_lookup
from meridian.reference.tests.conftest import shared_file


@pytest.mark.parametrize(
    ("typed", "official"),
    [
        ("D  HEIDELB01", "D  HEIDELB01"),
        ("d heidelb01", "D  HEIDELB01"),
        ("DHEIDELB01", "D  HEIDELB01"),
        ("D-HEIDELB01", "D  HEIDELB01"),
        ("D.HEIDELB01", "D  HEIDELB01"),
        (" d\u00a0 heidelb01 ", "D  HEIDELB01"),
        ("Ｄ　ＨＥＩＤＥＬＢ０１", "D  HEIDELB01"),  # full-width, as typed with a Chinese input method
        ("E  BARCELO101", "E  BARCELO101"),  # three-digit number
        ("e barcelo101", "E  BARCELO101"),
        ("EBARCELO101", "E  BARCELO101"),
        ("DK FREDERICIA01", "DK FREDERICIA01"),  # long city part
        ("dkfredericia01", "DK FREDERICIA01"),
        ("DK FREDERICIA 01", "DK FREDERICIA01"),  # as the Commission's list spells this one
        ("IRLDUBLIN01", "IRLDUBLIN01"),  # three-letter prefix: no padding
        ("irl dublin01", "IRLDUBLIN01"),
        ("LUXLUX-VIL01", "LUXLUX-VIL01"),  # hyphen inside the city part
        ("F  ST-DENIS17", "F  ST-DENIS17"),
        ("f st-denis17", "F  ST-DENIS17"),
        ("SF HELSINK01", "SF HELSINK01"),
        ("uk london01", "UK LONDON01"),
        ("F  VERDUN1", "F  VERDUN1"),  # one-digit number, as published
        ("XK PRISHTI01", "XK PRISHTI01"),
        ("BE BRUGGE11", "BE BRUGGE11"),  # an irregular prefix of the published list, kept when separated
    ],
)
def test_typed_codes_become_the_official_padded_form(typed, official):
    assert normalise_erasmus_code(typed) == official


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "The Erasmus code is empty."),
        ("X  HEIDELB01", "does not start with an Erasmus country prefix"),
        ("CN BEIJING01", "does not start with an Erasmus country prefix"),
        ("D  HEIDELB", "is not an Erasmus code"),
        ("D  01", "is not an Erasmus code"),
        ("D  HEIDELB0001", "is not an Erasmus code"),
        ("D  HEIDEL B01", "D  HEIDELB01"),  # not an error: a space inside the city part is dropped
    ],
)
def test_codes_that_are_not_erasmus_codes_are_refused_with_a_reason(typed, message):
    if message == "D  HEIDELB01":
        assert normalise_erasmus_code(typed) == message
        return
    with pytest.raises(ErasmusCodeError) as caught:
        normalise_erasmus_code(typed)
    assert message in caught.value.message
    assert not is_erasmus_code(typed)


def test_key_and_country_of_a_code():
    assert erasmus_key("a  graz01") == "AGRAZ01"
    assert erasmus_key("E\u00a0 BARCELO100") == "EBARCELO100"
    assert [erasmus_country(c) for c in ("D  HEIDELB01", "SF HELSINK01", "G  ATHINE01", "UK LONDON01")] == [
        "DE",
        "FI",
        "GR",
        "GB",
    ]
    assert erasmus_country("IRLDUBLIN01") == "IE"


def _published_codes() -> list[dict[str, str]]:
    with shared_file("eche_holders_2026-04-08.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# The three codes of the published list whose spelling is not the padded form (spaces inside, no padding).
IRREGULAR = {
    "DK FREDERICIA 01": "DK FREDERICIA01",
    "F  PARIS 063": "F  PARIS063",
    "RSPROKUP01": "RS PROKUP01",
}


@pytest.mark.shared_data
def test_every_charter_holder_code_round_trips_through_normalise_and_key():
    rows = _published_codes()
    assert len(rows) == 6142
    eu_codes = {"EL": "GR", "UK": "GB"}
    for row in rows:
        published = row["Erasmus Code"]
        official = normalise_erasmus_code(published)
        assert official == IRREGULAR.get(published, published.replace("\u00a0", " ")), published
        assert erasmus_key(official) == erasmus_key(published)
        for typed in (official.lower(), erasmus_key(official), " ".join(official.split())):
            assert erasmus_key(normalise_erasmus_code(typed)) == erasmus_key(official), typed
        country = eu_codes.get(row["Country Cd"], row["Country Cd"])
        # One Dutch institution holds a Belgian code (a cross-border university).
        assert erasmus_country(official) == country or published == "B  DIEPENB07", published
    keys = [erasmus_key(row["Erasmus Code"]) for row in rows]
    assert len(set(keys)) == len(keys)  # the key tells every charter holder apart


@pytest.fixture
def charter_holders(facts, tmp_path: Path) -> None:
    path = tmp_path / "eche.csv"
    path.write_text(
        "Erasmus Code,PIC,Legal Name,City,Country Cd,Website Url\n"
        "E  BARCELO101,999000101,Institut Montserrat Roig,Barcelona,ES,\n"
        "DK FREDERICIA 01,999000102,FREDERICIA MASKINMESTERSKOLE,Fredericia,DK,\n"
        "IRLDUBLIN01,999000103,Trinity College Dublin,Dublin,IE,\n"
        "E\u00a0 BARCELO100,999000104,EA La Industrial,Barcelona,ES,\n"
        "XK PRISHTI01,999000105,University of Prishtina,Prishtina,XK,\n",
        encoding="utf-8",
    )
    registry_import(source="eche", path=path)


@pytest.mark.django_db
@pytest.mark.usefixtures("charter_holders")
@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("E  BARCELO101", "Institut Montserrat Roig"),
        ("e barcelo101", "Institut Montserrat Roig"),
        ("EBARCELO101", "Institut Montserrat Roig"),
        ("E-BARCELO101", "Institut Montserrat Roig"),
        ("DK FREDERICIA01", "FREDERICIA MASKINMESTERSKOLE"),
        ("dk fredericia 01", "FREDERICIA MASKINMESTERSKOLE"),
        ("DKFREDERICIA01", "FREDERICIA MASKINMESTERSKOLE"),
        ("IRL DUBLIN01", "Trinity College Dublin"),
        ("irldublin01", "Trinity College Dublin"),
        ("E BARCELO100", "EA La Industrial"),
        ("Ｅ　ＢＡＲＣＥＬＯ１００", "EA La Industrial"),
        ("xk prishti01", "University of Prishtina"),
    ],
)
def test_the_registry_finds_charter_holders_by_their_code_in_any_form(query, name):
    assert [inst.name for inst in registry_lookup(query=query, limit=1)] == [name]


@pytest.mark.django_db
@pytest.mark.usefixtures("charter_holders")
def test_the_registry_stores_the_official_form():
    stored = dict(Institution.objects.values_list("pic", "erasmus_code"))
    assert stored["999000102"] == "DK FREDERICIA01"
    assert stored["999000104"] == "E  BARCELO100"  # the non-breaking space of the list is gone
    assert Institution.objects.get(pic="999000105").country_id == "XK"  # Kosovo is a known territory
