"""The context of the "trip" document source: one trip as plain data (see ``fields.FIELDS``).

Templates are untrusted text run in a sandbox that sees only plain dicts and lists, so everything a form
prints is prepared here: labels in English and in the forms' Chinese wording, ISO dates, formatted money and
totals.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from meridian.accounts.models import OrgUnit
from meridian.travel.choices import (
    BudgetKind,
    DelegationKind,
    FundingSource,
    MemberRole,
    NoticePhase,
    NoticeState,
    Purpose,
    RegionKind,
    ReportState,
    TripState,
)
from meridian.travel.document_templates.fields import EMPTY_NOTICE
from meridian.travel.models import Trip

# The Chinese wording the official forms print, whatever the interface catalogue says (the forms are filed
# with the authorities and must use the field's fixed terms).
_ZH: dict[type, dict[str, str]] = {
    RegionKind: {RegionKind.ABROAD: "出国", RegionKind.HK_MACAO: "赴港澳", RegionKind.TAIWAN: "赴台"},
    DelegationKind: {
        DelegationKind.ADMINISTRATIVE: "行政团组",
        DelegationKind.ACADEMIC: "教学科研人员学术交流",
    },
    Purpose: {
        Purpose.ACADEMIC_EXCHANGE: "学术交流",
        Purpose.CONFERENCE: "参加国际会议",
        Purpose.LECTURE: "讲学",
        Purpose.RESEARCH: "合作研究",
        Purpose.TRAINING: "培训",
        Purpose.NEGOTIATION: "洽谈签约",
        Purpose.ADMINISTRATIVE_VISIT: "行政访问",
        Purpose.STUDENT_PROGRAMME: "学生项目",
    },
    FundingSource: {
        FundingSource.UNIT_BUDGET: "单位经费",
        FundingSource.RESEARCH_FUNDS: "科研经费",
        FundingSource.UNIVERSITY: "学校经费",
        FundingSource.INVITER: "邀请方承担",
        FundingSource.GOVERNMENT_SCHOLARSHIP: "国家公派",
        FundingSource.OTHER: "其他",
    },
    MemberRole: {MemberRole.LEADER: "团长", MemberRole.MEMBER: "团员", MemberRole.INTERPRETER: "翻译"},
    BudgetKind: {
        BudgetKind.TRAVEL: "国际旅费",
        BudgetKind.ACCOMMODATION: "住宿费",
        BudgetKind.MEALS: "伙食费",
        BudgetKind.INCIDENTALS: "公杂费",
        BudgetKind.REGISTRATION: "注册费",
        BudgetKind.OTHER: "其他费用",
    },
    NoticePhase: {NoticePhase.BEFORE: "行前公示", NoticePhase.AFTER: "回国公示"},
    NoticeState: {
        NoticeState.RUNNING: "公示中",
        NoticeState.COMPLETED: "公示期满",
        NoticeState.WITHDRAWN: "已撤回",
    },
    TripState: {
        TripState.DRAFT: "草稿",
        TripState.PUBLICITY: "公示中",
        TripState.UNDER_REVIEW: "审批中",
        TripState.APPROVED: "学校已批准",
        TripState.AUTHORISED: "已获批件",
        TripState.ABROAD: "在外",
        TripState.RETURNED: "已回国",
        TripState.CLOSED: "已结束",
        TripState.REJECTED: "未获批准",
        TripState.CANCELLED: "已取消",
    },
    ReportState: {
        ReportState.DRAFT: "未提交",
        ReportState.SUBMITTED: "已提交",
        ReportState.ACCEPTED: "已验收",
    },
}
_GENDER = {1: ("Male", "男"), 2: ("Female", "女")}
_TASK_STATE_ZH = {
    "waiting": "待审",
    "open": "待审",
    "approved": "同意",
    "returned": "退回修改",
    "rejected": "不同意",
    "skipped": "无需审批",
    "cancelled": "已取消",
}


# --- plain-data helpers ---------------------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.isoformat()


def _label(choices: Any, value: str) -> tuple[str, str]:
    """The English label and the form's Chinese wording of a choice value."""
    with translation.override("en"):
        english = str(choices(value).label) if value in choices.values else value
    return english, _ZH.get(choices, {}).get(value, english)


def _money(amount: Decimal | int | float) -> str:
    return f"{Decimal(amount):,.2f}"


