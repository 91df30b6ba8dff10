"""Data migrations of the reference app, run on rows written in the earlier form."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from meridian.reference.models import Institution, InstitutionName, InstitutionToken

pytestmark = pytest.mark.django_db


def test_refold_brings_names_and_tokens_written_before_to_the_search_form():
    refold = importlib.import_module("meridian.reference.migrations.0003_refold_registry_names").refold
    tokyo = Institution.objects.create(name="The University of Tokyo", sources="ror")
    # As an earlier import wrote them: hyphens kept in the key, Japanese kanji not folded.
    InstitutionName.objects.create(
        institution=tokyo, kind="label", source="ror", value="東京大学", language="ja", normalised="東京大学"
    )
    InstitutionName.objects.create(
        institution=tokyo, kind="alias", source="ror", value="Tōkyō-Daigaku", normalised="tokyo-daigaku"
    )
    InstitutionToken.objects.create(institution=tokyo, token="東京大学", source="ror")
    editor = SimpleNamespace(quote_name=connection.ops.quote_name, connection=connection)
    refold(apps, editor)
    assert set(tokyo.names.values_list("normalised", flat=True)) == {"东京大学", "tokyo daigaku"}
    tokens = set(tokyo.tokens.values_list("token", flat=True))
    assert {"东京大学", "大学", "tokyo", "daigaku"} <= tokens and "東京大学" not in tokens
