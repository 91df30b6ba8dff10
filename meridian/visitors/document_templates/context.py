"""The context of the "visit" document source: one visit as plain data (see ``fields.FIELDS``).

Templates are untrusted text run in a sandbox that sees only plain dicts and lists, so everything a form
prints is prepared here: labels in English and in the forms' Chinese wording, ISO dates, money in CNY with two
decimals, the budget lines beside the hosting standards that cap them.

Bilingual twins are rendered from this one dict, so names, dates and passport data cannot disagree between the
English and the Chinese document.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation

from meridian.accounts.models import OrgUnit
from meridian.people.choices import DocumentType
from meridian.visitors.choices import (
    GUEST_RANK_ORDER,
    AccommodationKind,
    BudgetKind,
    GuestRank,
    InvitationKind,
    ProgrammeKind,
    ReceptionLevel,
    StandardBasis,
    VisitCategory,
    VisitState,
)
from meridian.visitors.document_templates.fields import EMPTY_GUEST, EMPTY_PASSPORT
from meridian.visitors.models import HostingStandard, Visit

# The Chinese wording the forms print, whatever the interface catalogue says (the forms are filed with the
# finance office and the authorities and use fixed terms).
_ZH: dict[type, dict[str, str]] = {
    VisitState: {
        VisitState.DRAFT: "草稿",
        VisitState.UNDER_REVIEW: "审批中",
        VisitState.APPROVED: "已批准",
        VisitState.INVITATION_ISSUED: "已发邀请函",
        VisitState.VISA_CONFIRMED: "签证已获批",
        VisitState.ARRIVED: "来宾已抵达",
        VisitState.HOSTED: "接待完毕",
        VisitState.CLOSED: "已结束",
        VisitState.REJECTED: "未获批准",
        VisitState.CANCELLED: "已取消",
    },
    VisitCategory: {
        VisitCategory.GENERAL: "一般来访",
        VisitCategory.RETURNING_EXPERT: "返校合同专家",
        VisitCategory.OFFICIAL_DELEGATION: "官方（政府）代表团",
        VisitCategory.VISITING_SCHOLAR: "来校讲学学者",
        VisitCategory.NEGOTIATION: "合作洽谈或签约",
        VisitCategory.CONFERENCE_GUEST: "会议嘉宾",
    },
    GuestRank: {
        GuestRank.MINISTER: "部长级、大使或大学校长",
        GuestRank.VICE_MINISTER: "副部长级或副校长",
        GuestRank.DIRECTOR: "院长、主任或系主任",
        GuestRank.PROFESSOR: "教授或资深专家",
        GuestRank.OTHER: "其他来宾",
    },
    ReceptionLevel: {
        ReceptionLevel.UNIVERSITY_HEAD: "校长或党委书记",
        ReceptionLevel.UNIVERSITY_LEADER: "副校长（校领导）",
        ReceptionLevel.OFFICE_HEAD: "国际合作与交流处处长",
        ReceptionLevel.UNIT_LEADER: "学院（单位）负责人",
        ReceptionLevel.HOST: "接待教师",
    },
    ProgrammeKind: {
        ProgrammeKind.MEETING: "会谈",
        ProgrammeKind.LECTURE: "讲座或研讨",
        ProgrammeKind.LAB_VISIT: "参观实验室或校园",
        ProgrammeKind.SIGNING: "签约仪式",
        ProgrammeKind.CULTURAL: "文化活动",
        ProgrammeKind.MEAL: "用餐或宴请",
        ProgrammeKind.TRANSFER: "接送机（站）",
        ProgrammeKind.OTHER: "其他",
    },
    BudgetKind: {
        BudgetKind.ACCOMMODATION: "住宿费",
        BudgetKind.MEALS: "伙食费",
        BudgetKind.TRANSPORT: "交通费",
        BudgetKind.HONORARIA: "讲课费（酬金）",
        BudgetKind.GIFTS: "礼品费",
        BudgetKind.OTHER: "其他费用",
    },
    StandardBasis: {
        StandardBasis.PER_PERSON_DAY: "每人每天",
        StandardBasis.PER_PERSON: "每人",
        StandardBasis.PER_VISIT: "每次接待",
    },
    InvitationKind: {
        InvitationKind.NONE: "无需签证邀请",
        InvitationKind.LETTER: "学校邀请函",
        InvitationKind.AUTHORISED: "被授权单位邀请函",
        InvitationKind.VERIFICATION: "邀请核实单",
    },
    AccommodationKind: {
        AccommodationKind.ON_CAMPUS: "校内宾馆",
        AccommodationKind.HOTEL: "酒店",
        AccommodationKind.PRIVATE: "私人住所",
        AccommodationKind.NONE: "不住宿",
    },
    DocumentType: {
        DocumentType.PASSPORT: "普通护照",
        DocumentType.OFFICIAL_PASSPORT: "公务护照",
    },
}
_ENGLISH_OVERRIDES = {
    (InvitationKind, InvitationKind.AUTHORISED): "Invitation letter of an authorised unit",
    (
        InvitationKind,
        InvitationKind.VERIFICATION,
    ): "Invitation verification through the foreign-affairs office",
    (DocumentType, DocumentType.PASSPORT): "Ordinary passport",
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
PASSPORT_KINDS = (DocumentType.PASSPORT, DocumentType.OFFICIAL_PASSPORT)

# Called with each identity document whose full number goes into the document (to log the access).
Reveal = Callable[[Any], None]


# --- plain-data helpers ---------------------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.isoformat()


def _label(choices: Any, value: Any) -> tuple[str, str]:
    """The English label and the forms' Chinese wording of a choice value ("" for an empty value)."""
    if value in ("", None):
        return "", ""
    override = _ENGLISH_OVERRIDES.get((choices, value))
    with translation.override("en"):
        english = override or (str(choices(value).label) if value in choices.values else str(value))
    return english, _ZH.get(choices, {}).get(value, english)


