"""The bulk form of the partner import: the same records as one by one, a dry run that writes nothing and
locks nothing, an all-or-nothing commit, and portal figures invalidated once per import."""

from __future__ import annotations

import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.apps import apps
from django.db import connection, transaction

from meridian.core.models import Activity
from meridian.core.tabular.runner import run_import
from meridian.core.tabular.tests.helpers import as_file, csv_bytes
from meridian.partners.import_rows import PartnerImporter
from meridian.partners.models import Partner, Tag
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country

HEADERS = [
    "Name", "English name", "Chinese name", "Type", "Country", "City", "Website", "ROR ID", "Erasmus code",
    "PIC", "Status", "Cooperating since", "Tags", "Public", "Notes", "Latitude", "Longitude",
]  # fmt: skip
ROWS = [
    [
        "Ruprecht-Karls-Universität Heidelberg", "Heidelberg University", "海德堡大学", "大学", "DE",
        "Heidelberg", "www.uni-heidelberg.de", "038t36y30", "D  HEIDELB01", "999987551", "合作中", "2019/3/1",
        "Erasmus+、双学位", "是", "Strategic partner", "49.398750", "8.672434",
    ],
    [
        "Sorbonne Université", "Sorbonne University", "索邦大学", "university", "FR", "Paris",
        "https://www.sorbonne-universite.fr", "02en5vm52", "F  PARIS468", "", "prospect", "",
        "Erasmus+", "no", "", "", "",
    ],
    [
        "Kobenhavns Universitet", "University of Copenhagen", "哥本哈根大学", "University", "DK",
        "Copenhagen", "https://www.ku.dk", "035b05819", "DK KOBENHA01", "999986968", "Active", "2020-09-01",
        "双学位; Nordic", "Y", "", "55.680000", "12.572000",
    ],
]  # fmt: skip


class _OneByOne(PartnerImporter):
    """The same importer without its bulk form: every row goes through partner_create/partner_update."""

    def apply_bulk(self, plans, progress=None):
        return None


@pytest.fixture
def countries(db):
    return [
        country("DE", "Germany", "德国"),
        country("FR", "France", "法国"),
        country("DK", "Denmark", "丹麦"),
    ]


def _import(importer=PartnerImporter, *, rows=ROWS, actor=None, commit=True, progress=None):
    data = csv_bytes(HEADERS, rows)
    return run_import(importer=importer, file=as_file(data), actor=actor, commit=commit, progress=progress)


def _snapshot() -> dict:
    """Everything an import writes, without ids and times: partners, tags, history, activity."""
    skip = {"id", "created_at", "updated_at"}
    partners = {}
    for partner in Partner.objects.order_by("name"):
        values = {f.attname: getattr(partner, f.attname) for f in Partner._meta.concrete_fields}
        values = {k: v for k, v in values.items() if k not in skip}
        values["tags"] = sorted(t.name for t in partner.tags.all())
        history = partner.history.order_by("history_id")
        values["history"] = [
            (h.history_type, h.history_user_id, h.history_change_reason, h.name, h.erasmus_code, h.version)
            for h in history
        ]
        values["history_tags"] = [sorted(t.tag.name for t in h.tags.all()) for h in history]
        values["activity"] = list(
            Activity.objects.filter(content_type__model="partner", object_id=partner.pk)
            .order_by("id")
            .values_list("verb", "message", "message_zh", "actor_id", "comment")
        )
        partners[partner.name] = values
    return {"partners": partners, "tags": sorted(Tag.objects.values_list("name", flat=True))}


