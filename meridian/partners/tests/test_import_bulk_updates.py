"""Changed partners committed by an import through ``partner_update_bulk``: the same records, tags, history
and activity as one ``partner_update`` per row, refused when someone else saved a partner after the dry run,
when an identifier is taken, or when the user may not edit the partner; renamed partners' agreements follow.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from meridian.agreements.models import Agreement
from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.bulk import BulkRowError
from meridian.core.errors import DuplicateError, PermissionDeniedError, StaleEditError
from meridian.core.models import Activity
from meridian.core.search_index import search_key
from meridian.core.tabular.runner import run_import
from meridian.core.tabular.tests.helpers import as_file, csv_bytes
from meridian.core.tests.chinese_catalog import use_chinese_catalog
from meridian.partners.import_rows import PartnerImporter
from meridian.partners.models import Partner, Tag
from meridian.partners.services import PartnerChange, partner_update, partner_update_bulk
from meridian.partners.tests.factories import PartnerFactory
from meridian.partners.tests.test_import_bulk import HEADERS, _OneByOne, _snapshot, _table_counts
from meridian.reference.tests.factories import country

# Rows 2–5 of the file (row 1 is the header). Each changes a stored partner made by ``stored``:
# 2 fills blank fields and adds tags, 3 takes the file's city and tags by decision, 4 takes the file's ROR ID
# by decision (matched by PIC), 5 creates a new partner.
ROWS = [
    [
        "Ruprecht-Karls-Universität Heidelberg", "Heidelberg University", "海德堡大学", "大学", "DE",
        "Heidelberg", "www.uni-heidelberg.de", "038t36y30", "D  HEIDELB01", "", "合作中", "2019/3/1",
        "Erasmus+、双学位", "", "Strategic partner", "49.398750", "8.672434",
    ],
    [
        "Sorbonne Université", "Sorbonne University", "", "university", "FR", "Paris",
        "", "", "", "", "", "", "Erasmus+", "", "", "", "",
    ],
    [
        "Kobenhavns Universitet", "University of Copenhagen", "", "University", "DK",
        "", "", "035b05819", "", "999986968", "", "", "", "", "", "", "",
    ],
    [
        "Universitetet i Oslo", "University of Oslo", "", "University", "NO",
        "Oslo", "", "", "", "", "", "", "Nordic", "", "", "", "",
    ],
]  # fmt: skip
DECISIONS = {"3": {"city": "file", "tags": "file"}, "4": {"ror_id": "file"}}


@pytest.fixture
def countries(db):
    return {
        code: country(code, en, zh)
        for code, en, zh in [
            ("DE", "Germany", "德国"),
            ("FR", "France", "法国"),
            ("DK", "Denmark", "丹麦"),
            ("NO", "Norway", "挪威"),
        ]
    }


def _with_tags(partner: Partner, names: list[str]) -> Partner:
    partner.tags.set([Tag.objects.get_or_create(name=name)[0] for name in names])
    return Partner.objects.get(pk=partner.pk)


@pytest.fixture
def stored(countries):
    heidelberg = PartnerFactory(
        name="Ruprecht-Karls-Universität Heidelberg", name_en="", name_zh="", country=countries["DE"],
        city="", kind="university", cooperating_since=None,
    )  # fmt: skip
    sorbonne = PartnerFactory(
        name="Sorbonne Université", name_en="Sorbonne University", name_zh="", country=countries["FR"],
        city="Lyon",
    )  # fmt: skip
    copenhagen = PartnerFactory(
        name="Kobenhavns Universitet", name_en="University of Copenhagen", name_zh="",
        country=countries["DK"], city="Copenhagen", ror_id="035b05800", pic="999986968",
    )  # fmt: skip
    return {
        "heidelberg": _with_tags(heidelberg, ["Old"]),
        "sorbonne": _with_tags(sorbonne, ["Old", "Keep"]),
        "copenhagen": copenhagen,
    }


def _import(
    importer=PartnerImporter, *, rows=ROWS, actor=None, commit=True, decisions=DECISIONS, progress=None
):
    return run_import(
        importer=importer,
        file=as_file(csv_bytes(HEADERS, rows)),
        actor=actor,
        commit=commit,
        decisions=decisions,
        progress=progress,
    )


def _row(**cells: str) -> list[str]:
    """A file row with these cells (by header), the others blank."""
    assert set(cells) <= set(HEADERS)
    return [cells.get(header, "") for header in HEADERS]


def _agreement_texts() -> dict[str, str]:
    return dict(Agreement.objects.values_list("number", "search_text"))


# --- the same outcome as one partner_update per row ---------------------------------------------------------


@pytest.mark.django_db
def test_bulk_updates_write_exactly_what_partner_update_writes(stored, people, org, settings, tmp_path):
    use_chinese_catalog(settings, tmp_path, {"Changed %(fields)s": "修改了%(fields)s", "city": "城市"})
    AgreementFactory(number="AGR-H", responsible_unit=org.computing, partners=[stored["heidelberg"]])

    def both(importer):
        with transaction.atomic():
            report = _import(importer, actor=people.officer)
            assert report.committed, report.problems
            snapshot = {**_snapshot(), "agreements": _agreement_texts()}
            transaction.set_rollback(True)
        return report, snapshot

    one_report, one_by_one = both(_OneByOne)
    bulk_report, bulk = both(PartnerImporter)
    assert (
        one_report.counts == bulk_report.counts == {"create": 1, "update": 3, "unchanged": 0, "problems": 0}
    )
    assert bulk == one_by_one

    heidelberg = bulk["partners"]["Ruprecht-Karls-Universität Heidelberg"]
    # Blank fields filled, tags added to the stored ones.
    assert (heidelberg["name_en"], heidelberg["city"], heidelberg["ror_id"]) == (
        "Heidelberg University",
        "Heidelberg",
        "038t36y30",
    )
    assert heidelberg["latitude"] == Decimal("49.398750")
    assert heidelberg["tags"] == ["Erasmus+", "Old", "双学位"]
    # One "~" history row by the importing user, with the new version and the tags it had.
    assert heidelberg["history"][-1] == ("~", people.officer.pk, None, heidelberg["name"], "D  HEIDELB01", 2)
    assert heidelberg["history_tags"][-1] == ["Erasmus+", "Old", "双学位"]
    verb, message, message_zh, actor_id, _comment = heidelberg["activity"][-1]
    assert (verb, actor_id) == ("updated", people.officer.pk)
    assert message.startswith("Changed ") and "city" in message and "tags" in message
    assert message_zh.startswith("修改了") and "城市" in message_zh
    # The file's value by decision, and the file's tags replacing the stored ones.
    sorbonne = bulk["partners"]["Sorbonne Université"]
    assert sorbonne["city"] == "Paris"
    assert sorbonne["tags"] == ["Erasmus+"]
    assert sorbonne["history_tags"][-1] == ["Erasmus+"]
    assert sorbonne["history"][-1][0] == "~" and sorbonne["version"] == 2
    # An identifier changed by decision.
    copenhagen = bulk["partners"]["Kobenhavns Universitet"]
    assert (copenhagen["ror_id"], copenhagen["version"]) == ("035b05819", 2)
    assert copenhagen["activity"][-1][:2] == ("updated", "Changed ROR ID")
    # The renamed partner's agreement is found by its new English name.
    assert "heidelberg university" in bulk["agreements"]["AGR-H"]
    assert bulk["tags"] == ["Erasmus+", "Keep", "Nordic", "Old", "双学位"]


@pytest.mark.django_db
def test_a_bulk_update_raises_the_version_by_one_and_refreshes_times_and_search_text(stored, people):
    before = {p.pk: (p.version, p.updated_at) for p in Partner.objects.all()}
    report = _import(actor=people.officer, rows=ROWS[:1], decisions={})
    assert report.committed, report.problems
    assert report.counts["update"] == 1
    heidelberg = Partner.objects.get(pk=stored["heidelberg"].pk)
    version, updated_at = before[heidelberg.pk]
    assert heidelberg.version == version + 1
    assert heidelberg.updated_at > updated_at
    assert "heidelberg university" in heidelberg.search_text
    assert "海德堡大学" in heidelberg.search_text
    # The partners the file does not name are left alone.
    for other in Partner.objects.exclude(pk=heidelberg.pk):
        assert (other.version, other.updated_at) == before[other.pk]


# --- someone else's save between the dry run and the commit -------------------------------------------------


class _SomeoneSavesMeanwhile(PartnerImporter):
    """After the rows are planned, another user changes the Sorbonne record (its version moves on)."""

    def stage_bulk(self, plans):
        super().stage_bulk(plans)
        sorbonne = Partner.objects.get(name="Sorbonne Université")
        partner_update(partner=sorbonne, actor=None, notes="Changed by a colleague meanwhile")


@pytest.mark.django_db
def test_a_partner_saved_by_someone_else_after_planning_refuses_the_whole_import(stored, people):
    before = _table_counts()
    report = _import(_SomeoneSavesMeanwhile, actor=people.officer)
    assert not report.committed
    assert [(p.row, p.column) for p in report.problems] == [(3, "")]
    reason = report.problems[0].reason
    assert "Sorbonne" in reason and "changed by someone else" in reason
    # Nothing of the file was written: no new partner, no changed field, no tag, no history, no activity.
    sorbonne = Partner.objects.get(pk=stored["sorbonne"].pk)
    assert (sorbonne.city, sorbonne.notes, sorbonne.version) == (
        "Lyon",
        "Changed by a colleague meanwhile",
        2,
    )
    assert sorted(sorbonne.tags.values_list("name", flat=True)) == ["Keep", "Old"]
    heidelberg = Partner.objects.get(pk=stored["heidelberg"].pk)
    assert (heidelberg.name_en, heidelberg.version) == ("", 1)
    assert not Partner.objects.filter(name="Universitetet i Oslo").exists()
    assert all(row.object_id is None for row in report.created)
    after = _table_counts()
    changed = {label for label in after if after[label] != before[label]}
    # Only the colleague's save (its history row and activity entry).
    assert changed <= {
        "partners.HistoricalPartner",
        "partners.HistoricalPartner_tags",  # the tags the colleague's history row had
        "core.Activity",
        "portal.FiguresStamp",
    }
    assert after["partners.HistoricalPartner"] - before["partners.HistoricalPartner"] == 1
    assert after["core.Activity"] - before["core.Activity"] == 1


@pytest.mark.django_db
def test_partner_update_bulk_refuses_a_change_planned_on_an_older_version(stored, people):
    planned = Partner.objects.get(pk=stored["sorbonne"].pk)
    partner_update(partner=planned, actor=people.officer, city="Marseille")
    with pytest.raises(BulkRowError) as refused, transaction.atomic():
        partner_update_bulk(
            actor=people.officer,
            changes=[
                PartnerChange(
                    key=7, partner=Partner.objects.get(pk=stored["heidelberg"].pk), fields={"city": "X"}
                ),
                PartnerChange(key=8, partner=planned, fields={"city": "Paris"}),
            ],
        )
    assert refused.value.row == 8
    assert isinstance(refused.value.error, StaleEditError)
    assert "changed by someone else" in refused.value.error.message
    assert Partner.objects.get(pk=planned.pk).city == "Marseille"
    assert Partner.objects.get(pk=stored["heidelberg"].pk).city == ""


# --- identifiers --------------------------------------------------------------------------------------------


class _SomeoneTakesTheRorIdMeanwhile(PartnerImporter):
    """After planning, another user gives the ROR ID that row 4 brings to the Heidelberg record."""

    def stage_bulk(self, plans):
        super().stage_bulk(plans)
        heidelberg = Partner.objects.get(name="Ruprecht-Karls-Universität Heidelberg")
        partner_update(partner=heidelberg, actor=None, ror_id="035b05819")


@pytest.mark.django_db
def test_an_identifier_change_taken_by_another_partner_refuses_the_import(stored, people):
    decisions = {"2": {"city": "file"}, "3": {"ror_id": "file"}}
    report = _import(_SomeoneTakesTheRorIdMeanwhile, actor=people.officer, rows=ROWS[1:], decisions=decisions)
    assert not report.committed
    assert [(p.row, p.column) for p in report.problems] == [(3, "")]
    reason = report.problems[0].reason
    assert "same ROR ID" in reason and f"(#{stored['heidelberg'].pk})" in reason
    copenhagen = Partner.objects.get(pk=stored["copenhagen"].pk)
    assert (copenhagen.ror_id, copenhagen.version) == ("035b05800", 1)
    assert Partner.objects.get(pk=stored["sorbonne"].pk).city == "Lyon"
    assert not Partner.objects.filter(name="Universitetet i Oslo").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({"ror_id": "https://ror.org/035B05800"}, "ROR ID"),
        ({"pic": "999 986 968"}, "PIC"),
        ({"erasmus_code": "dk-kobenha01"}, "Erasmus code"),
    ],
)
def test_partner_update_bulk_refuses_an_identifier_another_partner_holds(stored, people, fields, label):
    Partner.objects.filter(pk=stored["copenhagen"].pk).update(erasmus_code="DK KOBENHA01")
    sorbonne = Partner.objects.get(pk=stored["sorbonne"].pk)
    with pytest.raises(BulkRowError) as refused, transaction.atomic():
        partner_update_bulk(
            actor=people.officer, changes=[PartnerChange(key=3, partner=sorbonne, fields=fields)]
        )
    assert refused.value.row == 3
    error = refused.value.error
    assert isinstance(error, DuplicateError)
    assert f"same {label}" in error.message and f"(#{stored['copenhagen'].pk})" in error.message
    assert Partner.objects.get(pk=sorbonne.pk).version == 1


@pytest.mark.django_db
def test_partner_update_bulk_refuses_one_identifier_for_two_changed_partners(stored, people):
    heidelberg = Partner.objects.get(pk=stored["heidelberg"].pk)
    sorbonne = Partner.objects.get(pk=stored["sorbonne"].pk)
    with pytest.raises(BulkRowError) as refused, transaction.atomic():
        partner_update_bulk(
            actor=people.officer,
            changes=[
                PartnerChange(key=2, partner=heidelberg, fields={"pic": "999987551"}),
                PartnerChange(key=3, partner=sorbonne, fields={"pic": "999987551"}),
            ],
        )
    assert refused.value.row == 3
    assert isinstance(refused.value.error, DuplicateError) and "same PIC" in refused.value.error.message
    assert not Partner.objects.filter(pic="999987551").exists()


@pytest.mark.django_db
def test_partner_update_bulk_lets_an_identifier_move_from_one_partner_to_another(stored, people):
    """As two partner_update calls in a row would: the first change gives the PIC up, the second takes it."""
    copenhagen = Partner.objects.get(pk=stored["copenhagen"].pk)
    sorbonne = Partner.objects.get(pk=stored["sorbonne"].pk)
    with transaction.atomic():
        partner_update_bulk(
            actor=people.officer,
            changes=[
                PartnerChange(key=2, partner=copenhagen, fields={"pic": ""}),
                PartnerChange(key=3, partner=sorbonne, fields={"pic": "999986968"}),
            ],
        )
    assert Partner.objects.get(pk=sorbonne.pk).pic == "999986968"
    assert Partner.objects.get(pk=copenhagen.pk).pic == ""


# --- permissions --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_coordinator_cannot_change_a_partner_they_may_not_edit(countries, people, org):
    theirs = PartnerFactory(name="Engineering partner", country=countries["DE"], owner_unit=org.computing)
    others = PartnerFactory(name="Humanities partner", country=countries["DE"], owner_unit=org.humanities)
    unowned = PartnerFactory(name="Partner of nobody", country=countries["DE"], owner_unit=None)
    for key, partner in enumerate([others, unowned], start=5):
        with pytest.raises(BulkRowError) as refused, transaction.atomic():
            partner_update_bulk(
                actor=people.coordinator,
                changes=[
                    PartnerChange(key=2, partner=theirs, fields={"city": "Mannheim"}),
                    PartnerChange(key=key, partner=partner, fields={"city": "Mannheim"}),
                ],
            )
        assert refused.value.row == key
        assert isinstance(refused.value.error, PermissionDeniedError)
    assert set(Partner.objects.values_list("city", flat=True)) == {"Heidelberg"}
    assert not Activity.objects.filter(verb="updated").exists()
    # Their own unit's partner they change; giving it to a unit they do not coordinate they may not.
    with pytest.raises(BulkRowError) as refused, transaction.atomic():
        partner_update_bulk(
            actor=people.coordinator,
            changes=[PartnerChange(key=2, partner=theirs, fields={"owner_unit": org.humanities})],
        )
    assert isinstance(refused.value.error, PermissionDeniedError)
    with transaction.atomic():
        partner_update_bulk(
            actor=people.coordinator,
            changes=[PartnerChange(key=2, partner=theirs, fields={"city": "Mannheim"})],
        )
    assert Partner.objects.get(pk=theirs.pk).city == "Mannheim"
    assert Partner.objects.get(pk=others.pk).city == "Heidelberg"


@pytest.mark.django_db
def test_partner_update_bulk_refuses_unknown_fields_and_invalid_values(stored, people):
    sorbonne = Partner.objects.get(pk=stored["sorbonne"].pk)
    with pytest.raises(BulkRowError) as refused, transaction.atomic():
        partner_update_bulk(
            actor=people.officer, changes=[PartnerChange(key=3, partner=sorbonne, fields={"version": 9})]
        )
    assert "Unknown partner field: version" in str(refused.value.error)
    with pytest.raises(BulkRowError) as refused, transaction.atomic():
        partner_update_bulk(
            actor=people.officer,
            changes=[PartnerChange(key=3, partner=sorbonne, fields={"pic": "12345", "city": "x" * 300})],
        )
    assert set(refused.value.error.message_dict) == {"pic", "city"}
    assert Partner.objects.get(pk=sorbonne.pk).version == 1
    assert partner_update_bulk(actor=people.officer, changes=[]) == []


# --- renamed partners and their agreements ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_partner_renamed_by_the_import_refreshes_its_agreements_search_text(stored, people, org):
    sorbonne, copenhagen = stored["sorbonne"], stored["copenhagen"]
    AgreementFactory(number="AGR-S", responsible_unit=org.computing, partners=[sorbonne])
    AgreementFactory(number="AGR-C", responsible_unit=org.computing, partners=[copenhagen])
    Partner.objects.filter(pk=copenhagen.pk).update(name_en="")
    before = _agreement_texts()
    assert "sorbonne nouvelle" not in before["AGR-S"]
    rows = [
        # Matched by name; the file's English name is chosen over the stored one.
        _row(Name="Sorbonne Université", Country="FR", **{"English name": "Sorbonne Nouvelle University"}),
        # Matched by PIC; the blank English name is filled.
        _row(
            Name="Kobenhavns Universitet",
            Country="DK",
            PIC="999986968",
            **{"English name": "Copenhagen University"},
        ),
    ]
    report = _import(actor=people.officer, rows=rows, decisions={"2": {"name_en": "file"}})
    assert report.committed, report.problems
    assert report.counts["update"] == 2
    after = _agreement_texts()
    assert search_key("Sorbonne Nouvelle University") in after["AGR-S"]
    assert "sorbonne university" not in after["AGR-S"]
    assert search_key("Copenhagen University") in after["AGR-C"]
    assert search_key("Sorbonne Nouvelle University") in Partner.objects.get(pk=sorbonne.pk).search_text


@pytest.mark.django_db
def test_a_change_that_renames_nothing_leaves_agreements_alone(stored, people, org):
    AgreementFactory(number="AGR-S", responsible_unit=org.computing, partners=[stored["sorbonne"]])
    Agreement.objects.update(search_text="stale on purpose")
    sorbonne = Partner.objects.get(pk=stored["sorbonne"].pk)
    with transaction.atomic():
        partner_update_bulk(
            actor=people.officer, changes=[PartnerChange(key=2, partner=sorbonne, fields={"city": "Nice"})]
        )
    assert _agreement_texts() == {"AGR-S": "stale on purpose"}
    sorbonne = Partner.objects.get(pk=sorbonne.pk)
    with transaction.atomic():
        partner_update_bulk(
            actor=people.officer, changes=[PartnerChange(key=2, partner=sorbonne, fields={"acronym": "SU"})]
        )
    text = _agreement_texts()["AGR-S"]
    assert text != "stale on purpose" and search_key("Sorbonne Université") in text


@pytest.mark.django_db
def test_a_renamed_partner_may_not_take_an_identifier_an_earlier_change_took(stored, people):
    """The second change also renames its partner (so its names are checked against the stored records): its
    identifier must still be checked against the changes before it, which are not written yet."""
    heidelberg = Partner.objects.get(pk=stored["heidelberg"].pk)
    sorbonne = Partner.objects.get(pk=stored["sorbonne"].pk)
    with pytest.raises(BulkRowError) as refused, transaction.atomic():
        partner_update_bulk(
            actor=people.officer,
            changes=[
                PartnerChange(key=2, partner=heidelberg, fields={"pic": "999987551"}),
                PartnerChange(
                    key=3, partner=sorbonne, fields={"pic": "999987551", "name_en": "Paris Sorbonne"}
                ),
            ],
        )
    assert refused.value.row == 3
    assert isinstance(refused.value.error, DuplicateError) and "same PIC" in refused.value.error.message
