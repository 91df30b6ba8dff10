"""The large synthetic data set, built once per size and remembered by a marker row in the bench database."""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

MARKER_TABLE = "bench_dataset_marker"
VERSION = 1
BATCH = 5000


@dataclass(frozen=True)
class Size:
    name: str
    institutions: int
    partners: int
    agreements: int


FULL = Size("full", institutions=120_000, partners=10_000, agreements=30_000)
QUICK = Size("quick", institutions=12_000, partners=1_000, agreements=3_000)

_SYLLABLES = [
    "ka",
    "lo",
    "mer",
    "vin",
    "sa",
    "to",
    "ri",
    "an",
    "bel",
    "dor",
    "hu",
    "na",
    "zel",
    "po",
    "qua",
    "ren",
    "sul",
    "tai",
    "ver",
    "wen",
    "xi",
    "yor",
    "el",
    "ost",
    "gra",
    "mi",
    "nor",
    "pe",
]
_ZH = "安北长成大东丰广海和华江金京兰林明南宁平秋山上泰天西湘新阳云中"
_PATTERNS = [
    ("University of {c}", "{c}大学"),
    ("{c} University of Technology", "{c}理工大学"),
    ("{c} Institute of Science", "{c}科学研究院"),
    ("{c} Medical University", "{c}医科大学"),
    ("{c} Industrial Group", "{c}工业集团"),
    ("{c} Foundation for Education", "{c}教育基金会"),
    ("{c} Ministry of Education", "{c}教育部"),
    ("{c} General Hospital", "{c}总医院"),
]
_KIND_OF_PATTERN = [
    "university",
    "university",
    "research_institute",
    "university",
    "enterprise",
    "foundation",
    "government",
    "hospital",
]


def schema_fingerprint() -> str:
    """A digest of every migration file: unreleased migrations get rewritten in place, names do not tell."""
    package = Path(__file__).resolve().parent.parent / "meridian"
    digest = hashlib.sha256()
    for path in sorted(package.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def marker(size: Size) -> str:
    counts = f"{size.institutions}-{size.partners}-{size.agreements}"
    return f"v{VERSION}-{size.name}-{counts}-s{schema_fingerprint()}"


def _drop_all_tables() -> None:
    """Empty the benchmark database, so that migrate builds today's schema (and its seeds) from scratch."""
    cascade = " CASCADE" if connection.vendor == "postgresql" else ""
    with connection.constraint_checks_disabled(), connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}{cascade}")


def _ensure_marker_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (name varchar(100) PRIMARY KEY)")


def present_marker() -> str | None:
    _ensure_marker_table()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name FROM {MARKER_TABLE}")
        row = cursor.fetchone()
    return row[0] if row else None


