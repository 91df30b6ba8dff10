"""The shared header words (``core.tabular.synonyms``) fit the partner and agreement imports' columns."""

import pytest

from meridian.core.tabular import columns as c
from meridian.core.tabular.synonyms import HEADER_SYNONYMS


@pytest.mark.parametrize("kind", ["partners", "agreements"])
def test_no_shared_word_falls_on_two_fields_of_one_kind(kind):
    if kind == "partners":
        from meridian.partners.import_rows import partner_columns as declared
    else:
        from meridian.agreements.import_rows import agreement_columns as declared
    columns = declared()
    owners: dict[str, str] = {}
    for column in columns:
        for text in column.headers:
            owners.setdefault(c._match_key(text), column.field)
    clashes = []
    for column in columns:
        for text in HEADER_SYNONYMS.get(column.field, ()):
            owner = owners.setdefault(c._match_key(text), column.field)
            if owner != column.field:
                clashes.append((text, column.field, owner))
    assert clashes == []


def test_every_declared_field_has_shared_words():
    from meridian.agreements.import_rows import agreement_columns
    from meridian.partners.import_rows import partner_columns

    declared = {col.field for col in [*partner_columns(), *agreement_columns()]}
    assert declared - set(HEADER_SYNONYMS) == set()
