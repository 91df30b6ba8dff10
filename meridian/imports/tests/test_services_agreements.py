from datetime import date

import pytest

from meridian.agreements.models import Agreement, AgreementTransition
from meridian.agreements.tests.factories import AgreementFactory
from meridian.imports.services import import_commit, import_dry_run
from meridian.imports.tests.helpers import as_file, csv_bytes, xlsx_bytes
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db

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
    dry = import_dry_run(kind="agreements", file=as_file(FILES[name]()), actor=people.officer)
    assert dry.ok, [str(p) for p in dry.problems]
    assert dry.counts["create"] == 2
    assert Agreement.objects.count() == 0

    report = import_commit(kind="agreements", file=as_file(FILES[name]()), actor=people.officer)
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
    assert AgreementTransition.objects.filter(actor=people.officer).count() == 3
    second = Agreement.objects.exclude(pk=first.pk).get()
    assert second.kind == "mou" and second.state == "draft" and second.number
    assert {p.pk for p in second.partners.all()} == {partners[0].pk, partners[1].pk}

    again = import_commit(kind="agreements", file=as_file(FILES[name]()), actor=people.officer)
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
    report = import_commit(
        kind="agreements", file=as_file(csv_bytes(HEADERS_EN, rows_en()[:1])), actor=people.admin
    )
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
    report = import_dry_run(
        kind="agreements", file=as_file(csv_bytes(HEADERS_EN, [row])), actor=people.officer
    )
    assert [(p.row, p.column) for p in report.problems] == [(2, "State")]


def test_bad_rows_change_nothing(partners, people, org):
    good, bad = rows_en()
    bad[4] = "Unknown Institute"
    bad[6] = "nope"
    bad[8] = "2020-01-01"
    report = import_commit(
        kind="agreements", file=as_file(csv_bytes(HEADERS_EN, [good, bad])), actor=people.officer
    )
    assert not report.committed
    problems = {(p.row, p.column) for p in report.problems}
    assert problems == {(3, "Partners"), (3, "Responsible unit")}
    assert "import the partner first" in " ".join(p.reason for p in report.problems)
    assert Agreement.objects.count() == 0


def test_service_refusal_during_apply_rolls_everything_back(partners, people, org):
    good, bad = rows_en()
    bad[9] = "expired"  # an open-ended agreement cannot expire: the lifecycle service refuses
    report = import_commit(
        kind="agreements", file=as_file(csv_bytes(HEADERS_EN, [good, bad])), actor=people.officer
    )
    assert not report.committed
    assert [(p.row, p.column) for p in report.problems] == [(3, "State")]
    assert Agreement.objects.count() == 0
    assert AgreementTransition.objects.count() == 0


def test_end_before_start(partners, people, org):
    row = rows_en()[0]
    row[8] = "2025-01-01"
    report = import_dry_run(
        kind="agreements", file=as_file(csv_bytes(HEADERS_EN, [row])), actor=people.officer
    )
    assert [(p.row, p.column) for p in report.problems] == [(2, "End date")]


def test_required_columns(partners, people, org):
    report = import_dry_run(
        kind="agreements",
        file=as_file(csv_bytes(["Title (English)", "Type"], [["X", "mou"]])),
        actor=people.officer,
    )
    assert {p.column for p in report.problems} == {"Partners / 合作方", "Responsible unit / 负责单位"}


def test_ambiguous_partner_name(partners, people, org):
    PartnerFactory(name="Twin", country=partners[0].country)
    PartnerFactory(name="Twin", country=partners[1].country)
    row = rows_en()[0]
    row[4] = "Twin"
    report = import_dry_run(
        kind="agreements", file=as_file(csv_bytes(HEADERS_EN, [row])), actor=people.officer
    )
    assert [(p.row, p.column) for p in report.problems] == [(2, "Partners")]
    assert "more than one" in report.problems[0].reason
