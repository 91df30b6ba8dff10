"""Importing partner rows: match stored partners, plan creates and updates, apply them via the services."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from meridian.core.text import fold, normalise_domain
from meridian.imports import columns as c
from meridian.imports import parsing as p
from meridian.imports.engine import PlannedRow, RowImporter, differs
from meridian.imports.report import CREATE, UNCHANGED, UPDATE


def erasmus_key(code: str) -> str:
    """Erasmus codes keep their padding when stored; matching ignores it ("D  HEIDELB01" == "D HEIDELB01")."""
    return re.sub(r"\s+", "", code or "").upper()


class CountryIndex:
    """ISO code, alpha-3, English or Chinese name → Country, loaded once per import."""

    def __init__(self) -> None:
        from meridian.reference.models import Country

        self.by_key: dict[str, Any] = {}
        for country in Country.objects.all():
            for key in (country.name_en, country.name_zh, country.alpha3, country.code):
                if key:
                    self.by_key[c.header_key(key)] = country

    def find(self, value: object) -> Any:
        text = p.as_text(value)
        found = self.by_key.get(c.header_key(text))
        if found is None:
            raise p.CellError(_("“%(value)s” is not a known country or region") % {"value": text})
        return found


class PartnerIndex:
    """Every partner by identifier, website domain and name, for matching rows to stored records."""

    def __init__(self, *, with_tags: bool) -> None:
        from meridian.partners.models import Partner

        queryset = Partner.objects.select_related("country")
        if with_tags:
            queryset = queryset.prefetch_related("tags")
        self.by_ror: dict[str, Any] = {}
        self.by_erasmus: dict[str, Any] = {}
        self.by_pic: dict[str, Any] = {}
        self.by_domain: dict[str, Any] = {}
        self.by_name: dict[str, list[Any]] = {}
        for partner in queryset:
            if partner.ror_id:
                self.by_ror[partner.ror_id.lower()] = partner
            if partner.erasmus_code:
                self.by_erasmus[erasmus_key(partner.erasmus_code)] = partner
            if partner.pic:
                self.by_pic[partner.pic] = partner
            if partner.website_domain:
                self.by_domain.setdefault(partner.website_domain, partner)
            for name in {partner.name, partner.name_en, partner.name_zh}:
                if name:
                    self.by_name.setdefault(fold(name), []).append(partner)

    def by_identifiers(self, fields: dict[str, Any]) -> list[tuple[str, Any]]:
        """(field, partner) for each identifier in `fields` that already belongs to a partner."""
        found = []
        if fields.get("ror_id") and fields["ror_id"] in self.by_ror:
            found.append(("ror_id", self.by_ror[fields["ror_id"]]))
        if fields.get("erasmus_code") and erasmus_key(fields["erasmus_code"]) in self.by_erasmus:
            found.append(("erasmus_code", self.by_erasmus[erasmus_key(fields["erasmus_code"])]))
        if fields.get("pic") and fields["pic"] in self.by_pic:
            found.append(("pic", self.by_pic[fields["pic"]]))
        domain = normalise_domain(fields.get("website", ""))
        if domain and domain in self.by_domain:
            found.append(("website", self.by_domain[domain]))
        return found

    def by_name_and_country(self, name: str, country_code: str) -> Any:
        for partner in self.by_name.get(fold(name), []):
            if partner.country_id == country_code:
                return partner
        return None


class PartnerImporter(RowImporter):
    kind = c.PARTNERS

    def prepare(self, rows: list[tuple[int, list[object]]]) -> None:
        from meridian.partners.choices import PartnerType, RelationshipStatus

        self.countries = CountryIndex()
        self.partners = PartnerIndex(with_tags=True)
        self.lookups = {
            "kind": c.choice_lookup(PartnerType, "kind:partners"),
            "status": c.choice_lookup(RelationshipStatus, "status:partners"),
        }
        # identity key → first row that used it, so that a file cannot name the same partner twice.
        self.seen: dict[tuple[str, str], int] = {}

    def resolve(self, column: c.Column, value: object) -> Any:
        if column.parse == c.COUNTRY:
            return self.countries.find(value)
        if column.parse == c.CHOICE:
            return p.parse_choice(value, self.lookups[column.field])
        raise p.CellError(_("cannot be read"))

    def _identity_keys(self, fields: dict[str, Any]) -> list[tuple[str, str]]:
        keys = []
        if fields.get("ror_id"):
            keys.append(("ror_id", fields["ror_id"]))
        if fields.get("erasmus_code"):
            keys.append(("erasmus_code", erasmus_key(fields["erasmus_code"])))
        if fields.get("pic"):
            keys.append(("pic", fields["pic"]))
        if normalise_domain(fields.get("website", "")):
            keys.append(("website", normalise_domain(fields["website"])))
        keys.append(("name", f"{fold(fields['name'])}|{fields['country'].pk}"))
        return keys

    def plan(self, number: int, values: dict[str, Any]) -> PlannedRow | None:
        from meridian.partners.models import Partner

        tags = values.pop("tags", None)
        fields = values
        # Stored the way the partner services store them, so that a re-import compares like with like.
        if "erasmus_code" in fields:
            fields["erasmus_code"] = fields["erasmus_code"].upper()
        if "pic" in fields:
            fields["pic"] = re.sub(r"\s+", "", fields["pic"])
        for key in self._identity_keys(fields):
            if key in self.seen:
                column = self.header(key[0])
                self.report.problem(
                    number, column, _("the same partner as row %(row)s") % {"row": self.seen[key]}
                )
                return None
        for key in self._identity_keys(fields):
            self.seen[key] = number

        matches = self.partners.by_identifiers(fields)
        existing = matches[0][1] if matches else None
        for field_name, other in matches[1:]:
            if other.pk != existing.pk:
                self.report.problem(
                    number,
                    self.header(field_name),
                    _("already belongs to another partner (%(other)s) than the one matched by %(column)s")
                    % {"other": other.name, "column": self.header(matches[0][0])},
                )
                return None
        if existing is None:
            existing = self.partners.by_name_and_country(fields["name"], fields["country"].pk)

        if existing is None:
            if not self.validate_model(number, Partner(**fields), set(fields) - {"country"}):
                return None
            return PlannedRow(
                row=number, action=CREATE, label=fields["name"], fields=fields, extra={"tags": tags}
            )

        changed = {k: v for k, v in fields.items() if differs(getattr(existing, k), v)}
        if "website" in changed and existing.website.rstrip("/") == changed["website"].rstrip("/"):
            changed.pop("website")  # a trailing slash is not a change
        tags_change = tags is not None and sorted(tags) != sorted(t.name for t in existing.tags.all())
        candidate = Partner(
            **{f.attname: getattr(existing, f.attname) for f in Partner._meta.concrete_fields}
        )
        for key, value in changed.items():
            setattr(candidate, key, value)
        if not self.validate_model(number, candidate, set(changed) - {"country"}):
            return None
        action = UPDATE if changed or tags_change else UNCHANGED
        changes = [self.header(k) for k in changed] + ([self.header("tags")] if tags_change else [])
        return PlannedRow(
            row=number,
            action=action,
            label=existing.name,
            instance=existing,
            fields=changed,
            extra={"tags": tags if tags_change else None},
            changes=changes,
        )

    def apply(self, planned: PlannedRow) -> Any:
        from meridian.partners import services

        if planned.action == CREATE:
            return services.partner_create(actor=self.actor, tags=planned.extra.get("tags"), **planned.fields)
        return services.partner_update(
            partner=planned.instance, actor=self.actor, tags=planned.extra.get("tags"), **planned.fields
        )
