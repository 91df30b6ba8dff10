"""A small public world for the Global Vision browser tests, and the expected figures read from the data.

The live server tests run on a transactional database, which is emptied after each test: the portal's seeded
sections and Global Partnership page are put back by replaying the portal's data migrations.
"""

from __future__ import annotations

import functools
import http.server
import io
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython
from django.utils import timezone

from meridian.agreements.models import Agreement, AgreementChannel, AgreementPartner
from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.models import Country

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
EXCHANGE_KINDS = ("student_exchange", "staff_exchange")
HIDDEN_NAME = "Hidden Hochschule Berlin"
PARTNERSHIP_PATH = "/{language}/global-vision/global-partnership/"


def replay_portal_data_migrations() -> None:
    """Put back what the portal's data migrations seed (sections, the Global Partnership page)."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    editor = SimpleNamespace(connection=connection)
    for key in sorted(k for k in loader.disk_migrations if k[0] == "portal"):
        for operation in loader.disk_migrations[key].operations:
            if isinstance(operation, RunPython):
                operation.code(django_apps, editor)


@dataclass
class PublicWorld:
    partners: dict[str, Partner] = field(default_factory=dict)
    hidden: Partner | None = None
    news: object = None


# key, country, English and Chinese names, city, relationship status, public, latitude, longitude, type
PARTNERS = [
    (
        "heidelberg",
        "DE",
        "Heidelberg University",
        "海德堡大学",
        "Heidelberg",
        "prospect",
        True,
        "49.3988",
        "8.6724",
    ),
    (
        "munich",
        "DE",
        "Technical University of Munich",
        "慕尼黑工业大学",
        "Munich",
        "prospect",
        True,
        "48.1497",
        "11.5679",
    ),
    ("aachen", "DE", "RWTH Aachen University", "亚琛工业大学", "Aachen", "active", True, "50.7780", "6.0614"),
    ("hidden", "DE", HIDDEN_NAME, "柏林隐藏学院", "Berlin", "active", False, "52.5200", "13.4050"),
    (
        "mit",
        "US",
        "Massachusetts Institute of Technology",
        "麻省理工学院",
        "Cambridge",
        "prospect",
        True,
        "42.3601",
        "-71.0942",
    ),
    (
        "stanford",
        "US",
        "Stanford University",
        "斯坦福大学",
        "Stanford",
        "active",
        True,
        "37.4275",
        "-122.1697",
    ),
    (
        "acme",
        "US",
        "Acme Robotics Inc.",
        "阿克米机器人公司",
        "Boston",
        "active",
        True,
        None,
        None,
        "enterprise",
    ),
    ("kyoto", "JP", "Kyoto University", "京都大学", "Kyoto", "prospect", True, "35.0262", "135.7808"),
    ("riken", "JP", "RIKEN", "理化学研究所", "Wako", "active", True, None, None, "research_institute"),
    (
        "nus",
        "SG",
        "National University of Singapore",
        "新加坡国立大学",
        "Singapore",
        "prospect",
        True,
        "1.2966",
        "103.7764",
    ),
    ("sorbonne", "FR", "Sorbonne University", "索邦大学", "Paris", "prospect", True, "48.8462", "2.3444"),
    ("oxford", "GB", "University of Oxford", "牛津大学", "Oxford", "former", True, None, None),
]


@pytest.fixture
def public_world(transactional_db, org) -> PublicWorld:
    """Ten cooperating partners in four countries (4 / 3 / 2 / 1, so the order is unambiguous), one of them
    not public; two public partners that do not cooperate (a draft agreement only, an expired one only); a
    news item.
    """
    call_command("load-reference", stdout=io.StringIO())
    replay_portal_data_migrations()
    world = PublicWorld()
    unit = org.intl_office
    for key, code, name_en, name_zh, city, status, public, lat, lon, *kind in PARTNERS:
        world.partners[key] = PartnerFactory(
            name=name_en,
            name_en=name_en,
            name_zh=name_zh,
            kind=kind[0] if kind else "university",
            country=Country.objects.get(code=code),
            city=city,
            status=status,
            is_public=public,
            latitude=Decimal(lat) if lat else None,
            longitude=Decimal(lon) if lon else None,
            notes="Internal: do not publish",
        )
    world.hidden = world.partners["hidden"]
    p = world.partners

    def agreement(partners, kind, channels, state="active", **extra):
        return AgreementFactory(responsible_unit=unit, partners=partners, kind=kind, channels=channels,
                                state=state, **extra)  # fmt: skip

    agreement([p["heidelberg"]], "student_exchange", ["student_exchange", "research"],
              title_en="Heidelberg student exchange", title_zh="海德堡学生交流")  # fmt: skip
    agreement([p["munich"]], "joint_lab", ["joint_lab", "research"], title_en="Munich joint laboratory")
    agreement(
        [p["mit"], p["kyoto"]], "staff_exchange", ["staff_exchange"], title_en="Staff mobility consortium"
    )
    agreement([p["nus"]], "research", ["research"], title_en="Singapore research cooperation")
    # Neither a draft nor an expired agreement makes a partner cooperate or a channel "used".
    agreement([p["sorbonne"]], "joint_lab", ["cultural"], state="draft", title_en="Draft with Sorbonne")
    agreement([p["oxford"]], "research", ["conference"], state="expired", title_en="Expired with Oxford",
              end_date=timezone.localdate() - timedelta(days=30))  # fmt: skip

    from meridian.portal.models import Article, Section

    world.news = Article.objects.create(
        section=Section.objects.get(slug="news"),
        slug="summer-school-2026",
        kind="news",
        title_en="Summer school with our partners",
        title_zh="与合作伙伴共办暑期学校",
        summary_en="Forty students from six countries came to the campus.",
        summary_zh="来自六个国家的四十名学生来到校园。",
        body_en="## Programme\n\nLectures, **laboratory visits** and a [partner directory](/en/global-vision/"
        "partners/) tour.\n\n- Week one: lectures\n- Week two: projects",
        body_zh="## 项目安排\n\n讲座、**实验室参观**以及[合作伙伴名录](/zh-hans/global-vision/partners/)"
        "介绍。\n\n- 第一周：讲座\n- 第二周：项目",
        author_name="International Office",
        status="published",
        publish_at=timezone.now() - timedelta(hours=2),
    )
    return world


@dataclass
class Expected:
    partners: int
    countries: list[tuple[Country, int]]  # most partners first
    channels: set[str]
    joint_labs: int
    exchange_agreements: int
    exchange_partners: int


def expected_figures() -> Expected:
    """The figures as the issue defines them, counted here in Python from the rows themselves."""
    active = {a.pk: a for a in Agreement.objects.filter(state="active")}
    parties = list(
        AgreementPartner.objects.filter(agreement_id__in=active).values_list("agreement_id", "partner_id")
    )
    with_active_agreement = {partner for _agreement, partner in parties}
    cooperating = [
        p
        for p in Partner.objects.select_related("country")
        if p.status == "active" or p.pk in with_active_agreement
    ]
    per_country = Counter(p.country for p in cooperating)
    exchange = {pk for pk, a in active.items() if a.kind in EXCHANGE_KINDS}
    return Expected(
        partners=len(cooperating),
        countries=sorted(per_country.items(), key=lambda item: -item[1]),
        channels=set(
            AgreementChannel.objects.filter(agreement_id__in=active).values_list("channel", flat=True)
        ),
        joint_labs=sum(1 for a in active.values() if a.kind == "joint_lab"),
        exchange_agreements=len(exchange),
        exchange_partners=len({partner for agreement, partner in parties if agreement in exchange}),
    )


def written(number: int, language: str) -> str:
    """How the issue wants a count between 1 and 99 written: "over 10" for 11, "10多所" in Chinese; exact when
    rounding down to the ten changes nothing."""
    assert 0 < number < 100, "the test data keeps the count under a hundred"
    rounded = number if number < 10 else number // 10 * 10
    if language.startswith("zh"):
        return f"{rounded}所" if rounded == number else f"{rounded}多所"
    return str(number) if rounded == number else f"over {rounded}"


@pytest.fixture
def other_site(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Another university's web site: a page served from a second loopback origin (127.0.0.1 on its own port,
    while the app is on localhost), so that the browser treats the app's frame as a cross-origin embed.

    `other_site(page, html)` publishes `html` and returns its address; the page is allowed to load it.
    """
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"

    def publish(page, html: str, name: str = "partners.html") -> str:
        (tmp_path / name).write_text(html, encoding="utf-8")
        page.route(f"{origin}/**", lambda route: route.continue_())
        return f"{origin}/{name}"

    yield publish
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's signature
        return