def _unit_names(unit: OrgUnit | None) -> dict[str, str]:
    if unit is None:
        return {"name_en": "", "name_zh": ""}
    return {"name_en": unit.name_en, "name_zh": unit.name_zh or unit.name_en}


def _university(unit: OrgUnit) -> dict[str, str]:
    # The root of the unit's materialised path ("/1/4/9/") is the university.
    root_id = next((int(p) for p in unit.path.split("/") if p.isdigit()), None)
    root = OrgUnit.objects.filter(pk=root_id).first() if root_id else None
    if root is None:
        return {"name_en": settings.UNIVERSITY_NAME, "name_zh": settings.UNIVERSITY_NAME}
    return _unit_names(root)


def _user_name(user: Any) -> dict[str, str]:
    if user is None:
        return {"name": "", "name_zh": ""}
    person = getattr(user, "person", None)
    name = str(user)
    name_zh = getattr(person, "name_zh", "") if person is not None else ""
    return {"name": name, "name_zh": name_zh or name}


EMPTY_MEMBER: dict[str, Any] = {
    "name": "",
    "name_latin": "",
    "name_zh": "",
    "family_name": "",
    "given_name": "",
    "gender": "",
    "gender_en": "",
    "gender_zh": "",
    "birth_date": "",
    "unit_en": "",
    "unit_zh": "",
    "post": "",
    "role": "",
    "role_en": "",
    "role_zh": "",
    "is_unit_leader": False,
}


def _member(member: Any) -> dict[str, Any]:
    person = member.person
    role_en, role_zh = _label(MemberRole, member.role)
    gender_en, gender_zh = _GENDER.get(person.gender, ("", ""))
    unit = member.unit or person.unit
    latin = person.latin_name
    return {
        "name": f"{person.name_zh} {latin}".strip() if person.name_zh else latin,
        "name_latin": latin,
        "name_zh": person.name_zh,
        "family_name": person.family_name,
        "given_name": person.given_name,
        "gender": str(person.gender) if person.gender in _GENDER else "",
        "gender_en": gender_en,
        "gender_zh": gender_zh,
        "birth_date": _iso(person.birth_date),
        "unit_en": unit.name_en if unit else "",
        "unit_zh": (unit.name_zh or unit.name_en) if unit else "",
        "post": member.post,
        "role": member.role,
        "role_en": role_en,
        "role_zh": role_zh,
        "is_unit_leader": member.is_unit_leader,
    }


def _inviter(trip: Trip) -> dict[str, Any]:
    partner, institution = trip.inviter_partner, trip.inviter_institution
    country = None
    if partner is not None:
        name_en = partner.name_en or partner.name
        name_zh = partner.name_zh
        name = trip.inviter_name or partner.name
        country = partner.country
    elif institution is not None:
        name = name_en = trip.inviter_name or institution.name
        name_zh = ""
        country = institution.country
    else:
        name = name_en = trip.inviter_name
        name_zh = ""
    return {
        "name": name,
        "name_en": name_en,
        "name_zh": name_zh or name,
        "country_en": country.name_en if country else "",
        "country_zh": country.name_zh if country else "",
        "is_counterpart": trip.inviter_is_counterpart,
    }


def _itinerary(trip: Trip) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    days: list[dict[str, Any]] = []
    countries: dict[str, dict[str, Any]] = {}
    for item in trip.itinerary.all():
        country = item.country
        days.append(
            {
                "date": _iso(item.day),
                "country_code": country.code,
                "country_en": country.name_en,
                "country_zh": country.name_zh or country.name_en,
                "city": item.city,
                "transit": item.is_transit,
                "programme": item.activity,
            }
        )
        entry = countries.setdefault(
            country.code,
            {
                "code": country.code,
                "en": country.name_en,
                "zh": country.name_zh or country.name_en,
                "transit": True,
            },  # fmt: skip
        )
        entry["transit"] = entry["transit"] and item.is_transit
    return days, list(countries.values())


def _budget(trip: Trip) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    lines: list[dict[str, Any]] = []
    totals: dict[str, Decimal] = {}
    for line in trip.budget_lines.all():
        kind_en, kind_zh = _label(BudgetKind, line.kind)
        lines.append(
            {
                "kind": line.kind,
                "kind_en": kind_en,
                "kind_zh": kind_zh,
                "country_en": line.country.name_en if line.country else "",
                "country_zh": (line.country.name_zh or line.country.name_en) if line.country else "",
                "currency": line.currency,
                "amount": _money(line.amount),
                "persons": line.persons,
                "days": line.days,
                "note": line.note,
            }
        )
        totals[line.currency] = totals.get(line.currency, Decimal(0)) + line.amount
    return lines, [{"currency": c, "amount": _money(a)} for c, a in totals.items()]