def _money(amount: Decimal | int) -> str:
    return f"{Decimal(amount):,.2f}"


def _unit(unit: OrgUnit | None) -> dict[str, str]:
    if unit is None:
        return {"name_en": "", "name_zh": ""}
    return {"name_en": unit.name_en, "name_zh": unit.name_zh or unit.name_en}


def university_of(unit: OrgUnit) -> dict[str, str]:
    """The university: the root of the unit's materialised path ("/1/4/9/"), else the configured name."""
    root_id = next((int(p) for p in unit.path.split("/") if p.isdigit()), None)
    root = OrgUnit.objects.filter(pk=root_id).first() if root_id else None
    if root is None:
        return {"name_en": settings.UNIVERSITY_NAME, "name_zh": settings.UNIVERSITY_NAME_ZH}
    return _unit(root)


def _has_cjk(text: str) -> bool:
    """Whether ``text`` holds Chinese characters (CJK ideographs)."""
    return any(unicodedata.name(char, "").startswith("CJK ") for char in text)


def _host(user: Any) -> dict[str, str]:
    """The host's names: ``name_en`` in Latin script for English documents (their person record's "SUN Li",
    else their account's first and last name, display name or user name, the first in Latin script) and
    ``name_zh`` for Chinese ones (the person's Chinese name, else the account's name in Chinese, else the
    Latin name). ``name`` is ``name_en``."""
    person = getattr(user, "person", None)
    full = user.get_full_name()
    latin = [person.latin_name if person is not None else "", full, user.display_name, user.username]
    name_en = next((n for n in latin if n and not _has_cjk(n)), user.username)
    chinese = [getattr(person, "name_zh", "") if person is not None else "", user.display_name, full]
    name_zh = next((n for n in chinese if n and _has_cjk(n)), name_en)
    return {"name": name_en, "name_en": name_en, "name_zh": name_zh, "email": user.email or ""}


def _country(country: Any) -> tuple[str, str]:
    if country is None:
        return "", ""
    return country.name_en, country.name_zh or country.name_en


def _passport(person: Any, reveal: Reveal | None) -> dict[str, Any]:
    # The newest passport (documents are ordered by expiry, latest first); prefetched by the caller.
    passport = next((d for d in person.documents.all() if d.kind in PASSPORT_KINDS), None)
    if passport is None:
        return dict(EMPTY_PASSPORT)
    kind_en, kind_zh = _label(DocumentType, passport.kind)
    country_en, country_zh = _country(passport.issuing_country)
    number = ""
    if reveal is not None:
        reveal(passport)
        number = passport.number
    return {
        "exists": True,
        "kind": passport.kind,
        "kind_en": kind_en,
        "kind_zh": kind_zh,
        "number": number,
        "issuing_country_en": country_en,
        "issuing_country_zh": country_zh,
        "issued_on": _iso(passport.issue_date),
        "expires_on": _iso(passport.expiry_date),
    }


