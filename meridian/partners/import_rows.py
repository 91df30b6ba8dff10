"""Spreadsheet import of partners: the columns, the row handler, and its registration as an import kind.

Rows are matched to stored partners by identifier (ROR ID, Erasmus code, PIC, website domain) and then by name
and country; creates and updates go through the partner services.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.accounts.permissions import can_write_university
from meridian.core.registry import ImportKind, registry
from meridian.core.tabular import columns as c
from meridian.core.tabular import parsing as p
from meridian.core.tabular.engine import PlannedRow, RowImporter, differs
from meridian.core.tabular.report import CREATE, UNCHANGED, UPDATE
from meridian.core.text import fold, normalise_domain
from meridian.partners.choices import PartnerType, RelationshipStatus

KIND = "partners"

# Chinese (and a few English) words for choice values, so that imports work without compiled translations.
PARTNER_TYPE_WORDS: dict[str, str] = {
    "大学": "university",
    "高校": "university",
    "高等院校": "university",
    "学院": "university",
    "研究机构": "research_institute",
    "研究所": "research_institute",
    "科研机构": "research_institute",
    "研究院": "research_institute",
    "企业": "enterprise",
    "公司": "enterprise",
    "company": "enterprise",
    "政府机构": "government",
    "政府部门": "government",
    "政府": "government",
    "government": "government",
    "国际组织": "international_organisation",
    "international organization": "international_organisation",
    "基金会": "foundation",
    "非政府组织": "foundation",
    "基金会/非政府组织": "foundation",
    "ngo": "foundation",
    "foundation": "foundation",
    "医院": "hospital",
    "其他": "other",
}

RELATIONSHIP_STATUS_WORDS: dict[str, str] = {
    "潜在": "prospect",
    "潜在合作": "prospect",
    "意向": "prospect",
    "洽谈中": "prospect",
    "活跃": "active",
    "合作中": "active",
    "有效": "active",
    "休眠": "dormant",
    "暂停": "dormant",
    "不活跃": "dormant",
    "以往": "former",
    "前合作伙伴": "former",
    "已终止": "former",
    "过去": "former",
}


def partner_columns() -> list[c.Column]:
    """The columns a partner spreadsheet may have, with English and Chinese headers and synonyms."""
    return [
        c.Column("name", "Name", "名称", required=True, synonyms=("Official name", "机构名称", "正式名称")),
        c.Column("name_en", "English name", "英文名称", synonyms=("Name (English)", "英文名")),
        c.Column("name_zh", "Chinese name", "中文名称", synonyms=("Name (Chinese)", "中文名")),
        c.Column("acronym", "Acronym", "简称", synonyms=("缩写",)),
        c.Column("kind", "Type", "类型", c.CHOICE, choices=PartnerType, synonyms=("机构类型",)),
        c.Column(
            "country",
            "Country",
            "国家",
            c.COUNTRY,
            required=True,
            synonyms=("国家或地区", "Country or region", "国家/地区"),
        ),
        c.Column("city", "City", "城市"),
        c.Column("province", "Province", "省/州", synonyms=("Province / state", "State", "省份", "州")),
        c.Column("website", "Website", "网站", c.WEBSITE, synonyms=("网址", "Web site", "URL")),
        c.Column("ror_id", "ROR ID", "ROR编号", c.ROR, synonyms=("ROR",)),
        c.Column("erasmus_code", "Erasmus code", "Erasmus代码", synonyms=("Erasmus",)),
        c.Column("pic", "PIC", "PIC代码", synonyms=("PIC code",)),
        c.Column("schac_code", "SCHAC code", "SCHAC代码", synonyms=("SCHAC",)),
        c.Column(
            "status",
            "Status",
            "合作状态",
            c.CHOICE,
            choices=RelationshipStatus,
            synonyms=("Relationship status", "状态"),
        ),
        c.Column(
            "cooperating_since",
            "Cooperating since",
            "合作起始",
            c.DATE,
            synonyms=("合作起始日期", "合作开始"),
        ),
        c.Column("tags", "Tags", "标签", c.LIST),
        c.Column("is_public", "Public", "公开", c.BOOL, synonyms=("Shown publicly", "是否公开")),
        c.Column("notes", "Notes", "备注", synonyms=("Internal notes", "内部备注")),
        c.Column("latitude", "Latitude", "纬度", c.DECIMAL),
        c.Column("longitude", "Longitude", "经度", c.DECIMAL),
    ]


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
    kind = KIND

    @classmethod
    def declared_columns(cls) -> list[c.Column]:
        return partner_columns()

    def prepare(self, rows: list[tuple[int, list[object]]]) -> None:
        self.countries = CountryIndex()
        self.partners = PartnerIndex(with_tags=True)
        self.lookups = {
            "kind": c.choice_lookup(PartnerType, PARTNER_TYPE_WORDS),
            "status": c.choice_lookup(RelationshipStatus, RELATIONSHIP_STATUS_WORDS),
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
            if existing is not None and other.pk != existing.pk:
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
        for name, value in changed.items():
            setattr(candidate, name, value)
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


def can_import_partners(user) -> bool:
    """Importing may change any partner, so it takes a university-wide write role (officer, administrator)."""
    return can_write_university(user)


registry.import_kinds.add(
    ImportKind(
        key=KIND,
        label=gettext_lazy("Partners"),
        handler=lambda: PartnerImporter,
        permission=can_import_partners,
        order=10,
    )
)
