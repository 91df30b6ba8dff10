"""The documented fields of the "trip" document source and their example values.

Template editors see ``FIELDS`` beside the editor; an edited template must render against
``trip_document_sample()``, which has exactly the shape ``meridian.travel.documents.trip_document_context``
builds from a trip.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from meridian.documents.sources import FieldDoc

EMPTY_NOTICE: dict[str, Any] = {
    "exists": False,
    "phase": "",
    "phase_en": "",
    "phase_zh": "",
    "state": "",
    "state_en": "",
    "state_zh": "",
    "starts_on": "",
    "ends_on": "",
    "working_days": "",
    "text": "",
    "text_zh": "",
    "outcome": "",
    "objections": 0,
    "objections_upheld": 0,
}


def trip_document_sample() -> dict[str, Any]:
    """Example values of every documented field (what template editors test their text against)."""
    leader = {
        "name": "张三 ZHANG San",
        "name_latin": "ZHANG San",
        "name_zh": "张三",
        "family_name": "Zhang",
        "given_name": "San",
        "gender": "1",
        "gender_en": "Male",
        "gender_zh": "男",
        "birth_date": "1975-04-12",
        "unit_en": "School of Engineering",
        "unit_zh": "工程学院",
        "post": "Professor",
        "role": "leader",
        "role_en": "Leader",
        "role_zh": "团长",
        "is_unit_leader": False,
    }
    member = dict(
        leader,
        name="李四 LI Si",
        name_latin="LI Si",
        name_zh="李四",
        family_name="Li",
        given_name="Si",
        gender="2",
        gender_en="Female",
        gender_zh="女",
        birth_date="1988-09-30",
        post="Lecturer",
        role="member",
        role_en="Member",
        role_zh="团员",
    )
    notice_before = {
        "exists": True,
        "phase": "before",
        "phase_en": "Before the trip",
        "phase_zh": "行前公示",
        "state": "completed",
        "state_en": "Completed",
        "state_zh": "公示期满",
        "starts_on": "2027-01-11",
        "ends_on": "2027-01-15",
        "working_days": 5,
        "text": "Zhang San and Li Si will attend ICML 2027 in Heidelberg.",
        "text_zh": "张三、李四拟赴德国海德堡参加国际会议。",
        "outcome": "No objection was raised.",
        "objections": 0,
        "objections_upheld": 0,
    }
    return {
        "number": "TRV-2027-0001",
        "title": "ICML 2027, Heidelberg",
        "state": "authorised",
        "state_en": "Externally approved",
        "state_zh": "已获批件",
        "university": {"name_en": "Meridian University", "name_zh": "子午线大学"},
        "unit": {"name_en": "School of Engineering", "name_zh": "工程学院"},
        "applicant": {"name": "Zhang San", "name_zh": "张三"},
        "delegation_kind": "academic",
        "delegation_kind_en": "Academic exchange by teaching and research staff",
        "delegation_kind_zh": "教学科研人员学术交流",
        "region": "abroad",
        "region_en": "Abroad (foreign countries)",
        "region_zh": "出国",
        "purpose": "conference",
        "purpose_en": "International conference",
        "purpose_zh": "参加国际会议",
        "task": "Present a paper at the conference and meet partners.",
        "paper_title": "Graph learning for power grids",
        "conference": "International Conference on Machine Learning",
        "depart_on": "2027-03-01",
        "return_on": "2027-03-05",
        "days": 5,
        "inviter": {
            "name": "Ruprecht-Karls-Universität Heidelberg",
            "name_en": "Heidelberg University",
            "name_zh": "海德堡大学",
            "country_en": "Germany",
            "country_zh": "德国",
            "is_counterpart": True,
        },
        "funding_source": "research_funds",
        "funding_en": "Research funds",
        "funding_zh": "科研经费",
        "funding_note": "NSFC 62000000",
        "leader": leader,
        "members": [leader, member],
        "member_count": 2,
        "countries": [{"code": "DE", "en": "Germany", "zh": "德国", "transit": False}],
        "destinations_en": "Germany",
        "destinations_zh": "德国",
        "country_count": 1,
        "itinerary": [
            {
                "date": "2027-03-01",
                "country_code": "DE",
                "country_en": "Germany",
                "country_zh": "德国",
                "city": "Heidelberg",
                "transit": False,
                "programme": "Arrival; registration",
            },
            {
                "date": "2027-03-02",
                "country_code": "DE",
                "country_en": "Germany",
                "country_zh": "德国",
                "city": "Heidelberg",
                "transit": False,
                "programme": "Conference; paper presentation",
            },
        ],  # fmt: skip
        "budget": [
            {
                "kind": "travel",
                "kind_en": "International travel",
                "kind_zh": "国际旅费",
                "country_en": "",
                "country_zh": "",
                "currency": "CNY",
                "amount": "18,000.00",
                "persons": 2,
                "days": 1,
                "note": "",
            },
            {
                "kind": "accommodation",
                "kind_en": "Accommodation",
                "kind_zh": "住宿费",
                "country_en": "Germany",
                "country_zh": "德国",
                "currency": "EUR",
                "amount": "1,200.00",
                "persons": 2,
                "days": 4,
                "note": "",
            },
        ],  # fmt: skip
        "budget_totals": [
            {"currency": "CNY", "amount": "18,000.00"},
            {"currency": "EUR", "amount": "1,200.00"},
        ],
        "plan_line": {
            "exists": True,
            "description": "Conferences in Europe",
            "year": 2027,
            "category_en": "Academic exchange by teaching and research staff",
            "category_zh": "教学科研人员学术交流",
            "persons": 2,
            "days": 5,
            "budget": "60,000.00",
        },
        "rules": {
            "checked_on": "2027-01-05",
            "version": 3,
            "passed": 12,
            "failed": 1,
            "blocking": 0,
            "all_passed": False,
            "failures": [
                {
                    "code": "lead_time",
                    "label": "Lead time",
                    "severity": "justify",
                    "outcome": "fail",
                    "message": "Filed 40 days ahead; 45 are required.",
                    "source_document": "校外〔2020〕1号",
                    "source_article": "5",
                    "justification": "The invitation arrived late.",
                },
            ],  # fmt: skip
            "results": [
                {
                    "code": "lead_time",
                    "label": "Lead time",
                    "severity": "justify",
                    "outcome": "fail",
                    "message": "Filed 40 days ahead; 45 are required.",
                    "source_document": "校外〔2020〕1号",
                    "source_article": "5",
                    "justification": "The invitation arrived late.",
                },
            ],  # fmt: skip
        },
        "approvals": [
            {
                "step": "Unit leader",
                "step_zh": "单位领导",
                "state": "approved",
                "state_en": "Approved",
                "state_zh": "同意",
                "by": "Wang Wu",
                "on": "2027-01-18",
                "comment": "Agreed.",
            },
        ],  # fmt: skip
        "external_approval": {
            "exists": True,
            "number": "粤外办批〔2027〕123号",
            "issued_on": "2027-02-10",
            "authority": "广东省人民政府外事办公室",
            "valid_until": "2027-08-10",
            "itinerary": "Germany, 2027-03-01 to 2027-03-05",
            "people": ["张三", "李四"],
        },
        "notices": [notice_before],
        "notice": notice_before,
        "notice_before": notice_before,
        "notice_after": dict(EMPTY_NOTICE, phase="after"),
        "report": {
            "exists": False,
            "state": "",
            "state_en": "",
            "state_zh": "",
            "due_on": "",
            "submitted_on": "",
            "tasks_done": "",
            "outcomes": "",
            "passport_returned": False,
            "discipline": "",
            "costs": "",
            "paid_by": "",
            "follow_up": "",
            "photos": 0,
        },
    }


FIELDS: tuple[FieldDoc, ...] = (
    FieldDoc("number, title", gettext_lazy("Trip number and short title"), "TRV-2027-0001"),
    FieldDoc("state, state_en, state_zh", gettext_lazy("Lifecycle state: code, English, Chinese"), "draft"),
    FieldDoc("university.name_en, university.name_zh", gettext_lazy("Our university's name"), "子午线大学"),
    FieldDoc("unit.name_en, unit.name_zh", gettext_lazy("The unit filing the trip"), "工程学院"),
    FieldDoc("applicant.name, applicant.name_zh", gettext_lazy("The applicant"), "Zhang San"),
    FieldDoc(
        "delegation_kind, delegation_kind_en, delegation_kind_zh",
        gettext_lazy("Kind of delegation: code, English, Chinese"),
        "academic",
    ),
    FieldDoc("region, region_en, region_zh", gettext_lazy("Abroad, Hong Kong/Macao or Taiwan"), "abroad"),
    FieldDoc("purpose, purpose_en, purpose_zh", gettext_lazy("Purpose: code, English, Chinese"), "lecture"),
    FieldDoc("task", gettext_lazy("The delegation's task"), "Present a paper …"),
    FieldDoc("paper_title, conference", gettext_lazy("Paper title and conference (conference trips)"), "…"),
    FieldDoc("depart_on, return_on", gettext_lazy("Departure and return date (YYYY-MM-DD)"), "2027-03-01"),
    FieldDoc("days", gettext_lazy("Days away, counting the departure and the arrival day"), "5"),
    FieldDoc(
        "inviter.name, inviter.name_en, inviter.name_zh, inviter.country_en, inviter.country_zh, "
        "inviter.is_counterpart",
        gettext_lazy("The inviting organisation"),
        "Heidelberg University",
    ),
    FieldDoc(
        "funding_source, funding_en, funding_zh, funding_note",
        gettext_lazy("Funding source (code, English, Chinese) and budget code"),
        "research_funds",
    ),
    FieldDoc(
        "members",
        gettext_lazy(
            "Delegation members: name, name_latin, name_zh, family_name, given_name, gender_en, gender_zh, "
            "birth_date, unit_en, unit_zh, post, role, role_en, role_zh, is_unit_leader (no passport numbers)"
        ),
        "{name_zh: 张三, role_zh: 团长, …}",
    ),
    FieldDoc("leader", gettext_lazy("The leader, with the same fields as a member"), "{name_zh: 张三, …}"),
    FieldDoc("member_count", gettext_lazy("Number of people in the delegation"), "2"),
    FieldDoc(
        "countries, country_count, destinations_en, destinations_zh",
        gettext_lazy("Countries and territories (code, en, zh, transit), their number and a joined list"),
        "{code: DE, en: Germany, zh: 德国, transit: False}",
    ),
    FieldDoc(
        "itinerary",
        gettext_lazy("Itinerary days: date, country_code, country_en, country_zh, city, transit, programme"),
        "{date: 2027-03-01, city: Heidelberg, …}",
    ),
    FieldDoc(
        "budget",
        gettext_lazy(
            "Budget lines: kind, kind_en, kind_zh, country_en, country_zh, currency, amount, persons, days, "
            "note"
        ),
        "{kind_zh: 住宿费, currency: EUR, amount: 1,200.00, …}",
    ),
    FieldDoc("budget_totals", gettext_lazy("Totals per currency: currency, amount"), "{currency: CNY, …}"),
    FieldDoc(
        "plan_line",
        gettext_lazy(
            "The annual-plan line: exists, description, year, category_en, category_zh, persons, days, budget"
        ),
        "{exists: True, …}",
    ),
    FieldDoc(
        "rules",
        gettext_lazy(
            "Rule check: checked_on, version, passed, failed, blocking, all_passed, failures and results "
            "(code, label, severity, outcome, message, source_document, source_article, justification)"
        ),
        "{passed: 12, failed: 1, …}",
    ),
    FieldDoc(
        "approvals",
        gettext_lazy("Approval steps: step, step_zh, state, state_en, state_zh, by, on, comment"),
        "{step: Unit leader, state_zh: 同意, …}",
    ),
    FieldDoc(
        "external_approval",
        gettext_lazy(
            "Approval document: exists, number, issued_on, authority, valid_until, itinerary, people"
        ),
        "{number: 粤外办批〔2027〕123号, …}",
    ),
    FieldDoc(
        "notices, notice, notice_before, notice_after",
        gettext_lazy(
            "Publicity notices (all, the latest one, and the latest of each phase): exists, phase, phase_en, "
            "phase_zh, state, state_en, state_zh, starts_on, ends_on, working_days, text, text_zh, outcome, "
            "objections, objections_upheld"
        ),
        "{phase_zh: 行前公示, …}",
    ),
    FieldDoc(
        "report",
        gettext_lazy(
            "Trip report: exists, state, state_en, state_zh, due_on, submitted_on, tasks_done, outcomes, "
            "passport_returned, discipline, costs (CNY), paid_by, follow_up, photos"
        ),
        "{exists: False, …}",
    ),
)
