"""The registry look-up reads German umlauts typed as "ue", "ae", "oe" (or without dots) as the umlauts, in
names and word prefixes; names merely containing such letters ("Samuel", "Queen") still find themselves."""

from __future__ import annotations

import csv
import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from meridian.reference.folding import search_fold, search_name, search_words
from meridian.reference.models import Institution, InstitutionName, InstitutionToken
from meridian.reference.registry_import import registry_import
from meridian.reference.selectors import registry_lookup
from meridian.reference.tests.conftest import ROR_CSV_COLUMNS

LMU = "Ludwig-Maximilians-Universität München"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("München", "munchen"),
        ("Muenchen", "munchen"),
        ("MUNCHEN", "munchen"),
        ("ＭＵＥＮＣＨＥＮ", "munchen"),
        ("Universitaet Goettingen", "universitat gottingen"),
        ("Straße", "strasse"),
        ("Samuel", "samul"),  # folded alike on both sides, so "Samuel" finds "Samuel"
    ],
)
def test_search_fold_reads_umlaut_spellings_alike(text, folded):
    assert search_fold(text) == folded


def test_search_words_fold_each_word():
    assert search_words("Ludwig-Maximilians-Universitaet Muenchen") == search_words(LMU)
    assert search_name(LMU) == "ludwig maximilians universitat munchen"


@pytest.fixture
def umlaut_registry(facts, tmp_path: Path) -> None:
    path = tmp_path / "ror.csv"
    rows = [
        ("02jet3w32", LMU, "DE", "Munich", "https://www.lmu.de"),
        ("01an3r305", "Samuel Merritt University", "US", "Oakland", "https://www.samuelmerritt.edu"),
        ("026zzn846", "Queen Mary University of London", "GB", "London", "https://www.qmul.ac.uk"),
        ("00f7hpc57", "Universität Wien", "AT", "Vienna", "https://www.univie.ac.at"),
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ROR_CSV_COLUMNS)
        writer.writeheader()
        for ror_id, name, country, city, website in rows:
            writer.writerow(
                {
                    "ror_id": f"https://ror.org/{ror_id}",
                    "name": name,
                    "country_code": country,
                    "city": city,
                    "website": website,
                    "lat": "48.15",
                    "lng": "11.58",
                }
            )
    registry_import(source="ror", path=path)


@pytest.mark.django_db
def test_lookup_finds_munich_in_every_spelling(umlaut_registry):
    for query in (
        "muenchen",
        "munchen",
        "MÜNCHEN",
        "Muenchen",
        "mue",
        "ludwig maximilians universitaet muenchen",
    ):
        assert [inst.name for inst in registry_lookup(query=query)][:1] == [LMU], query


@pytest.mark.django_db
def test_lookup_still_finds_names_with_ue_that_are_no_umlauts(umlaut_registry):
    for query, expected in [
        ("Samuel", "Samuel Merritt University"),
        ("samuel merritt", "Samuel Merritt University"),
        ("Queen", "Queen Mary University of London"),
        ("queen mary", "Queen Mary University of London"),
        ("universitaet wien", "Universität Wien"),
    ]:
        assert [inst.name for inst in registry_lookup(query=query)][:1] == [expected], query


@pytest.mark.django_db
def test_migration_refolds_names_and_tokens_written_in_the_earlier_form(facts):
    refold = importlib.import_module(
        "meridian.reference.migrations.0004_refold_registry_umlaut_spellings"
    ).refold
    lmu = Institution.objects.create(name=LMU, sources="ror")
    samuel = Institution.objects.create(name="Samuel Merritt University", sources="ror")
    # As the earlier folding wrote them: "ue" kept.
    InstitutionName.objects.create(
        institution=lmu, kind="alias", source="ror", value="LMU Muenchen", normalised="lmu muenchen"
    )
    InstitutionName.objects.create(
        institution=lmu,
        kind="name",
        source="ror",
        value=LMU,
        normalised="ludwig maximilians universitat munchen",
    )
    InstitutionToken.objects.create(institution=lmu, token="muenchen", source="ror")
    InstitutionName.objects.create(
        institution=samuel,
        kind="name",
        source="ror",
        value="Samuel Merritt University",
        normalised="samuel merritt university",
    )
    InstitutionToken.objects.create(institution=samuel, token="samuel", source="ror")
    editor = SimpleNamespace(quote_name=connection.ops.quote_name, connection=connection)

    refold(apps, editor)

    assert set(lmu.names.values_list("normalised", flat=True)) == {
        "lmu munchen",
        "ludwig maximilians universitat munchen",
    }
    assert "muenchen" not in set(lmu.tokens.values_list("token", flat=True))
    assert {"munchen", "ludwig", "lmu"} <= set(lmu.tokens.values_list("token", flat=True))
    assert set(samuel.tokens.values_list("token", flat=True)) == {"samul", "merritt", "university"}
    assert [inst.name for inst in registry_lookup(query="muenchen")] == [LMU]
    assert [inst.name for inst in registry_lookup(query="Samuel")] == ["Samuel Merritt University"]


@pytest.mark.django_db
def test_migration_runs_on_an_empty_registry():
    refold = importlib.import_module(
        "meridian.reference.migrations.0004_refold_registry_umlaut_spellings"
    ).refold
    refold(apps, SimpleNamespace(quote_name=connection.ops.quote_name, connection=connection))
    assert not InstitutionName.objects.exists() and not InstitutionToken.objects.exists()
