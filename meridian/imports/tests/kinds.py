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


MERGE_KEY = "test-merge-countries"


class MergingCountryImporter(CountryImporter):
    """Like ``CountryImporter``, but a stored value is a conflict the user decides (default: keep stored).

    Blank stored fields are filled; a stored English name also held by another code is a possible duplicate.
    It shows that the hub carries conflicts, possible duplicates, the match reason and the user's decisions.
    """

    kind = MERGE_KEY

    @classmethod
    def declared_columns(cls) -> list[c.Column]:
        return [
            c.Column("code", "Code", "代码", required=True),
            c.Column("alpha3", "Alpha-3", "三字母代码"),
            c.Column("name_en", "English name", "英文名称", required=True),
            c.Column("name_zh", "Chinese name", "中文名称"),
        ]

    def plan(self, number: int, values: dict[str, Any]) -> PlannedRow | None:
        existing = Country.objects.filter(pk=values["code"]).first()
        same_name = Country.objects.filter(name_en=values["name_en"]).exclude(pk=values["code"]).first()
        duplicates = (
            [{"id": same_name.pk, "label": same_name.name_en, "reason": "same English name"}]
            if same_name
            else []
        )
        if existing is None:
            return PlannedRow(
                row=number,
                action=CREATE,
                label=values["code"],
                fields=values,
                possible_duplicates=duplicates,
            )
        chosen = self.decisions.get(str(number), {})
        changed: dict[str, Any] = {}
        conflicts: list[dict] = []
        for key, value in values.items():
            stored = getattr(existing, key)
            if not differs(stored, value):
                continue
            if stored in (None, "") or chosen.get(key) == "file":
                changed[key] = value
            if stored not in (None, ""):
                conflicts.append(
                    {"field": key, "column": self.header(key), "stored": str(stored), "incoming": str(value)}
                )
        return PlannedRow(
            row=number,
            action=UPDATE if changed else UNCHANGED,
            label=existing.code,
            instance=existing,
            fields=changed,
            changes=[self.header(k) for k in changed],
            conflicts=conflicts,
            possible_duplicates=duplicates,
            matched="code",
        )