def _plan_line(trip: Trip) -> dict[str, Any]:
    line = trip.plan_line
    if line is None:
        return {"exists": False, "description": "", "year": "", "category_en": "", "category_zh": "",
                "persons": "", "days": "", "budget": ""}  # fmt: skip
    category_en, category_zh = _label(DelegationKind, line.category)
    return {
        "exists": True,
        "description": line.description,
        "year": line.plan.year,
        "category_en": category_en,
        "category_zh": category_zh,
        "persons": line.persons,
        "days": line.days,
        "budget": _money(line.budget),
    }


def _rules(trip: Trip) -> dict[str, Any]:
    results = [r for r in (trip.rule_results or []) if isinstance(r, dict)]
    lines = []
    for r in results:
        source = r.get("source") or {}
        lines.append(
            {
                "code": str(r.get("code", "")),
                "label": str(r.get("label", "")),
                "severity": str(r.get("severity", "")),
                "outcome": str(r.get("outcome", "")),
                "message": str(r.get("message", "")),
                "source_document": str(source.get("document", "")) if isinstance(source, dict) else "",
                "source_article": str(source.get("article", "")) if isinstance(source, dict) else "",
                "justification": str(r.get("justification", "") or ""),
            }
        )
    failed = [line for line in lines if line["outcome"] == "fail"]
    return {
        "checked_on": _iso(trip.rules_checked_at),
        "version": trip.rules_version or "",
        "passed": sum(1 for line in lines if line["outcome"] == "pass"),
        "failed": len(failed),
        "blocking": sum(1 for line in failed if line["severity"] == "block"),
        "all_passed": bool(lines) and not failed,
        "failures": failed,
        "results": lines,
    }


def _external(trip: Trip) -> dict[str, Any]:
    approval = getattr(trip, "external_approval", None)
    if approval is None:
        return {"exists": False, "number": "", "issued_on": "", "authority": "", "valid_until": "",
                "itinerary": "", "people": []}  # fmt: skip
    people = [
        str(p.get("name", "")) if isinstance(p, dict) else str(p) for p in approval.approved_people or []
    ]
    return {
        "exists": True,
        "number": approval.document_number,
        "issued_on": _iso(approval.issued_on),
        "authority": approval.authority,
        "valid_until": _iso(approval.valid_until),
        "itinerary": approval.approved_itinerary,
        "people": people,
    }


def _notices(trip: Trip) -> list[dict[str, Any]]:
    rows = []
    for notice in trip.notices.prefetch_related("objections").order_by("starts_on", "id"):
        phase_en, phase_zh = _label(NoticePhase, notice.phase)
        state_en, state_zh = _label(NoticeState, notice.state)
        objections = list(notice.objections.all())
        rows.append(
            {
                "exists": True,
                "phase": notice.phase,
                "phase_en": phase_en,
                "phase_zh": phase_zh,
                "state": notice.state,
                "state_en": state_en,
                "state_zh": state_zh,
                "starts_on": _iso(notice.starts_on),
                "ends_on": _iso(notice.ends_on),
                "working_days": notice.working_days,
                "text": notice.text,
                "text_zh": notice.text_zh,
                "outcome": notice.outcome,
                "objections": len(objections),
                "objections_upheld": sum(1 for o in objections if o.upheld),
            }
        )
    return rows


def _latest_notice(notices: list[dict[str, Any]], phase: str) -> dict[str, Any]:
    # A withdrawn notice is replaced by the next one of its phase; the last one counts.
    chosen = [n for n in notices if n["phase"] == phase]
    return chosen[-1] if chosen else dict(EMPTY_NOTICE, phase=phase)


def _report(trip: Trip) -> dict[str, Any]:
    report = getattr(trip, "report", None)
    if report is None:
        return {"exists": False, "state": "", "state_en": "", "state_zh": "", "due_on": "",
                "submitted_on": "", "tasks_done": "", "outcomes": "", "passport_returned": False,
                "discipline": "", "costs": "", "paid_by": "", "follow_up": "", "photos": 0}  # fmt: skip
    state_en, state_zh = _label(ReportState, report.state)
    return {
        "exists": True,
        "state": report.state,
        "state_en": state_en,
        "state_zh": state_zh,
        "due_on": _iso(report.due_on),
        "submitted_on": _iso(report.submitted_at),
        "tasks_done": report.tasks_done,
        "outcomes": report.outcomes,
        "passport_returned": report.passport_returned,
        "discipline": report.discipline,
        "costs": _money(report.costs) if report.costs is not None else "",
        "paid_by": report.paid_by,
        "follow_up": report.follow_up,
        "photos": report.photos.count(),
    }