def _set_marker(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        cursor.execute(f"INSERT INTO {MARKER_TABLE} (name) VALUES (%s)", [name])


def _city(rng: random.Random) -> tuple[str, str]:
    count = rng.randint(2, 3)
    en = "".join(rng.choice(_SYLLABLES) for _ in range(count)).capitalize()
    zh = "".join(rng.choice(_ZH) for _ in range(count))
    return en, zh


def ensure_dataset(size: Size, *, say) -> None:
    """Build the data set on a freshly migrated database unless the marker says it is there, same schema."""
    wanted = marker(size)
    present = present_marker()
    if present == wanted:
        call_command("migrate", verbosity=0, interactive=False)
        say(f"Data set {wanted} is ready (built earlier).")
        return
    if present is not None or connection.introspection.table_names() != [MARKER_TABLE]:
        say(f"Replacing data set {present or '(unmarked)'} with {wanted} ...")
        _drop_all_tables()
    call_command("migrate", verbosity=0, interactive=False)
    _ensure_marker_table()
    say(f"Building data set {wanted} (once; later runs reuse it) ...")
    build(size, say=say)
    _set_marker(wanted)


def build(size: Size, *, say) -> None:
    from meridian.demo.organisation import build_organisation
    from meridian.reference.bench import build_synthetic_registry
    from meridian.reference.models import Country

    rng = random.Random(20260)
    if not Country.objects.exists():
        call_command("load-reference", verbosity=0, stdout=io.StringIO())
    org = build_organisation(password=f"bench-{rng.random()}")
    say(f"  registry: {size.institutions:,} institutions")
    build_synthetic_registry(size.institutions)
    say(f"  partners: {size.partners:,}")
    partner_ids = _partners(size.partners, rng, org)
    say(f"  agreements: {size.agreements:,}")
    _agreements(size.agreements, rng, org, partner_ids)
    # Rows were written with bulk_create, which bypasses save(): fill the search column once, as imports do.
    from meridian.agreements.search_text import refresh_agreement_search_text
    from meridian.partners.search_text import refresh_partner_search_text

    say("  search text of partners and agreements")
    refresh_partner_search_text()
    refresh_agreement_search_text()
    if connection.vendor == "postgresql":
        # As autovacuum would after a bulk load: merges the trigram indexes' pending entries, updates
        # the planner's statistics (else the search plans a table scan).
        with connection.cursor() as cursor:
            for table in ("partners_partner", "agreements_agreement"):
                cursor.execute(f"VACUUM ANALYZE {table}")


@transaction.atomic
def _partners(n: int, rng: random.Random, org) -> list[int]:
    from meridian.partners.choices import RelationshipStatus
    from meridian.partners.models import Partner, PartnerContact
    from meridian.reference.models import Country

    countries = list(Country.objects.values_list("code", flat=True))
    # Partners cluster in a few dozen countries, as real portfolios do.
    weights = [10 if i < 30 else 1 for i in range(len(countries))]
    statuses = (
        [RelationshipStatus.ACTIVE] * 6
        + [RelationshipStatus.PROSPECT] * 2
        + [RelationshipStatus.DORMANT, RelationshipStatus.FORMER]
    )
    units = [org.office, *org.schools.values()]
    ids: list[int] = []
    for start in range(0, n, BATCH):
        rows = []
        for i in range(start, min(n, start + BATCH)):
            city_en, city_zh = _city(rng)
            pattern = rng.randrange(len(_PATTERNS))
            en, zh = _PATTERNS[pattern]
            domain = f"{city_en.lower()}{i}.example.org"
            rows.append(
                Partner(
                    name=en.format(c=city_en),
                    name_en=en.format(c=city_en),
                    name_zh=zh.format(c=city_zh),
                    acronym="".join(w[0] for w in en.format(c=city_en).split() if w[0].isupper())[:8],
                    kind=_KIND_OF_PATTERN[pattern],
                    country_id=rng.choices(countries, weights=weights)[0],
                    city=city_en,
                    latitude=round(rng.uniform(-50, 65), 6),
                    longitude=round(rng.uniform(-170, 170), 6),
                    website=f"https://www.{domain}/",
                    website_domain=domain,
                    status=rng.choice(statuses),
                    is_public=rng.random() < 0.7,
                    owner_unit=rng.choice(units),
                    cooperating_since=date(2000, 1, 1) + timedelta(days=rng.randint(0, 9000)),
                )
            )
        created = Partner.objects.bulk_create(rows, batch_size=BATCH)
        ids += [p.pk for p in created]
        PartnerContact.objects.bulk_create(
            [
                PartnerContact(
                    partner=p, name=f"Contact {p.pk}", email=f"office{p.pk}@example.org", is_primary=True
                )
                for p in created
            ],
            batch_size=BATCH,
        )
    return ids


@transaction.atomic
def _agreements(n: int, rng: random.Random, org, partner_ids: list[int]) -> None:
    from django.contrib.contenttypes.models import ContentType

    from meridian.agreements.choices import AgreementState, AgreementType, Channel
    from meridian.agreements.models import Agreement, AgreementChannel, AgreementPartner
    from meridian.core.models import Activity

    today = timezone.localdate()
    kinds = AgreementType.values
    states = (
        [AgreementState.ACTIVE] * 10
        + [AgreementState.EXPIRED] * 4
        + [
            AgreementState.DRAFT,
            AgreementState.UNDER_REVIEW,
            AgreementState.APPROVED,
            AgreementState.TERMINATED,
            AgreementState.RENEWED,
        ]
    )
    units = list(org.units.values())
    officer = org.users["demo-officer"]
    agreement_ct = ContentType.objects.get_for_model(Agreement)
    now = timezone.now()
    for start in range(0, n, BATCH):
        rows = []
        for i in range(start, min(n, start + BATCH)):
            kind = rng.choice(kinds)
            begin = today - timedelta(days=rng.randint(-200, 4000))
            end = None if rng.random() < 0.08 else begin + timedelta(days=365 * rng.choice([2, 3, 5]))
            rows.append(
                Agreement(
                    number=f"{begin.year}-B{i:06d}",
                    title_en=f"{kind.replace('_', ' ').capitalize()} agreement {i}",
                    title_zh=f"合作协议{i}",
                    kind=kind,
                    responsible_unit=rng.choice(units),
                    start_date=begin,
                    end_date=end,
                    state=rng.choice(states),
                    languages="en,zh",
                    state_changed_at=now - timedelta(days=rng.randint(0, 3000)),
                )
            )
        created = Agreement.objects.bulk_create(rows, batch_size=BATCH)
        parties, channels, activity = [], [], []
        for agreement in created:
            count = 1 if rng.random() < 0.95 else rng.randint(2, 4)
            for partner_id in rng.sample(partner_ids, k=count):
                parties.append(AgreementPartner(agreement=agreement, partner_id=partner_id))
            for channel in rng.sample(Channel.values, k=rng.randint(1, 3)):
                channels.append(AgreementChannel(agreement=agreement, channel=channel))
            activity.append(
                Activity(
                    actor=officer,
                    verb="created",
                    message=f"Agreement {agreement.number} created",
                    content_type=agreement_ct,
                    object_id=agreement.pk,
                )
            )
        AgreementPartner.objects.bulk_create(parties, batch_size=BATCH)
        AgreementChannel.objects.bulk_create(channels, batch_size=BATCH)
        Activity.objects.bulk_create(activity, batch_size=BATCH)
