"""The issue's search examples, shared by the tests of every surface that searches partners or agreements.

Each example is (query as people type it, English name of the organisation it must find). The organisations
are stored as offices store them: official names with accents, Traditional or Japanese characters.
"""

from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country

EXAMPLES = [
    ("geneve", "University of Geneva"),
    ("ecole polytechnique", "Ecole Polytechnique Paris"),
    ("MÜNCHEN", "Technical University of Munich"),
    ("东京大学", "The University of Tokyo"),
    ("早稻田大学", "Waseda University"),
    ("ＭＩＴ", "Massachusetts Institute of Technology"),
]
EXAMPLE_IDS = ["accents", "accents-two-words", "upper-case-umlaut", "traditional", "shinjitai", "full-width"]


def make_example_partners(**fields) -> dict[str, Partner]:
    """The six organisations (plus `fields`, e.g. ``is_public=True``), keyed by English name."""
    switzerland = country("CH", "Switzerland", "瑞士")
    france = country("FR", "France", "法国")
    germany = country("DE", "Germany", "德国")
    japan = country("JP", "Japan", "日本", region_code="142", region_en="Asia", region_zh="亚洲")
    usa = country("US", "United States", "美国", region_code="019", region_en="Americas")
    rows = [
        ("Université de Genève", "University of Geneva", "日内瓦大学", "", switzerland, "Genève"),
        ("École Polytechnique", "Ecole Polytechnique Paris", "", "", france, "Palaiseau"),
        ("Technische Universität München", "Technical University of Munich", "", "TUM", germany, "München"),
        ("東京大学", "The University of Tokyo", "", "", japan, "Bunkyo"),
        ("早稲田大学", "Waseda University", "", "", japan, "Shinjuku"),
        (
            "Massachusetts Institute of Technology",
            "Massachusetts Institute of Technology",
            "",
            "MIT",
            usa,
            "Cambridge",
        ),
    ]
    partners = {}
    for name, name_en, name_zh, acronym, where, city in rows:
        partners[name_en] = PartnerFactory(
            name=name, name_en=name_en, name_zh=name_zh, acronym=acronym, country=where, city=city, **fields
        )
    return partners


def make_example_agreements(partners: dict[str, Partner], unit) -> dict[str, str]:
    """One agreement per organisation, titled without its name; returns {English name: agreement number}."""
    numbers = {}
    for index, (name_en, partner) in enumerate(sorted(partners.items()), start=1):
        agreement = AgreementFactory(
            number=f"SRCH-{index:03d}",
            title_en=f"Exchange agreement {index}",
            title_zh=f"交流协议{index}",
            responsible_unit=unit,
            partners=[partner],
            state="active",
        )
        numbers[name_en] = agreement.number
    return numbers
