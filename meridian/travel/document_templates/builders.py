"""The default DOCX templates of official trips, built in code with template fields in place.

Units edit these forms in Word before filing them, so they ship as DOCX templates as well as PDF. Table rows
repeat with docxtpl's row tags (``{%tr for … %}`` … ``{%tr endfor %}``); everything else is plain fields.
"""

from __future__ import annotations

import io
from typing import Any

FONT = "Noto Serif CJK SC"


def _document() -> Any:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    # East Asian text takes its font from w:eastAsia, not from w:ascii.
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    return doc


def _rows(table: Any, rows: list[tuple[str, str]]) -> None:
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value


def _repeating(doc: Any, headers: list[str], fields: list[str], loop: str) -> None:
    """A table with a header row and one row repeated for each item of ``loop`` ("m in members")."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    table.add_row().cells[0].text = "{%tr for " + loop + " %}"
    for cell, text in zip(table.add_row().cells, fields, strict=True):
        cell.text = text
    table.add_row().cells[0].text = "{%tr endfor %}"


def _save(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def personnel_approval_docx() -> bytes:
    """出国(境)人员审批表 as an editable bilingual DOCX template (fields of the "trip" document source)."""
    doc = _document()
    doc.add_heading("出国(境)人员审批表", level=1)
    doc.add_paragraph("Personnel Approval Form for Official Travel Abroad")
    doc.add_paragraph("{{ university.name_zh }} {{ university.name_en }} · 编号 No. {{ number }}")
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    _rows(
        table,
        [
            ("团组名称 Delegation", "{{ title }}"),
            ("组团单位 Unit", "{{ unit.name_zh }} {{ unit.name_en }}"),
            ("出访类别 Kind", "{{ region_zh }} · {{ delegation_kind_zh }} ({{ delegation_kind_en }})"),
            ("出访事由 Purpose", "{{ purpose_zh }} ({{ purpose_en }})"),
            ("出访国家(地区) Destinations", "{{ destinations_zh }} ({{ destinations_en }})"),
            (
                "出访日期 Dates",
                "{{ depart_on|date_zh }} 至 {{ return_on|date_zh }}，共 {{ days }} 天 ({{ days }} days)",
            ),
            ("邀请单位 Inviting organisation", "{{ inviter.name_zh }} {{ inviter.name_en }}"),
            (
                "出访任务 Task",
                "{{ task }}{% if conference %} 会议 Conference: {{ conference }}{% endif %}"
                "{% if paper_title %} 论文 Paper: {{ paper_title }}{% endif %}",
            ),
            (
                "经费来源 Funding",
                "{{ funding_zh }} ({{ funding_en }}){% if funding_note %} {{ funding_note }}{% endif %}",
            ),
            (
                "经费预算 Budget",
                "{% for t in budget_totals %}{{ t.currency }} {{ t.amount }}"
                "{% if not loop.last %}; {% endif %}{% endfor %}",
            ),
            (
                "年度计划 Annual plan",
                "{% if plan_line.exists %}{{ plan_line.year }}: {{ plan_line.description }}"
                "{% else %}未列入年度计划 Not in the annual plan{% endif %}",
            ),
        ],
    )
    doc.add_heading("出访人员 Members ({{ member_count }})", level=2)
    _repeating(
        doc,
        ["姓名 Name", "性别 Gender", "出生日期 Date of birth", "工作单位 Unit", "职务 Post", "身份 Role"],
        [
            "{{ m.name_zh }} {{ m.name_latin }}",
            "{{ m.gender_zh }}",
            "{{ m.birth_date }}",
            "{{ m.unit_zh }}",
            "{{ m.post }}",
            "{{ m.role_zh }} {{ m.role_en }}",
        ],
        "m in members",
    )
    doc.add_heading("审批意见 Approvals", level=2)
    _repeating(
        doc,
        ["审批环节 Step", "意见 Decision", "审批人 By", "日期 Date"],
        ["{{ a.step }}", "{{ a.state_zh }} {{ a.comment }}", "{{ a.by }}", "{{ a.on }}"],
        "a in approvals",
    )
    signatures = doc.add_table(rows=0, cols=2)
    signatures.style = "Table Grid"
    _rows(
        signatures,
        [
            ("所在单位意见 Unit", "\n\n负责人签字（盖章）　　年　月　日"),
            ("国际合作与交流处意见 International Office", "\n\n负责人签字　　年　月　日"),
            ("校领导意见 University leader", "\n\n签字　　年　月　日"),
        ],
    )
    doc.add_paragraph(
        "{% if external_approval.exists %}批件 Approval document: {{ external_approval.number }} · "
        "{{ external_approval.authority }} · {{ external_approval.issued_on|date_zh }}{% endif %}"
    )
    doc.add_paragraph(
        "申请人 Applicant: {{ applicant.name_zh }} · 填表日期 Date: {{ document.issued_on|date_zh }}"
    )
    return _save(doc)


def task_budget_docx() -> bytes:
    """因公临时出国任务和预算审批意见表 as an editable DOCX template (fields of the "trip" source)."""
    doc = _document()
    doc.add_heading("因公临时出国任务和预算审批意见表", level=1)
    doc.add_paragraph("{{ university.name_zh }} · 编号 {{ number }}")
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    _rows(
        table,
        [
            ("组团单位", "{{ unit.name_zh }}"),
            ("团组名称", "{{ title }}"),
            ("团长", "{{ leader.name_zh or leader.name_latin }}"),
            ("团组人数", "{{ member_count }}人"),
            ("出访国家(地区)", "{{ destinations_zh }}"),
            ("出访时间", "{{ depart_on|date_zh }}至{{ return_on|date_zh }}（{{ days }}天）"),
            ("出访类别", "{{ region_zh }}·{{ delegation_kind_zh }}"),
            ("出访事由", "{{ purpose_zh }}"),
            ("邀请单位", "{{ inviter.name_zh }}"),
            ("出访任务", "{{ task }}"),
            (
                "年度计划",
                "{% if plan_line.exists %}已列入{{ plan_line.year }}年度计划：{{ plan_line.description }}"
                "{% else %}计划外出访{% endif %}",
            ),
            ("经费来源", "{{ funding_zh }}{% if funding_note %}（{{ funding_note }}）{% endif %}"),
        ],
    )
    doc.add_heading("经费预算", level=2)
    _repeating(
        doc,
        ["费用项目", "国家(地区)", "人数", "天数", "币种", "金额"],
        [
            "{{ b.kind_zh }}",
            "{{ b.country_zh }}",
            "{{ b.persons }}",
            "{{ b.days }}",
            "{{ b.currency }}",
            "{{ b.amount }}",
        ],
        "b in budget",
    )
    doc.add_paragraph(
        "合计：{% for t in budget_totals %}{{ t.currency }} {{ t.amount }}"
        "{% if not loop.last %}；{% endif %}{% endfor %}"
    )
    signatures = doc.add_table(rows=0, cols=2)
    signatures.style = "Table Grid"
    _rows(
        signatures,
        [
            ("所在单位意见", "\n\n负责人签字（盖章）　　年　月　日"),
            ("财务部门意见", "\n\n负责人签字　　年　月　日"),
            ("国际合作与交流处意见", "\n\n负责人签字　　年　月　日"),
            ("校领导审批意见", "\n\n签字　　年　月　日"),
        ],
    )
    return _save(doc)
