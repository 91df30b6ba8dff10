"""A small public world: public and private partners in several countries, active and draft agreements."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerContactFactory, PartnerFactory
from meridian.reference.tests.factories import country

SECRET_NOTE = "Confidential-note-7f3a"
SECRET_CONTACT = "secret.contact@partner.example"
SECRET_PIC = "999888777"
DRAFT_TITLE = "Draft-title-never-public"


@dataclass
class World:
    heidelberg: Partner  # public, Germany, active agreement (student exchange, research)
    kyoto: Partner  # public, Japan, research institute, active agreement (research)
    singapore: Partner  # public, Singapore, only a draft agreement
    malta: Partner  # public, Malta, no coordinates
    hidden: Partner  # NOT public, Germany, with an active agreement


def _countries() -> dict:
    return {
        "DE": country(
            "DE",
            "Germany",
            "德国",
            numeric="276",
            alpha3="DEU",
            region_code="150",
            subregion_code="155",
            subregion_en="Western Europe",
            subregion_zh="西欧",
        ),
        "JP": country(
            "JP",
            "Japan",
            "日本",
            numeric="392",
            alpha3="JPN",
            region_code="142",
            region_en="Asia",
            region_zh="亚洲",
            subregion_code="030",
            subregion_en="Eastern Asia",
            subregion_zh="东亚",
        ),
        "SG": country(
            "SG",
            "Singapore",
            "新加坡",
            numeric="702",
            alpha3="SGP",
            region_code="142",
            region_en="Asia",
            region_zh="亚洲",
            subregion_code="035",
            subregion_en="South-eastern Asia",
            subregion_zh="东南亚",
        ),
        "MT": country(
            "MT",
            "Malta",
            "马耳他",
            numeric="470",
            alpha3="MLT",
            region_code="150",
            subregion_code="039",
            subregion_en="Southern Europe",
            subregion_zh="南欧",
        ),
        "HK": country(
            "HK",
            "Hong Kong",
            "中国香港",
            numeric="344",
            alpha3="HKG",
            region_code="142",
            region_en="Asia",
            region_zh="亚洲",
            subregion_code="030",
            subregion_en="Eastern Asia",
            subregion_zh="东亚",
        ),
    }


@pytest.fixture
def world(org) -> World:
    c = _countries()
    heidelberg = PartnerFactory(
        name="Ruprecht-Karls-Universität Heidelberg",
        name_en="Heidelberg University",
        name_zh="海德堡大学",
        acronym="RKU",
        country=c["DE"],
        city="Heidelberg",
        website="https://www.uni-heidelberg.de/",
        latitude=Decimal("49.398750"),
        longitude=Decimal("8.672434"),
        is_public=True,
        notes=SECRET_NOTE,
        pic=SECRET_PIC,
    )
    kyoto = PartnerFactory(
        name="Kyoto Institute of Research",
        name_en="Kyoto Institute of Research",
        name_zh="京都研究所",
        kind="research_institute",
        country=c["JP"],
        city="Kyoto",
        latitude=Decimal("35.0116"),
        longitude=Decimal("135.7681"),
        is_public=True,
    )
    singapore = PartnerFactory(
        name="Singapore Polytechnic",
        name_en="Singapore Polytechnic",
        name_zh="新加坡理工学院",
        country=c["SG"],
        city="Singapore",
        latitude=Decimal("1.3099"),
        longitude=Decimal("103.7775"),
        is_public=True,
    )
    malta = PartnerFactory(
        name="Università ta' Malta",
        name_en="University of Malta",
        name_zh="马耳他大学",
        country=c["MT"],
        city="Msida",
        is_public=True,
    )
    hidden = PartnerFactory(
        name="Hidden Hochschule",
        name_en="Hidden Hochschule",
        name_zh="隐藏大学",
        country=c["DE"],
        city="Berlin",
        latitude=Decimal("52.52"),
        longitude=Decimal("13.40"),
        is_public=False,
    )
    PartnerContactFactory(partner=heidelberg, name="Secret Person", email=SECRET_CONTACT)
    AgreementFactory(
        responsible_unit=org.engineering,
        partners=[heidelberg],
        state="active",
        title_en="Heidelberg student exchange",
        title_zh="海德堡学生交流",
        channels=["student_exchange", "research"],
        description=SECRET_NOTE,
    )
    AgreementFactory(
        responsible_unit=org.engineering,
        partners=[heidelberg],
        state="draft",
        title_en=DRAFT_TITLE,
        channels=["joint_lab"],
    )
    AgreementFactory(
        responsible_unit=org.humanities,
        partners=[kyoto],
        state="active",
        title_en="Kyoto research cooperation",
        channels=["research"],
    )
    AgreementFactory(
        responsible_unit=org.humanities,
        partners=[singapore],
        state="under_review",
        title_en=DRAFT_TITLE + " 2",
        channels=["cultural"],
    )
    AgreementFactory(
        responsible_unit=org.humanities,
        partners=[hidden],
        state="active",
        title_en="Hidden agreement",
        channels=["government"],
    )
    return World(heidelberg=heidelberg, kyoto=kyoto, singapore=singapore, malta=malta, hidden=hidden)


@pytest.fixture
def atlas_file(settings) -> Path:
    """world-atlas countries-50m.json of the shared reference data (the shapes of the npm package)."""
    shared = settings.BASE_DIR.parent / "shared" / "data" / "world-atlas_countries-50m.json"
    if not shared.exists():
        pytest.skip("The shared reference data (world-atlas countries-50m.json) is not available here.")
    settings.WORLD_ATLAS_FILE = shared
    return shared


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.fixture
def login():
    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login
