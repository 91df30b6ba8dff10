"""Writes to the reference data: loading the facts encoded in the project."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from meridian.reference.data import eqf, isced
from meridian.reference.data.countries import countries
from meridian.reference.models import Country, EqfLevel, IscedField


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _upsert(model: type, pk_name: str, rows: list[dict]) -> LoadCounts:
    """Create missing rows and update changed ones, comparing field by field.

    Only the fields the given model has are written, so a migration's historical model can be loaded too.
    """
    counts = LoadCounts()
    known = {f.attname for f in model._meta.concrete_fields}
    rows = [{name: value for name, value in row.items() if name in known} for row in rows]
    existing = {getattr(obj, pk_name): obj for obj in model.objects.all()}
    to_create, to_update, fields = [], [], set()
    for row in rows:
        obj = existing.get(row[pk_name])
        if obj is None:
            to_create.append(model(**row))
            continue
        changed = [name for name, value in row.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, row[name])
            fields.update(changed)
            to_update.append(obj)
        else:
            counts.unchanged += 1
    model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, sorted(fields))
    counts.created, counts.updated = len(to_create), len(to_update)
    return counts


@transaction.atomic
def reference_load(
    *,
    country_model: type = Country,
    isced_model: type = IscedField,
    eqf_model: type = EqfLevel,
) -> dict[str, LoadCounts]:
    """Load countries (ISO 3166-1 with Kosovo), ISCED-F 2013 fields and EQF levels; running it again changes
    nothing.

    Returns {"countries" | "isced" | "eqf": LoadCounts(created, updated, unchanged)}. `meridian
    load-reference` and the data migration reference/0002 call it; the migration passes its historical
    models, so a database that has only been migrated has the reference data.
    """
    fields = [
        {
            "code": f["code"],
            "level": f["level"],
            "name_en": f["name_en"],
            "name_zh": f["name_zh"],
            "parent_id": f["parent"] or None,
        }
        for f in isced.fields()
    ]
    return {
        "countries": _upsert(country_model, "code", countries()),
        # Parents come before children in the facts, so one bulk insert satisfies the foreign key.
        "isced": _upsert(isced_model, "code", fields),
        "eqf": _upsert(eqf_model, "level", eqf.levels()),
    }