def _table_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_bulk_path_writes_exactly_what_the_one_by_one_path_writes(countries, people):
    PartnerFactory(name="Sorbonne Université", country=countries[1], city="", website="")
    Tag.objects.create(name="Erasmus+")

    def both(importer):
        with transaction.atomic():
            report = _import(importer, actor=people.officer)
            assert report.committed, report.problems
            snapshot = _snapshot()
            transaction.set_rollback(True)
        return report, snapshot

    one_report, one_by_one = both(_OneByOne)
    bulk_report, bulk = both(PartnerImporter)
    assert (
        one_report.counts == bulk_report.counts == {"create": 2, "update": 1, "unchanged": 0, "problems": 0}
    )
    assert bulk == one_by_one
    heidelberg = bulk["partners"]["Ruprecht-Karls-Universität Heidelberg"]
    assert heidelberg["tags"] == ["Erasmus+", "双学位"]
    assert heidelberg["erasmus_code"] == "D  HEIDELB01"
    assert heidelberg["website_domain"] == "uni-heidelberg.de"
    assert heidelberg["latitude"] == Decimal("49.398750")
    assert heidelberg["created_by_id"] == people.officer.pk
    assert heidelberg["owner_unit_id"] is None
    assert heidelberg["history"] == [("+", people.officer.pk, None, heidelberg["name"], "D  HEIDELB01", 1)]
    assert heidelberg["history_tags"] == [[]]
    assert heidelberg["activity"] == [
        ("created", "Created partner Heidelberg University", heidelberg["activity"][0][2],
         people.officer.pk, "")
    ]  # fmt: skip
    if "search_text" in heidelberg:
        assert "heidelberg" in heidelberg["search_text"]


@pytest.mark.django_db
def test_the_bulk_path_reports_the_new_partners_ids(countries, people):
    report = _import(actor=people.officer)
    assert report.committed
    ids = {row.row: row.object_id for row in report.created}
    assert set(ids) == {2, 3, 4}
    assert Partner.objects.get(pk=ids[4]).name == "Kobenhavns Universitet"


@pytest.mark.django_db
def test_dry_run_writes_nothing_in_any_table(countries, people):
    PartnerFactory(name="Sorbonne Université", country=countries[1], city="", website="")
    before = _table_counts()
    with (
        mock.patch("meridian.partners.services.partner_create") as create,
        mock.patch("meridian.partners.services.partner_create_bulk") as create_bulk,
    ):
        report = _import(actor=people.officer, commit=False)
    assert report.ok, report.problems
    assert report.counts == {"create": 2, "update": 1, "unchanged": 0, "problems": 0}
    assert _table_counts() == before
    create.assert_not_called()  # no service runs in a dry run
    create_bulk.assert_not_called()


@pytest.mark.django_db
def test_dry_run_finds_what_the_services_refuse(countries, people):
    rows = [
        [*ROWS[0][:9], "12345", *ROWS[0][10:15], "91", ROWS[0][16]],  # a PIC has nine digits; latitude ≤ 90
        [*ROWS[1][:2], "x" * 301, *ROWS[1][3:]],  # longer than the field allows
    ]
    report = _import(rows=rows, actor=people.officer, commit=False)
    assert sorted((p.row, p.column) for p in report.problems) == [
        (2, "Latitude"),
        (2, "PIC"),
        (3, "Chinese name"),
    ]
    assert "nine digits" in str(report.problems)


@pytest.mark.django_db(transaction=True)
def test_dry_run_takes_no_write_lock_and_another_user_can_write(countries, people):
    """Another connection writes in the middle of the dry run; with an open write transaction it could not."""
    results: list[object] = []

    def other_user_writes() -> None:
        try:
            with transaction.atomic():
                Tag.objects.create(name=f"written meanwhile {len(results)}")
            results.append("ok")
        except Exception as exc:  # noqa: BLE001 - the failure is the result
            results.append(exc)
        finally:
            connection.close()

    def progress(done: int, total: int, message: str) -> None:
        assert not connection.in_atomic_block  # planning runs outside any transaction
        if done == 2:
            thread = threading.Thread(target=other_user_writes)
            thread.start()
            thread.join(timeout=30)

    report = _import(actor=people.officer, commit=False, progress=progress)
    assert report.ok, report.problems
    assert results == ["ok"]
    assert Tag.objects.filter(name="written meanwhile 0").exists()
    assert not Partner.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_commit_plans_before_its_write_transaction(countries, people):
    phases: list[tuple[str, bool]] = []

    def progress(done: int, total: int, message: str) -> None:
        phases.append((message, connection.in_atomic_block))

    report = _import(actor=people.officer, progress=progress)
    assert report.committed
    assert {in_transaction for message, in_transaction in phases if message == "Checking rows"} == {False}
    assert {in_transaction for message, in_transaction in phases if message == "Saving rows"} == {True}


