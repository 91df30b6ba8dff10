"""Apply parsed registry records: match, merge, update in place and withdraw, in one transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from meridian.reference.folding import search_name
from meridian.reference.models import (
    Country,
    Institution,
    InstitutionDomain,
    InstitutionName,
    InstitutionToken,
    RegistryImport,
)
from meridian.reference.registry_import.records import Parsed, Record, domains_key, erasmus_key
from meridian.reference.tokens import name_tokens

# A source sets the shared descriptive fields only when no source ranked before it describes the institution.
PRIORITY = ["ror", "eche", "domains"]
BASE_FIELDS = ["name", "country_id", "subdivision", "city", "latitude", "longitude", "website", "status"]
OWN_FIELDS = {
    "ror": ["ror_id", "types", "established"],
    "eche": ["erasmus_code", "erasmus_key", "pic", "oid", "eche_start", "eche_end"],
    "domains": ["domains_key"],
}
KEY_FIELD = {"ror": "ror_id", "eche": "erasmus_key", "domains": "domains_key"}
BATCH = 2000
CHUNK = 900  # stays below SQLite's limit on query parameters


@dataclass
class ImportResult:
    source: str
    edition: str = ""
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    unknown_countries: set[str] = field(default_factory=set)


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _sources(inst: Institution) -> list[str]:
    return [s for s in inst.sources.split(",") if s]


def _set_sources(inst: Institution, sources: Iterable[str]) -> None:
    inst.sources = ",".join(s for s in PRIORITY if s in set(sources))


def _values(source: str, record: Record, countries: set[str], sources: list[str]) -> dict[str, Any]:
    """The field values this source sets on an institution that the given sources describe."""
    own: dict[str, Any] = {
        "ror": {
            "ror_id": record.ror_id or record.key,
            "types": record.types,
            "established": record.established,
        },
        "eche": {
            "erasmus_code": record.erasmus_code,
            "erasmus_key": erasmus_key(record.erasmus_code),
            "pic": record.pic or None,
            "oid": record.oid,
            "eche_start": record.eche_start,
            "eche_end": record.eche_end,
        },
        "domains": {"domains_key": domains_key(record.name, record.country)},
    }[source]
    outranked = any(PRIORITY.index(s) < PRIORITY.index(source) for s in sources)
    if not outranked:
        own.update(
            name=record.name,
            country_id=record.country if record.country in countries else None,
            subdivision=record.subdivision,
            city=record.city,
            latitude=record.latitude,
            longitude=record.longitude,
            website=record.website,
            status=record.status,
        )
    return own


def _name_rows(record: Record) -> set[tuple[str, str, str]]:
    return set(record.names)


def _insert(model: type, columns: list[str], rows: list[tuple]) -> None:
    """Plain multi-row INSERTs: these rows have no defaults or signals, and building 100,000+ model
    instances for bulk_create would cost most of an import's time."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  (names come from model metadata)
        quote(model._meta.db_table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, BATCH * 5):
            cursor.executemany(sql, chunk)