def _approvals(trip: Trip) -> list[dict[str, Any]]:
    from meridian.workflow.selectors import approval_for

    run = approval_for(case=trip)
    if run is None:
        return []
    rows = []
    for task in run.tasks.all():
        with translation.override("en"):
            state_en = str(task.get_state_display())
        rows.append(
            {
                "step": task.label,
                "step_zh": task.label_zh or task.label,
                "state": task.state,
                "state_en": state_en,
                "state_zh": _TASK_STATE_ZH.get(task.state, state_en),
                "by": str(task.acted_by) if task.acted_by else "",
                "on": _iso(task.acted_at),
                "comment": task.comment,
            }
        )
    return rows


# --- the context ------------------------------------------------------------------------------------------


def trip_document_context(trip: Trip) -> dict[str, Any]:
    """The documented fields of one trip (see ``FIELDS``) as plain data: str, int, bool, lists and dicts.

    Dates are ISO strings (YYYY-MM-DD, empty when unknown); money is a formatted string with two decimals in
    the line's currency, totals per currency; ``days`` counts the departure and the arrival day.
    Identity-document numbers are never included.
    """
    trip = (
        Trip.objects.select_related(
            "unit",
            "applicant",
            "applicant__person",
            "inviter_partner__country",
            "inviter_institution__country",
            "plan_line__plan",
        )
        .prefetch_related(
            "members__person__unit", "members__unit", "itinerary__country", "budget_lines__country"
        )
        .get(pk=trip.pk)
    )
    members = [_member(m) for m in trip.members.all()]
    first = members[0] if members else EMPTY_MEMBER
    leader = next((m for m in members if m["role"] == MemberRole.LEADER), first)
    itinerary, countries = _itinerary(trip)
    budget, totals = _budget(trip)
    notices = _notices(trip)
    region_en, region_zh = _label(RegionKind, trip.region)
    kind_en, kind_zh = _label(DelegationKind, trip.delegation_kind)
    purpose_en, purpose_zh = _label(Purpose, trip.purpose)
    funding_en, funding_zh = _label(FundingSource, trip.funding_source)
    state_en, state_zh = _label(TripState, trip.state)
    visited = [c for c in countries if not c["transit"]] or countries
    return {
        "number": trip.number,
        "title": trip.title,
        "state": trip.state,
        "state_en": state_en,
        "state_zh": state_zh,
        "university": _university(trip.unit),
        "unit": _unit_names(trip.unit),
        "applicant": _user_name(trip.applicant),
        "delegation_kind": trip.delegation_kind,
        "delegation_kind_en": kind_en,
        "delegation_kind_zh": kind_zh,
        "region": trip.region,
        "region_en": region_en,
        "region_zh": region_zh,
        "purpose": trip.purpose,
        "purpose_en": purpose_en,
        "purpose_zh": purpose_zh,
        "task": trip.task,
        "paper_title": trip.paper_title,
        "conference": trip.conference_name,
        "depart_on": _iso(trip.depart_on),
        "return_on": _iso(trip.return_on),
        "days": trip.days,
        "inviter": _inviter(trip),
        "funding_source": trip.funding_source,
        "funding_en": funding_en,
        "funding_zh": funding_zh,
        "funding_note": trip.funding_note,
        "leader": leader,
        "members": members,
        "member_count": len(members),
        "countries": countries,
        "destinations_en": ", ".join(c["en"] for c in visited),
        "destinations_zh": "、".join(c["zh"] for c in visited),
        "country_count": len(countries),
        "itinerary": itinerary,
        "budget": budget,
        "budget_totals": totals,
        "plan_line": _plan_line(trip),
        "rules": _rules(trip),
        "approvals": _approvals(trip),
        "external_approval": _external(trip),
        "notices": notices,
        "notice": notices[-1] if notices else dict(EMPTY_NOTICE, phase=NoticePhase.BEFORE),
        "notice_before": _latest_notice(notices, NoticePhase.BEFORE),
        "notice_after": _latest_notice(notices, NoticePhase.AFTER),
        "report": _report(trip),
    }
