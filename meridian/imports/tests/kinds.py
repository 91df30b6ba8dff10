"""An import kind registered only by the tests: proves the hub works for kinds it has never heard of."""

from __future__ import annotations

from typing import Any

from meridian.core.tabular import columns as c
from meridian.core.tabular.engine import PlannedRow, RowImporter, differs
from meridian.core.tabular.report import CREATE, UNCHANGED, UPDATE
from meridian.reference.models import Country

KEY = "test-countries"


class CountryImporter(RowImporter):
    kind = KEY

    @classmethod
    def declared_columns(cls) -> list[c.Column]:
        return [
            c.Column("code", "Code", "代码", required=True),
            c.Column("alpha3", "Alpha-3", "三字母代码", required=True),
            c.Column("name_en", "English name", "英文名称", required=True),
            c.Column("name_zh", "Chinese name", "中文名称"),
        ]

    def resolve(self, column: c.Column, value: object) -> Any:
        raise AssertionError("no look-up columns")

    def plan(self, number: int, values: dict[str, Any]) -> PlannedRow | None:
        existing = Country.objects.filter(pk=values["code"]).first()
        if existing is None:
            return PlannedRow(row=number, action=CREATE, label=values["code"], fields=values)
        changed = {k: v for k, v in values.items() if differs(getattr(existing, k), v)}
        return PlannedRow(
            row=number,
            action=UPDATE if changed else UNCHANGED,
            label=existing.code,
            instance=existing,
            fields=changed,
            changes=[self.header(k) for k in changed],
        )

    def apply(self, planned: PlannedRow) -> Country:
        country = planned.instance or Country()
        for key, value in planned.fields.items():
            setattr(country, key, value)
        country.full_clean()
        country.save()
        return country