@pytest.mark.django_db
def test_a_row_refused_at_commit_leaves_nothing_behind(countries, people):
    """Between planning and committing another user stores a partner with row 3's ROR ID."""
    taken: list[Partner] = []

    def progress(done: int, total: int, message: str) -> None:
        if message == "Checking rows" and done == total and not taken:
            taken.append(
                PartnerFactory(name="Someone else's record", ror_id="02en5vm52", country=countries[1])
            )

    before: dict[str, int] = {}

    def counts_before(done: int, total: int, message: str) -> None:
        if not before:
            before.update(_table_counts())
        progress(done, total, message)

    report = _import(actor=people.officer, progress=counts_before)
    assert not report.committed
    assert [(p.row, p.column) for p in report.problems] == [(3, "")]
    assert "same ROR ID" in report.problems[0].reason and f"(#{taken[0].pk})" in report.problems[0].reason
    assert all(row.object_id is None for row in report.created)
    after = _table_counts()
    # Only the other user's partner (and its history row) were added; nothing of the file.
    changed = {label: after[label] - before[label] for label in after if after[label] != before[label]}
    assert changed["partners.Partner"] == 1
    assert set(changed) <= {"partners.Partner", "partners.HistoricalPartner", "portal.FiguresStamp"}
    assert list(Partner.objects.values_list("name", flat=True)) == ["Someone else's record"]


@pytest.mark.django_db
def test_portal_figures_are_invalidated_once_per_import(countries, people):
    PartnerFactory(name="Sorbonne Université", country=countries[1], city="", website="")
    with mock.patch("meridian.portal.signals.figures_invalidate") as invalidate:
        report = _import(actor=people.officer)
    assert report.committed and report.counts["create"] == 2 and report.counts["update"] == 1
    assert invalidate.call_count == 1


@pytest.mark.django_db
def test_a_failed_import_does_not_invalidate_the_portal_figures(countries, people):
    rows = [ROWS[0], [*ROWS[1][:4], "Atlantis", *ROWS[1][5:]]]
    with mock.patch("meridian.portal.signals.figures_invalidate") as invalidate:
        report = _import(rows=rows, actor=people.officer)
    assert not report.committed
    invalidate.assert_not_called()


@pytest.mark.django_db
def test_partner_create_bulk_refuses_a_duplicate_identifier_within_the_rows(countries, people):
    from meridian.core.bulk import BulkRowError
    from meridian.partners.services import partner_create_bulk

    rows = [
        (10, {"name": "A", "country": countries[0], "pic": "999987551"}, None),
        (11, {"name": "B", "country": countries[0], "pic": "999 987 551"}, ["x"]),
    ]
    with pytest.raises(BulkRowError) as refused, transaction.atomic():
        partner_create_bulk(actor=people.officer, rows=rows)
    assert refused.value.row == 11
    assert "PIC" in str(refused.value.error)
    assert not Partner.objects.exists()


@pytest.mark.django_db
def test_partner_create_bulk_checks_permissions_once(countries, people):
    from meridian.core.errors import PermissionDeniedError
    from meridian.partners.services import partner_create_bulk

    with pytest.raises(PermissionDeniedError):
        partner_create_bulk(actor=people.staff, rows=[(2, {"name": "A", "country": countries[0]}, None)])
    created = partner_create_bulk(
        actor=people.coordinator, rows=[(2, {"name": "A", "country": countries[0]}, ["t"])]
    )
    # A coordinator's partner belongs to the unit they coordinate, as with partner_create.
    assert created[0].owner_unit_id == people.coordinator.memberships.get().unit_id
    assert Partner.objects.get().tags.get().name == "t"