class _Plan:
    """Everything one import will write, worked out before the first write."""

    def __init__(self, source: str, parsed: Parsed) -> None:
        self.source = source
        self.records = parsed.records
        self.result = ImportResult(source=source, edition=parsed.edition, total=len(parsed.records))
        self.countries = set(Country.objects.values_list("code", flat=True))
        self.to_create: list[tuple[Institution, Record]] = []
        self.to_update: list[Institution] = []
        self.update_fields: set[str] = set()
        self.rewrite: list[tuple[Institution, Record]] = []  # names/domains of this source replaced
        self.withdraw: list[Institution] = []

    def build(self) -> None:
        source, key_field = self.source, KEY_FIELD[self.source]
        by_key = dict(
            Institution.objects.exclude(**{f"{key_field}__isnull": True})
            .exclude(**{key_field: ""})
            .values_list(key_field, "id")
        )
        keyed_ids = set(by_key.values())
        by_domain: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
        for domain, inst_id, country in InstitutionDomain.objects.values_list(
            "domain", "institution_id", "institution__country_id"
        ):
            by_domain[domain].append((inst_id, country))
        matched: dict[int, Record] = {}
        unmatched: list[Record] = []
        for record in self.records:
            inst_id = by_key.get(record.key)
            if inst_id is None:
                inst_id = self._merge_candidate(record, by_domain, keyed_ids, matched)
            if inst_id is None:
                unmatched.append(record)
            else:
                matched[inst_id] = record
        self._plan_matched(matched)
        self._plan_withdrawn(set(matched))
        for record in unmatched:
            if record.country and record.country not in self.countries:
                self.result.unknown_countries.add(record.country)
            inst = Institution(**_values(source, record, self.countries, []))
            _set_sources(inst, [source])
            self.to_create.append((inst, record))
        self.result.created = len(self.to_create)

    def _merge_candidate(
        self, record: Record, by_domain: dict, keyed_ids: set[int], matched: dict[int, Record]
    ) -> int | None:
        """An institution from another source sharing a website domain in the same country."""
        country = record.country if record.country in self.countries else None
        for domain in record.domains:
            for inst_id, inst_country in by_domain.get(domain, []):
                if inst_id in keyed_ids or inst_id in matched:
                    continue
                if country and inst_country and country != inst_country:
                    continue
                return inst_id
        return None

    def _plan_matched(self, matched: dict[int, Record]) -> None:
        source = self.source
        names: dict[int, set] = defaultdict(set)
        domains: dict[int, set] = defaultdict(set)
        ids = list(matched)
        for chunk in _chunks(ids):
            for inst_id, kind, value, language in InstitutionName.objects.filter(
                source=source, institution_id__in=chunk
            ).values_list("institution_id", "kind", "value", "language"):
                names[inst_id].add((kind, value, language))
            for inst_id, domain in InstitutionDomain.objects.filter(
                source=source, institution_id__in=chunk
            ).values_list("institution_id", "domain"):
                domains[inst_id].add(domain)
        for chunk in _chunks(ids):
            for inst in Institution.objects.filter(pk__in=chunk):
                record = matched[inst.pk]
                sources = _sources(inst)
                values = _values(source, record, self.countries, sources)
                changed = [name for name, value in values.items() if getattr(inst, name) != value]
                if source not in sources:
                    _set_sources(inst, [*sources, source])
                    changed.append("sources")
                if "status" not in values and inst.status == "withdrawn":
                    inst.status = "active"
                    changed.append("status")
                names_changed = names[inst.pk] != _name_rows(record) or domains[inst.pk] != set(
                    record.domains
                )
                if not changed and not names_changed:
                    self.result.unchanged += 1
                    continue
                self.result.updated += 1
                for name in changed:
                    if name in values:
                        setattr(inst, name, values[name])
                if changed:
                    self.to_update.append(inst)
                    self.update_fields.update(changed)
                if names_changed:
                    self.rewrite.append((inst, record))

    def _plan_withdrawn(self, present: set[int]) -> None:
        candidates = Institution.objects.filter(sources__contains=self.source).exclude(status="withdrawn")
        for inst in candidates.iterator(chunk_size=BATCH):
            sources = _sources(inst)
            if self.source not in sources or inst.pk in present:
                continue
            remaining = [s for s in sources if s != self.source]
            _set_sources(inst, remaining)
            if not remaining:
                inst.status = "withdrawn"
            self.withdraw.append(inst)
        self.result.withdrawn = len(self.withdraw)

    def write(self, *, file_name: str) -> RegistryImport:
        source = self.source
        created = [inst for inst, _record in self.to_create]
        Institution.objects.bulk_create(created, batch_size=BATCH)
        if self.to_update:
            Institution.objects.bulk_update(self.to_update, sorted(self.update_fields), batch_size=BATCH)
        if self.withdraw:
            Institution.objects.bulk_update(self.withdraw, ["sources", "status"], batch_size=BATCH)
        stale = [inst.pk for inst, _record in self.rewrite]
        for chunk in _chunks(stale):
            for model in (InstitutionName, InstitutionToken, InstitutionDomain):
                model.objects.filter(source=source, institution_id__in=chunk).delete()
        name_rows, token_rows, domain_rows = [], [], []
        for inst, record in [*self.to_create, *self.rewrite]:
            for kind, value, language in record.names:
                name_rows.append((inst.pk, kind, source, value, language, search_name(value)[:300]))
            token_rows += [
                (inst.pk, token, source)
                for token in name_tokens((kind, value) for kind, value, _language in record.names)
            ]
            domain_rows += [(inst.pk, domain, source) for domain in record.domains]
        _insert(
            InstitutionName,
            ["institution_id", "kind", "source", "value", "language", "normalised"],
            name_rows,
        )
        _insert(InstitutionToken, ["institution_id", "token", "source"], token_rows)
        _insert(InstitutionDomain, ["institution_id", "domain", "source"], domain_rows)
        r = self.result
        return RegistryImport.objects.create(
            source=source,
            file_name=file_name[:300],
            edition=r.edition[:60],
            total=r.total,
            created=r.created,
            updated=r.updated,
            unchanged=r.unchanged,
            withdrawn=r.withdrawn,
            finished_at=timezone.now(),
        )


def apply_records(*, source: str, parsed: Parsed, file_name: str, dry_run: bool = False) -> ImportResult:
    """Match every record, then (unless dry_run) write all changes in one transaction."""
    with transaction.atomic():
        plan = _Plan(source, parsed)
        plan.build()
        if not dry_run:
            plan.write(file_name=file_name)
    return plan.result