def _guest(guest: Any, reveal: Reveal | None) -> dict[str, Any]:
    person = guest.person
    gender_en, gender_zh = _GENDER.get(person.gender, ("", ""))
    nationality_en, nationality_zh = _country(person.nationality)
    rank_en, rank_zh = _label(GuestRank, guest.rank)
    latin = person.latin_name
    return {
        "name": f"{latin} {person.name_zh}".strip(),
        "name_latin": latin,
        "name_zh": person.name_zh,
        "family_name": person.family_name,
        "given_name": person.given_name,
        "gender": str(person.gender) if person.gender in _GENDER else "",
        "gender_en": gender_en,
        "gender_zh": gender_zh,
        "birth_date": _iso(person.birth_date),
        "nationality_code": person.nationality_id or "",
        "nationality_en": nationality_en,
        "nationality_zh": nationality_zh,
        "position": guest.position,
        "is_head": guest.is_head,
        "rank": guest.rank,
        "rank_en": rank_en,
        "rank_zh": rank_zh,
        "passport": _passport(person, reveal),
        "arrival_date": _iso(guest.arrival_date),
        "arrival_flight": guest.arrival_flight,
        "arrival_port": guest.arrival_port,
        "departure_date": _iso(guest.departure_date),
        "departure_flight": guest.departure_flight,
        "exit_port": guest.exit_port,
        "dietary_needs": guest.dietary_needs,
        "accessibility_needs": guest.accessibility_needs,
    }


def _organisation(visit: Visit) -> dict[str, str]:
    partner, institution = visit.guest_partner, visit.guest_institution
    country: Any = None
    if partner is not None:
        name, name_en, name_zh, country = (
            partner.name,
            partner.name_en or partner.name,
            partner.name_zh,
            partner.country,
        )
    elif institution is not None:
        name = name_en = institution.name
        name_zh, country = "", institution.country
    else:
        name = name_en = visit.guest_organisation
        name_zh = ""
    country_en, country_zh = _country(visit.guest_country or country)
    return {
        "name": name,
        "name_en": name_en,
        "name_zh": name_zh or name,
        "country_en": country_en,
        "country_zh": country_zh,
    }


def _time(item: Any) -> str:
    start = item.starts_at.strftime("%H:%M") if item.starts_at else ""
    end = item.ends_at.strftime("%H:%M") if item.ends_at else ""
    return f"{start}–{end}" if start and end else start or end


def _programme(visit: Visit) -> list[dict[str, Any]]:
    days: dict[str, list[dict[str, Any]]] = {}
    for item in visit.programme.all():
        kind_en, kind_zh = _label(ProgrammeKind, item.kind)
        days.setdefault(_iso(item.day), []).append(
            {
                "time": _time(item),
                "kind": item.kind,
                "kind_en": kind_en,
                "kind_zh": kind_zh,
                "title": item.title,
                "place": item.place,
                "participants": item.participants,
            }
        )
    return [{"date": day, "items": items} for day, items in days.items()]


def _top_rank(guests: list[Any]) -> str:
    ranks = [g.rank for g in guests]
    return max(ranks, key=lambda r: GUEST_RANK_ORDER.get(r, 0)) if ranks else GuestRank.OTHER


def _standards(visit: Visit, rank: str) -> dict[str, HostingStandard]:
    """The hosting standard that caps each kind of budget line: valid on the arrival date, the guests'
    standing before the general row, the newest first."""
    rows = HostingStandard.objects.filter(
        Q(rank=rank) | Q(rank=""),
        valid_from__lte=visit.arrive_on,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=visit.arrive_on))
    chosen: dict[str, HostingStandard] = {}
    for row in sorted(rows, key=lambda r: (r.rank == "", -r.valid_from.toordinal())):
        chosen.setdefault(row.kind, row)
    return chosen


def _cap(standard: HostingStandard, line: Any) -> Decimal:
    if standard.basis == StandardBasis.PER_PERSON_DAY:
        return standard.cap * line.persons * line.days
    if standard.basis == StandardBasis.PER_PERSON:
        return standard.cap * line.persons
    return standard.cap


def _budget(visit: Visit, rank: str) -> tuple[list[dict[str, Any]], Decimal]:
    standards = _standards(visit, rank)
    lines, total = [], Decimal(0)
    for line in visit.budget_lines.all():
        kind_en, kind_zh = _label(BudgetKind, line.kind)
        standard = standards.get(line.kind)
        cap = _cap(standard, line) if standard is not None else None
        basis_en, basis_zh = _label(StandardBasis, standard.basis) if standard is not None else ("", "")
        allowance = _money(cap) if cap is not None else ""
        lines.append(
            {
                "kind": line.kind,
                "kind_en": kind_en,
                "kind_zh": kind_zh,
                "description": line.description,
                "persons": line.persons,
                "days": line.days,
                "amount": _money(line.amount),
                "has_standard": cap is not None,
                "standard": allowance,
                "standard_rate": _money(standard.cap) if standard is not None else "",
                "allowance": allowance,
                "standard_basis_en": basis_en,
                "standard_basis_zh": basis_zh,
                "within": cap is None or line.amount <= cap,
            }
        )
        total += line.amount
    return lines, total


