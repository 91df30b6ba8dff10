"""The agreement import kind, run through the import engine: partners, units, states and refusals."""

from datetime import date

import pytest

from meridian.agreements.import_rows import KIND, AgreementImporter
from meridian.agreements.models import Agreement
from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.registry import registry
from meridian.core.tabular.report import ImportReport
from meridian.core.tabular.runner import run_import
from meridian.core.tabular.tests.helpers import as_file, csv_bytes, xlsx_bytes
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country
from meridian.workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


def _run(*, file, actor, commit: bool) -> ImportReport:
    """The agreement kind as the import hub runs it: the registered handler, read by the runner."""
    importer = registry.import_kinds.get(KIND).handler()
    return run_import(importer=importer, kind=KIND, file=file, actor=actor, commit=commit)


def dry_run(*, file, actor) -> ImportReport:
    return _run(file=file, actor=actor, commit=False)


def commit(*, file, actor) -> ImportReport:
    return _run(file=file, actor=actor, commit=True)


HEADERS_EN = [
    "Number",
    "Title (English)",
    "Title (Chinese)",
    "Type",
    "Partners",
    "Channels",
    "Responsible unit",
    "Start date",
    "End date",
    "State",
    "Auto renew",
    "Notice period (days)",
    "Languages",
    "Description",
]
HEADERS_ZH = [
    "协议编号",
    "英文标题",
    "中文标题",
    "协议类型",
    "合作方",
    "合作渠道",
    "负责单位",
    "开始日期",
    "结束日期",
    "状态",
    "自动续签",
    "提前通知天数",
    "文本语言",
    "说明",
]


def rows_en():
    return [
        [
            "IMP-2026-001",
            "Student exchange with Heidelberg",
            "与海德堡大学学生交流协议",
            "Student exchange",
            "Heidelberg University",
            "Student exchange; Research cooperation",
            "eng",
            "2026-01-01",
            "2030-12-31",
            "Active (signed)",
            "yes",
            "90",
            "English, Chinese",
            "Imported",
        ],
        [
            "",
            "Research MoU, Heidelberg and Sorbonne",
            "",
            "mou",
            "038t36y30; Sorbonne Université",
            "research",
            "School of Humanities",
            "2025/3/1",
            "",
            "draft",
            "no",
            "",
            "en",
            "",
        ],
    ]


def rows_zh():
    return [
        [
            "IMP-2026-001",
            "Student exchange with Heidelberg",
            "与海德堡大学学生交流协议",
            "学生交流",
            "海德堡大学",
            "学生交流；科研合作",
            "工程学院",
            date(2026, 1, 1),
            "2030年12月31日",
            "生效",
            "是",
            90,
            "英文、中文",
            "Imported",
        ],
        [
            "",
            "Research MoU, Heidelberg and Sorbonne",
            "",
            "谅解备忘录",
            "038t36y30；Sorbonne Université",
            "科研合作",
            "人文学院",
            "2025/3/1",
            "",
            "草稿",
            "否",
            "",
            "英文",
            "",
        ],
    ]


@pytest.fixture
def partners(db):
    germany, france = country("DE", "Germany", "德国"), country("FR", "France", "法国")
    return (
        PartnerFactory(
            name="Universität Heidelberg",
            name_en="Heidelberg University",
            name_zh="海德堡大学",
            ror_id="038t36y30",
            country=germany,
        ),
        PartnerFactory(
            name="Sorbonne Université", name_en="Sorbonne University", name_zh="索邦大学", country=france
        ),
    )


FILES = {
    "csv-en": lambda: csv_bytes(HEADERS_EN, rows_en()),
    "xlsx-en": lambda: xlsx_bytes(HEADERS_EN, rows_en()),
    "csv-zh": lambda: csv_bytes(HEADERS_ZH, rows_zh()),
    "xlsx-zh": lambda: xlsx_bytes(HEADERS_ZH, rows_zh()),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_dry_run_then_commit_then_reimport(name, partners, people, org):
    dry = dry_run(file=as_file(FILES[name]()), actor=people.officer)
    assert dry.ok, [str(p) for p in dry.problems]
    assert dry.counts["create"] == 2
    assert Agreement.objects.count() == 0

    report = commit(file=as_file(FILES[name]()), actor=people.officer)
    assert report.committed, [str(p) for p in report.problems]
    first = Agreement.objects.get(number="IMP-2026-001")
    assert first.state == "active"
    assert first.responsible_unit == org.engineering
    assert (first.start_date, first.end_date) == (date(2026, 1, 1), date(2030, 12, 31))
    assert first.auto_renew is True and first.renewal_notice_days == 90
    assert first.languages == "en, zh"
    assert sorted(ch.channel for ch in first.channels.all()) == ["research", "student_exchange"]
    assert [p.pk for p in first.partners.all()] == [partners[0].pk]
    assert list(first.transitions.order_by("at", "id").values_list("action", flat=True)) == [
        "submit",
        "approve",
        "activate",
    ]
    assert TransitionLog.objects.filter(actor=people.officer).count() == 3
    second = Agreement.objects.exclude(pk=first.pk).get()
    assert second.kind == "mou" and second.state == "draft" and second.number
    assert {p.pk for p in second.partners.all()} == {partners[0].pk, partners[1].pk}

    again = commit(file=as_file(FILES[name]()), actor=people.officer)
    assert again.committed
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2, "problems": 0}
    assert Agreement.objects.count() == 2


