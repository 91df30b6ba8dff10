"""The documented fields of the "visit" document source and their example values.

Template editors see ``FIELDS`` beside the editor; an edited template must render against
``visit_document_sample()``, which has exactly the shape ``context.visit_document_context`` builds from a
visit (a test compares the two).

Passport numbers: ``guests[].passport.number`` is filled only while one of the templates that must print it
is generated (the invitation letters and the visa-invitation data sheet, see
``documents.PASSPORT_TEMPLATES``); every other document gets an empty string there.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from meridian.documents.sources import FieldDoc

EMPTY_PASSPORT: dict[str, Any] = {
    "exists": False,
    "kind": "",
    "kind_en": "",
    "kind_zh": "",
    "number": "",
    "issuing_country_en": "",
    "issuing_country_zh": "",
    "issued_on": "",
    "expires_on": "",
}

EMPTY_GUEST: dict[str, Any] = {
    "name": "",
    "name_latin": "",
    "name_zh": "",
    "family_name": "",
    "given_name": "",
    "gender": "",
    "gender_en": "",
    "gender_zh": "",
    "birth_date": "",
    "nationality_code": "",
    "nationality_en": "",
    "nationality_zh": "",
    "position": "",
    "is_head": False,
    "rank": "",
    "rank_en": "",
    "rank_zh": "",
    "passport": EMPTY_PASSPORT,
    "arrival_date": "",
    "arrival_flight": "",
    "arrival_port": "",
    "departure_date": "",
    "departure_flight": "",
    "exit_port": "",
    "dietary_needs": "",
    "accessibility_needs": "",
}


def _sample_guests() -> list[dict[str, Any]]:
    head = dict(
        EMPTY_GUEST,
        name="SCHMIDT Anna 安娜·施密特",
        name_latin="SCHMIDT Anna",
        name_zh="安娜·施密特",
        family_name="Schmidt",
        given_name="Anna",
        gender="2",
        gender_en="Female",
        gender_zh="女",
        birth_date="1970-05-17",
        nationality_code="DE",
        nationality_en="Germany",
        nationality_zh="德国",
        position="Professor of Electrical Engineering",
        is_head=True,
        rank="professor",
        rank_en="Professor or senior expert",
        rank_zh="教授或资深专家",
        passport={
            "exists": True,
            "kind": "passport",
            "kind_en": "Ordinary passport",
            "kind_zh": "普通护照",
            "number": "C01X00T47",
            "issuing_country_en": "Germany",
            "issuing_country_zh": "德国",
            "issued_on": "2020-02-01",
            "expires_on": "2030-01-31",
        },
        arrival_date="2027-05-10",
        arrival_flight="LH 730",
        arrival_port="Guangzhou Baiyun",
        departure_date="2027-05-14",
        departure_flight="LH 731",
        exit_port="Guangzhou Baiyun",
        dietary_needs="Vegetarian",
    )
    member = dict(
        head,
        name="MÜLLER Hans",
        name_latin="MÜLLER Hans",
        name_zh="",
        family_name="Müller",
        given_name="Hans",
        gender="1",
        gender_en="Male",
        gender_zh="男",
        birth_date="1985-11-02",
        position="Research associate",
        is_head=False,
        rank="other",
        rank_en="Other guest",
        rank_zh="其他来宾",
        dietary_needs="",
    )
    return [head, member]


def visit_document_sample() -> dict[str, Any]:
    """Example values of every documented field (what template editors test their text against)."""
    guests = _sample_guests()
    return {
        "number": "VIS-2027-0001",
        "title": "Lectures of Prof. Schmidt",
        "state": "invitation_issued",
        "state_en": "Invitation issued",
        "state_zh": "已发邀请函",
        "category": "visiting_scholar",
        "category_en": "Visiting scholar giving lectures",
        "category_zh": "来校讲学学者",
        "purpose": "Give two lectures on power systems and discuss a joint laboratory.",
        "arrive_on": "2027-05-10",
        "depart_on": "2027-05-14",
        "days": 5,
        "university": {"name_en": "Meridian University", "name_zh": "子午线大学"},
        "host_unit": {"name_en": "School of Engineering", "name_zh": "工程学院"},
        "host": {
            "name": "ZHANG San",
            "name_en": "ZHANG San",
            "name_zh": "张三",
            "email": "zhang.san@meridian.example",
        },
        "organisation": {
            "name": "Ruprecht-Karls-Universität Heidelberg",
            "name_en": "Heidelberg University",
            "name_zh": "海德堡大学",
            "country_en": "Germany",
            "country_zh": "德国",
        },
        "country_en": "Germany",
        "country_zh": "德国",
        "guests": guests,
        "head": guests[0],
        "guest_count": 2,
        "programme": [
            {
                "date": "2027-05-10",
                "items": [
                    {
                        "time": "15:00–16:00",
                        "kind": "transfer",
                        "kind_en": "Arrival, departure or transfer",
                        "kind_zh": "接送机（站）",
                        "title": "Pick-up at the airport",
                        "place": "Guangzhou Baiyun",
                        "participants": "Zhang San",
                    }
                ],
            },
            {
                "date": "2027-05-11",
                "items": [
                    {
                        "time": "09:00–11:00",
                        "kind": "lecture",
                        "kind_en": "Lecture or seminar",
                        "kind_zh": "讲座或研讨",
                        "title": "Lecture: power systems in transition",
                        "place": "Library lecture hall",
                        "participants": "Faculty and students",
                    }
                ],
            },
        ],  # fmt: skip
        "budget": [
            {
                "kind": "accommodation",
                "kind_en": "Accommodation",
                "kind_zh": "住宿费",
                "description": "Guest house, 4 nights",
                "persons": 2,
                "days": 4,
                "amount": "2,400.00",
                "has_standard": True,
                "standard": "3,200.00",
                "standard_rate": "400.00",
                "allowance": "3,200.00",
                "standard_basis_en": "per guest per day",
                "standard_basis_zh": "每人每天",
                "within": True,
            },
        ],  # fmt: skip
        "budget_total": "2,400.00",
        "costs_covered_en": "accommodation",
        "costs_covered_zh": "住宿费",
        "reception": {
            "level": "unit_leader",
            "level_en": "Dean or head of the host unit",
            "level_zh": "学院（单位）负责人",
            "leader": "Prof. Li Si, Dean",
        },
        "invitation": {
            "needed": True,
            "kind": "authorised",
            "kind_en": "Invitation letter of an authorised unit",
            "kind_zh": "被授权单位邀请函",
            "number": "INV-2027-0001",
            "issued_on": "2027-03-01",
        },
        "accommodation": {
            "kind": "on_campus",
            "kind_en": "On-campus guest house",
            "kind_zh": "校内宾馆",
            "address": "Guest house, 1 Campus Road",
        },
        "reciprocal": False,
        "funding_note": "Unit budget 2027-ENG-01",
        "projects": "Joint laboratory on power systems",
        "approvals": [
            {
                "step": "Host unit",
                "step_zh": "接待单位",
                "state": "approved",
                "state_en": "Approved",
                "state_zh": "同意",
                "by": "Li Si",
                "on": "2027-02-10",
                "comment": "Agreed.",
            },
        ],  # fmt: skip
        "visa_confirmed_on": "2027-04-01",
        "arrived_on": "2027-05-10",
        "left_on": "2027-05-14",
        "actual_days": 5,
        "outcomes": "Agreed on a joint laboratory proposal.",
        "follow_up": "Draft the agreement by June.",
    }


FIELDS: tuple[FieldDoc, ...] = (
    FieldDoc("number, title", gettext_lazy("Visit number and short name"), "VIS-2027-0001"),
    FieldDoc(
        "state, state_en, state_zh", gettext_lazy("Lifecycle state: code, English, Chinese"), "approved"
    ),
    FieldDoc(
        "category, category_en, category_zh",
        gettext_lazy("Category of the visit: code, English, Chinese"),
        "visiting_scholar",
    ),
    FieldDoc("purpose", gettext_lazy("What the guests come for"), "Give two lectures …"),
    FieldDoc("arrive_on, depart_on", gettext_lazy("Arrival and departure date (YYYY-MM-DD)"), "2027-05-10"),
    FieldDoc("days", gettext_lazy("Days hosted, counting the arrival and the departure day"), "5"),
    FieldDoc("university.name_en, university.name_zh", gettext_lazy("Our university's name"), "子午线大学"),
    FieldDoc("host_unit.name_en, host_unit.name_zh", gettext_lazy("The host unit"), "工程学院"),
    FieldDoc(
        "host.name_en, host.name_zh, host.email",
        gettext_lazy(
            "The host (member of staff): the name in Latin script for English documents, in Chinese for "
            "Chinese ones (host.name is the Latin one)"
        ),
        "ZHANG San",
    ),
    FieldDoc(
        "organisation.name, organisation.name_en, organisation.name_zh, organisation.country_en, "
        "organisation.country_zh",
        gettext_lazy("The guests' organisation"),
        "Heidelberg University",
    ),
    FieldDoc("country_en, country_zh", gettext_lazy("The guests' country"), "Germany"),
    FieldDoc(
        "guests",
        gettext_lazy(
            "Guests, the head first: name, name_latin, name_zh, family_name, given_name, gender_en, "
            "gender_zh, birth_date, nationality_code, nationality_en, nationality_zh, position, is_head, "
            "rank_en, rank_zh, arrival_date, arrival_flight, arrival_port, departure_date, departure_flight, "
            "exit_port, dietary_needs, accessibility_needs, and passport (exists, kind_en, kind_zh, number, "
            "issuing_country_en, issuing_country_zh, issued_on, expires_on). The passport number is filled "
            "only in the invitation letters and the visa-invitation data sheet; elsewhere it is empty."
        ),
        "{name_latin: SCHMIDT Anna, nationality_zh: 德国, …}",
    ),
    FieldDoc("head", gettext_lazy("The head of the delegation (or the only guest), as a guest"), "{…}"),
    FieldDoc("guest_count", gettext_lazy("Number of guests"), "2"),
    FieldDoc(
        "programme",
        gettext_lazy(
            "Programme by day: date and items (time, kind, kind_en, kind_zh, title, place, participants)"
        ),
        "{date: 2027-05-11, items: […]}",
    ),
    FieldDoc(
        "budget",
        gettext_lazy(
            "Budget lines in CNY: kind, kind_en, kind_zh, description, persons, days, amount, has_standard, "
            "standard_rate (the hosting standard's cap per its basis), standard_basis_en, standard_basis_zh, "
            "allowance (what the standard allows for this line: the rate times persons and days as the basis "
            "says; also as standard), within"
        ),
        "{kind_zh: 住宿费, amount: 2,400.00, …}",
    ),
    FieldDoc("budget_total", gettext_lazy("Budget total in CNY"), "2,400.00"),
    FieldDoc(
        "costs_covered_en, costs_covered_zh",
        gettext_lazy("What the university pays for, from the budget lines"),
        "accommodation, meals",
    ),
    FieldDoc(
        "reception.level, reception.level_en, reception.level_zh, reception.leader",
        gettext_lazy("Who receives the guests, and the receiving leader"),
        "unit_leader",
    ),
    FieldDoc(
        "invitation.needed, invitation.kind, invitation.kind_en, invitation.kind_zh, invitation.number, "
        "invitation.issued_on",
        gettext_lazy("The visa invitation: whether one is needed, how it is issued, its number and date"),
        "INV-2027-0001",
    ),
    FieldDoc(
        "accommodation.kind, accommodation.kind_en, accommodation.kind_zh, accommodation.address",
        gettext_lazy("Where the guests stay"),
        "on_campus",
    ),
    FieldDoc("reciprocal", gettext_lazy("Hosted on a reciprocal basis (true or false)"), "False"),
    FieldDoc("funding_note, projects", gettext_lazy("Budget code or project, projects concerned"), "…"),
    FieldDoc(
        "approvals",
        gettext_lazy("Approval steps: step, step_zh, state, state_en, state_zh, by, on, comment"),
        "{step: Host unit, state_zh: 同意, …}",
    ),
    FieldDoc(
        "visa_confirmed_on, arrived_on, left_on, actual_days",
        gettext_lazy("Visas granted, actual arrival and departure (YYYY-MM-DD) and actual days hosted"),
        "2027-05-10",
    ),
    FieldDoc("outcomes, follow_up", gettext_lazy("The visit note: outcomes and follow-up"), "…"),
)