def _approvals(visit: Visit) -> list[dict[str, Any]]:
    from meridian.workflow.selectors import approval_for

    run = approval_for(case=visit)
    rows = []
    for task in run.tasks.all() if run is not None else []:
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


def _costs_covered(budget: list[dict[str, Any]]) -> tuple[str, str]:
    kinds = list(dict.fromkeys((line["kind_en"].lower(), line["kind_zh"]) for line in budget))
    return ", ".join(k[0] for k in kinds), "、".join(k[1] for k in kinds)


# --- the context ------------------------------------------------------------------------------------------


def visit_document_context(visit: Visit, *, reveal: Reveal | None = None) -> dict[str, Any]:
    """The documented fields of one visit (see ``FIELDS``) as plain data: str, int, bool, lists and dicts.

    Dates are ISO strings (YYYY-MM-DD, empty when unknown); money is CNY as a string with two decimals;
    ``days`` counts the arrival and the departure day. Passport numbers are included only when ``reveal`` is
    given: it is called with each identity document whose number is included (to log the access); otherwise
    ``passport.number`` is empty.
    """
    visit = (
        Visit.objects.select_related(
            "host_unit",
            "host",
            "host__person",
            "guest_partner__country",
            "guest_institution__country",
            "guest_country",
        )
        .prefetch_related(
            "guests__person__nationality",
            "guests__person__documents__issuing_country",
            "programme",
            "budget_lines",
        )
        .get(pk=visit.pk)
    )
    guest_rows = list(visit.guests.all())
    guests = [_guest(g, reveal) for g in guest_rows]
    head = next((g for g in guests if g["is_head"]), guests[0] if guests else EMPTY_GUEST)
    organisation = _organisation(visit)
    country_en, country_zh = organisation["country_en"], organisation["country_zh"]
    if not country_en and head["nationality_en"]:
        country_en, country_zh = head["nationality_en"], head["nationality_zh"]
    budget, total = _budget(visit, _top_rank(guest_rows))
    covered_en, covered_zh = _costs_covered(budget)
    state_en, state_zh = _label(VisitState, visit.state)
    category_en, category_zh = _label(VisitCategory, visit.category)
    level_en, level_zh = _label(ReceptionLevel, visit.reception_level)
    invitation_en, invitation_zh = _label(InvitationKind, visit.invitation_kind)
    accommodation_en, accommodation_zh = _label(AccommodationKind, visit.accommodation)
    actual_days = (
        (visit.left_on - visit.arrived_on).days + 1 if visit.arrived_on and visit.left_on else visit.days
    )
    return {
        "number": visit.number,
        "title": visit.title,
        "state": visit.state,
        "state_en": state_en,
        "state_zh": state_zh,
        "category": visit.category,
        "category_en": category_en,
        "category_zh": category_zh,
        "purpose": visit.purpose,
        "arrive_on": _iso(visit.arrive_on),
        "depart_on": _iso(visit.depart_on),
        "days": visit.days,
        "university": university_of(visit.host_unit),
        "host_unit": _unit(visit.host_unit),
        "host": _host(visit.host),
        "organisation": organisation,
        "country_en": country_en,
        "country_zh": country_zh,
        "guests": guests,
        "head": head,
        "guest_count": len(guests),
        "programme": _programme(visit),
        "budget": budget,
        "budget_total": _money(total),
        "costs_covered_en": covered_en,
        "costs_covered_zh": covered_zh,
        "reception": {
            "level": visit.reception_level,
            "level_en": level_en,
            "level_zh": level_zh,
            "leader": visit.reception_leader,
        },
        "invitation": {
            "needed": visit.needs_invitation,
            "kind": visit.invitation_kind,
            "kind_en": invitation_en,
            "kind_zh": invitation_zh,
            "number": visit.invitation_number,
            "issued_on": _iso(visit.invitation_issued_on),
        },
        "accommodation": {
            "kind": visit.accommodation,
            "kind_en": accommodation_en,
            "kind_zh": accommodation_zh,
            "address": visit.accommodation_address,
        },
        "reciprocal": visit.reciprocal,
        "funding_note": visit.funding_note,
        "projects": visit.projects,
        "approvals": _approvals(visit),
        "visa_confirmed_on": _iso(visit.visa_confirmed_on),
        "arrived_on": _iso(visit.arrived_on),
        "left_on": _iso(visit.left_on),
        "actual_days": actual_days,
        "outcomes": visit.outcomes,
        "follow_up": visit.follow_up,
    }