def test_update_by_number_moves_state_forward(partners, people, org):
    existing = AgreementFactory(
        number="IMP-2026-001",
        responsible_unit=org.engineering,
        partners=[partners[0]],
        channels=["student_exchange"],
        state="approved",
        title_en="Old title",
    )
    report = commit(file=as_file(csv_bytes(HEADERS_EN, rows_en()[:1])), actor=people.admin)
    assert report.committed, [str(p) for p in report.problems]
    assert report.updated[0].row == 2
    existing.refresh_from_db()
    assert existing.title_en == "Student exchange with Heidelberg"
    assert existing.state == "active"
    assert Agreement.objects.count() == 1


def test_impossible_state_change_is_a_problem(partners, people, org):
    AgreementFactory(
        number="IMP-2026-001", responsible_unit=org.engineering, partners=[partners[0]], state="active"
    )
    row = rows_en()[0]
    row[9] = "draft"
    report = dry_run(file=as_file(csv_bytes(HEADERS_EN, [row])), actor=people.officer)
    assert [(p.row, p.column) for p in report.problems] == [(2, "State")]


def test_bad_rows_change_nothing(partners, people, org):
    good, bad = rows_en()
    bad[4] = "Unknown Institute"
    bad[6] = "nope"
    bad[8] = "2020-01-01"
    report = commit(file=as_file(csv_bytes(HEADERS_EN, [good, bad])), actor=people.officer)
    assert not report.committed
    problems = {(p.row, p.column) for p in report.problems}
    assert problems == {(3, "Partners"), (3, "Responsible unit")}
    assert "import the partner first" in " ".join(p.reason for p in report.problems)
    assert Agreement.objects.count() == 0


def test_service_refusal_during_apply_rolls_everything_back(partners, people, org):
    good, bad = rows_en()
    bad[9] = "expired"  # an open-ended agreement cannot expire: the lifecycle service refuses
    report = commit(file=as_file(csv_bytes(HEADERS_EN, [good, bad])), actor=people.officer)
    assert not report.committed
    assert [(p.row, p.column) for p in report.problems] == [(3, "State")]
    assert Agreement.objects.count() == 0
    assert TransitionLog.objects.count() == 0


def test_end_before_start(partners, people, org):
    row = rows_en()[0]
    row[8] = "2025-01-01"
    report = dry_run(file=as_file(csv_bytes(HEADERS_EN, [row])), actor=people.officer)
    assert [(p.row, p.column) for p in report.problems] == [(2, "End date")]


def test_required_columns(partners, people, org):
    report = dry_run(
        file=as_file(csv_bytes(["Title (English)", "Type"], [["X", "mou"]])),
        actor=people.officer,
    )
    assert {p.column for p in report.problems} == {"Partners / 合作方", "Responsible unit / 负责单位"}


def test_ambiguous_partner_name(partners, people, org):
    PartnerFactory(name="Twin", country=partners[0].country)
    PartnerFactory(name="Twin", country=partners[1].country)
    row = rows_en()[0]
    row[4] = "Twin"
    report = dry_run(file=as_file(csv_bytes(HEADERS_EN, [row])), actor=people.officer)
    assert [(p.row, p.column) for p in report.problems] == [(2, "Partners")]
    assert "more than one" in report.problems[0].reason


def test_the_registered_kind_runs_this_handler():
    assert registry.import_kinds.get(KIND).handler() is AgreementImporter


@pytest.mark.parametrize(
    "who, allowed",
    [("officer", True), ("admin", True), ("coordinator", False), ("staff", False), ("leadership", False)],
)
def test_only_officers_and_administrators_may_import(who, allowed, people):
    assert registry.import_kinds.get(KIND).permission(getattr(people, who)) is allowed


def test_importing_past_decisions_under_a_configured_chain_opens_no_review(partners, people, org):
    """A configured approval chain does not stop the import of agreements already approved and signed."""
    from meridian.workflow.models import CaseApproval
    from meridian.workflow.services import chain_create

    chain_create(
        actor=people.admin,
        case_type="agreement",
        name="Agreement review",
        steps=[{"order": 1, "label": "International Office", "assignee_kind": "international_office"}],
    )
    report = commit(file=as_file(csv_bytes(HEADERS_EN, rows_en()[:1])), actor=people.officer)
    assert report.committed, [str(p) for p in report.problems]
    imported = Agreement.objects.get(number="IMP-2026-001")
    assert imported.state == "active"
    assert not CaseApproval.objects.exists()
