"""The hub reads import kinds only from the registry: a kind registered elsewhere works end to end."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from meridian.core.registry import ImportKind, registry
from meridian.core.tabular.columns import match_headers
from meridian.core.tabular.tests.helpers import as_file, csv_bytes
from meridian.imports.kinds import columns_for
from meridian.imports.services import import_commit, import_dry_run
from meridian.imports.tests.helpers import PARTNER_HEADERS_EN, PARTNER_ROWS
from meridian.imports.tests.kinds import KEY, CountryImporter
from meridian.reference.models import Country
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db


@pytest.fixture
def country_kind():
    registry.import_kinds.add(
        ImportKind(key=KEY, label="Test countries", handler=lambda: CountryImporter, order=99)
    )
    yield
    registry.import_kinds.remove(KEY)


def test_a_registered_kind_is_offered_and_imports(country_kind, client, people):
    client.force_login(people.officer)
    page = client.get(reverse("imports:start")).content.decode()
    assert f'value="{KEY}"' in page and "Test countries" in page
    assert reverse("imports:template", args=[KEY, "csv"]) in page
    template = client.get(reverse("imports:template", args=[KEY, "csv"]))
    assert template.content.decode("utf-8-sig").splitlines()[0] == "Code,Alpha-3,English name,Chinese name"

    data = csv_bytes(["代码", "三字母代码", "英文名称", "中文名称"], [["QZ", "QZZ", "Quuxland", "库克斯兰"]])
    assert import_dry_run(kind=KEY, file=as_file(data), actor=people.officer).counts["create"] == 1
    report = import_commit(kind=KEY, file=as_file(data), actor=people.officer)
    assert report.committed and Country.objects.get(pk="QZ").name_en == "Quuxland"


def test_a_kind_the_user_may_not_import_is_neither_offered_nor_run(client, people):
    registry.import_kinds.add(
        ImportKind(
            key=KEY, label="Test countries", handler=lambda: CountryImporter, permission=lambda u: False
        )
    )
    try:
        client.force_login(people.officer)
        assert f'value="{KEY}"'.encode() not in client.get(reverse("imports:start")).content
        assert client.get(reverse("imports:template", args=[KEY, "csv"])).status_code == 404
        data = csv_bytes(["Code", "Alpha-3", "English name"], [["QZ", "QZZ", "Quuxland"]])
        report = import_commit(kind=KEY, file=as_file(data), actor=people.officer)
        assert not report.committed and "may not import" in str(report.problems[0])
        assert not Country.objects.filter(pk="QZ").exists()
    finally:
        registry.import_kinds.remove(KEY)


def test_a_registered_kinds_headers_match_in_either_language():
    found, ignored, repeated = match_headers(
        columns_for("partners"), [" official  NAME ", "国家或地区", "Shoe size", "名称"]
    )
    assert [c.field for c in found.values()] == ["name", "country"]
    assert ignored == ["Shoe size"]
    assert repeated == ["名称"]


@pytest.mark.parametrize("who", ["coordinator", "staff", "student", "leadership"])
def test_only_those_who_may_import_run_an_import(who, people):
    country("DE", "Germany", "德国")
    country("FR", "France", "法国")
    data = as_file(csv_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS))
    report = import_commit(kind="partners", file=data, actor=getattr(people, who))
    assert not report.committed and "may not import" in str(report.problems[0])
    assert not apps.get_model("partners", "Partner").objects.exists()


def test_unknown_kind_is_refused(people):
    with pytest.raises(ValueError, match="unknown import kind"):
        import_dry_run(kind="nothing", file=as_file(b"a\n1\n"), actor=people.officer)


@pytest.mark.parametrize(
    "who, visible",
    [
        ("officer", True),
        ("admin", True),
        ("coordinator", False),
        ("staff", False),
        ("student", False),
        ("outsider", False),
    ],
)
def test_import_nav_entry_only_for_those_who_may_import(who, visible, people):
    assert registry.nav.get("imports").visible(getattr(people, who)) is visible


def test_the_hub_imports_no_case_context():
    """Not even inside functions or in its tests: kinds come from the registry, models by app label."""
    package = Path(__file__).resolve().parents[1]
    offenders = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            offenders += [
                f"{path.name}: {name}"
                for name in names
                if name.startswith(("meridian.partners", "meridian.agreements"))
            ]
    assert offenders == []
