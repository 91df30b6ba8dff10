"""Services of cooperation conditions and factsheets: every validation (a clear message, nothing stored),
stale saves, conditions in use, and who may act (every role)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.errors import PermissionDeniedError, StaleEditError, TransitionError
from meridian.core.models import Activity
from meridian.mobility.choices import Direction, MobilityState, MobilityType
from meridian.mobility.models import CooperationCondition, PartnerFactsheet
from meridian.mobility.services import conditions as services
from meridian.mobility.tests.factories import make_call, make_mobility, student_user
from meridian.mobility.tests.factories_conditions import IN_PERIOD, condition_fields, make_isced
from meridian.partners.models import PartnerUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def isced(db):
    return make_isced()


def _fresh_agreement(world, org, **fields):
    """A second exchange agreement with the world's partner (no conditions yet)."""
    values = {"responsible_unit": org.engineering, "partners": [world.partner], "state": "active"}
    values.update(fields)
    return AgreementFactory(**values)


def _errors(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- factsheets --------------------------------------------------------------------------------------------


class TestFactsheet:
    def test_the_office_writes_a_new_factsheet(self, world, people):
        sheet = services.factsheet_update(
            partner=world.partner,
            actor=people.officer,
            expected_version=0,
            contact_email="exchange@tu-beispiel.example",
            website="https://tu-beispiel.example/exchange",
            autumn_term="October – February",
            autumn_nomination_deadline="05-15",
            spring_application_deadline="--11-30",
        )
        assert sheet.pk and sheet.version == 1 and sheet.updated_by == people.officer
        assert sheet.autumn_nomination_deadline == "--05-15"  # completed to the EWP form
        assert Activity.objects.filter(verb="factsheet_changed", object_id=world.partner.pk).count() == 1

    def test_the_partner_coordinator_changes_it_and_the_version_moves(self, world):
        first = services.factsheet_update(partner=world.partner, actor=world.contact, expected_version=0)
        second = services.factsheet_update(
            partner=world.partner,
            actor=world.contact,
            expected_version=first.version,
            spring_term="Feb – Jun",
        )
        assert second.version == first.version + 1 and second.spring_term == "Feb – Jun"
        assert PartnerFactsheet.objects.count() == 1

    def test_nothing_changed_keeps_the_version(self, world, people):
        sheet = services.factsheet_update(
            partner=world.partner, actor=people.officer, expected_version=0, autumn_term="Sep – Jan"
        )
        again = services.factsheet_update(
            partner=world.partner,
            actor=people.officer,
            expected_version=sheet.version,
            autumn_term="Sep – Jan",
        )
        assert again.version == sheet.version

    def test_a_stale_save_is_refused_and_nothing_is_overwritten(self, world, people):
        sheet = services.factsheet_update(
            partner=world.partner, actor=people.officer, expected_version=0, autumn_term="Sep – Jan"
        )
        services.factsheet_update(
            partner=world.partner,
            actor=world.contact,
            expected_version=sheet.version,
            autumn_term="Oct – Feb",
        )
        with pytest.raises(StaleEditError) as exc:
            services.factsheet_update(
                partner=world.partner,
                actor=people.officer,
                expected_version=sheet.version,
                autumn_term="Mine",
            )
        assert [c.field for c in exc.value.changes] == ["autumn_term"]
        assert PartnerFactsheet.objects.get().autumn_term == "Oct – Feb"

    def test_a_factsheet_made_meanwhile_makes_a_first_save_stale(self, world, people):
        services.factsheet_update(partner=world.partner, actor=world.contact, expected_version=0)
        with pytest.raises(StaleEditError):
            services.factsheet_update(partner=world.partner, actor=people.officer, expected_version=0)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("autumn_nomination_deadline", "15-03"),
            ("autumn_nomination_deadline", "--02-30"),
            ("spring_application_deadline", "March 15"),
            ("contact_email", "not an address"),
            ("website", "tu-beispiel"),
            ("course_catalogue_url", "javascript:alert(1)"),
            ("contact_phone", "1" * 61),
            ("colour", "blue"),
        ],
    )
    def test_bad_input_is_refused_per_field_and_nothing_stored(self, world, people, field, value):
        with pytest.raises(ValidationError) as exc:
            services.factsheet_update(
                partner=world.partner, actor=people.officer, expected_version=0, **{field: value}
            )
        assert field in _errors(exc)
        assert not PartnerFactsheet.objects.exists()

    @pytest.mark.parametrize(
        ("who", "allowed"),
        [
            ("officer", True),
            ("admin", True),
            ("contact", True),
            ("viewer", False),
            ("other_contact", False),
            ("coordinator", False),
            ("staff", False),
            ("student", False),
            ("leadership", False),
            ("outsider", False),
        ],
    )
    def test_who_may_change_it(self, world, people, who, allowed):
        actor = getattr(world, who, None) or getattr(people, who)
        if allowed:
            assert services.factsheet_update(partner=world.partner, actor=actor, expected_version=0).pk
        else:
            with pytest.raises(PermissionDeniedError):
                services.factsheet_update(partner=world.partner, actor=actor, expected_version=0)
            assert not PartnerFactsheet.objects.exists()


# --- creating conditions -----------------------------------------------------------------------------------


class TestCreate:
    def test_the_office_adds_a_complete_condition(self, world, org, people, isced):
        agreement = _fresh_agreement(world, org)
        condition = services.condition_create(
            agreement=agreement, actor=people.officer, **condition_fields(world.partner)
        )
        condition.refresh_from_db()
        assert (condition.academic_year, condition.places, condition.total_months) == (
            IN_PERIOD,
            3,
            Decimal("27"),
        )
        assert sorted(condition.subject_areas.values_list("code", flat=True)) == ["0613", "0714"]
        assert list(condition.languages.values_list("language", "cefr_level")) == [("de", "B2"), ("en", "B2")]
        assert condition.eqf_levels == [6, 7]
        activity = Activity.objects.get(verb="condition_added")
        assert activity.object_id == agreement.pk and "Full-year study" in activity.message
        assert "全" in activity.message_zh or activity.message_zh  # stored in both languages

    def test_the_only_party_is_taken_when_no_partner_is_given(self, world, org, people):
        agreement = _fresh_agreement(world, org)
        condition = services.condition_create(
            agreement=agreement,
            actor=people.officer,
            direction=Direction.INCOMING,
            mobility_type="semester",
            places=2,
        )
        assert condition.partner == world.partner and condition.academic_year is None

    def test_with_several_parties_the_partner_must_be_chosen(self, world, org, people):
        agreement = _fresh_agreement(world, org, partners=[world.partner, world.other_partner])
        with pytest.raises(ValidationError) as exc:
            services.condition_create(
                agreement=agreement,
                actor=people.officer,
                direction="outgoing",
                mobility_type="semester",
                places=1,
            )
        assert _errors(exc)["partner"] == ["Choose the partner this condition is with."]

    def test_a_coordinator_of_the_responsible_unit_adds_one(self, world, org, people):
        agreement = _fresh_agreement(world, org)
        fields = condition_fields(world.partner, subject_areas=[], home_unit=org.computing)
        condition = services.condition_create(agreement=agreement, actor=people.coordinator, **fields)
        assert condition.home_unit == org.computing

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"places": 0}, "places", "Places are persons per year: a whole number from 1 to 999."),
            ({"places": 1000}, "places", "Places are persons per year: a whole number from 1 to 999."),
            ({"places": "many"}, "places", "Places are persons per year: a whole number from 1 to 999."),
            ({"places": None}, "places", "Give the number of places (persons per year)."),
            ({"total_months": Decimal("-1")}, "total_months", "The total months cannot be negative."),
            ({"total_months": "ten"}, "total_months", "Give the months as a number, e.g. 10 or 4.5."),
            (
                {"total_months": Decimal("4.25")},
                "total_months",
                "Give the months with at most one decimal, e.g. 4.5.",
            ),
            (
                {"places": 2, "total_months": Decimal("25")},
                "total_months",
                "25 months is more than 2 places can use in a year (at most 12 months per place, 24 in all).",
            ),
            (
                {"academic_year": 2031},
                "academic_year",
                "The academic year must lie within the agreement's period: 2024/2025 to 2029/2030.",
            ),
            (
                {"academic_year": 2023},
                "academic_year",
                "The academic year must lie within the agreement's period: 2024/2025 to 2029/2030.",
            ),
            (
                {"academic_year": 226},
                "academic_year",
                "Give the year the academic year starts in, e.g. 2026 for 2026/2027.",
            ),
            (
                {"academic_year": "next"},
                "academic_year",
                "Give the year the academic year starts in, e.g. 2026 for 2026/2027.",
            ),
            ({"direction": "sideways"}, "direction", "Choose the direction."),
            ({"mobility_type": "holiday"}, "mobility_type", "Choose the mobility type."),
            (
                {"autumn_nomination_deadline": "15-03"},
                "autumn_nomination_deadline",
                "Write the day as --MM-DD (for example --03-15 for 15 March).",
            ),
            (
                {"spring_application_deadline": "2027-03-15"},
                "spring_application_deadline",
                "Write the day as --MM-DD (for example --03-15 for 15 March).",
            ),
            (
                {"eqf_levels": [4, 6]},
                "eqf_levels",
                "Study levels are EQF levels 5 to 8 (5 short cycle, 6 bachelor, 7 master, 8 doctorate).",
            ),
            (
                {"eqf_levels": ["nine"]},
                "eqf_levels",
                "Study levels are EQF levels 5 to 8 (5 short cycle, 6 bachelor, 7 master, 8 doctorate).",
            ),
            (
                {"mobility_type": MobilityType.STAFF_TEACHING, "eqf_levels": [7]},
                "eqf_levels",
                "Study levels apply to student mobility only, not to staff mobility.",
            ),
            (
                {"languages": [("eng", "B2")]},
                "languages",
                "“eng” is not an ISO 639-1 language code (two letters: en, de, fr, ja, …).",
            ),
            (
                {"languages": [("xx", "B2")]},
                "languages",
                "“xx” is not an ISO 639-1 language code (two letters: en, de, fr, ja, …).",
            ),
            (
                {"languages": [("en", "B3")]},
                "languages",
                "“B3” is not a CEFR level (A1, A2, B1, B2, C1 or C2).",
            ),
            ({"languages": [("en", "B2"), ("EN", "C1")]}, "languages", "The language “en” is given twice."),
            (
                {"languages": ["en"]},
                "languages",
                "Give each language requirement as a language code and a CEFR level, e.g. en B2.",
            ),
            (
                {"subject_areas": ["0714", "0798"]},
                "subject_areas",
                "Unknown ISCED-F 2013 field: 0798. Give codes such as 0714 or 07.",
            ),
            ({"colour": "blue"}, "colour", "Unknown field."),
        ],
    )
    def test_each_kind_of_bad_input_says_what_is_wrong(
        self, world, org, people, isced, overrides, field, message
    ):
        agreement = _fresh_agreement(world, org)
        with pytest.raises(ValidationError) as exc:
            services.condition_create(
                agreement=agreement, actor=people.officer, **condition_fields(world.partner, **overrides)
            )
        assert message in _errors(exc)[field]
        assert not CooperationCondition.objects.filter(agreement=agreement).exists()

    def test_the_partner_must_be_a_party_of_the_agreement(self, world, org, people):
        agreement = _fresh_agreement(world, org)
        with pytest.raises(ValidationError) as exc:
            services.condition_create(
                agreement=agreement,
                actor=people.officer,
                **condition_fields(world.other_partner, subject_areas=[]),
            )
        assert _errors(exc)["partner"] == ["The partner must be a party of the agreement."]

    def test_the_unit_at_the_partner_must_be_the_partners(self, world, org, people):
        agreement = _fresh_agreement(world, org)
        theirs = PartnerUnit.objects.create(partner=world.other_partner, name_en="Faculty of Law")
        with pytest.raises(ValidationError) as exc:
            services.condition_create(
                agreement=agreement,
                actor=people.officer,
                **condition_fields(world.partner, subject_areas=[], partner_unit=theirs),
            )
        assert "partner_unit" in _errors(exc)
        ours = PartnerUnit.objects.create(partner=world.partner, name_en="Faculty of Electrical Engineering")
        condition = services.condition_create(
            agreement=agreement,
            actor=people.officer,
            **condition_fields(world.partner, subject_areas=[], partner_unit=ours),
        )
        assert condition.partner_unit == ours

    def test_a_coordinator_chooses_a_home_unit_within_reach(self, world, org, people):
        agreement = _fresh_agreement(world, org)
        with pytest.raises(ValidationError) as exc:
            services.condition_create(
                agreement=agreement,
                actor=people.coordinator,
                **condition_fields(world.partner, subject_areas=[], home_unit=org.humanities),
            )
        assert "home_unit" in _errors(exc)

    def test_deadlines_are_completed_to_the_ewp_form(self, world, org, people):
        agreement = _fresh_agreement(world, org)
        condition = services.condition_create(
            agreement=agreement,
            actor=people.officer,
            **condition_fields(world.partner, subject_areas=[], autumn_nomination_deadline="4-30"),
        )
        assert condition.autumn_nomination_deadline == "--04-30"

    def test_an_open_ended_agreement_takes_late_years(self, world, org, people):
        agreement = _fresh_agreement(world, org, end_date=None)
        condition = services.condition_create(
            agreement=agreement,
            actor=people.officer,
            **condition_fields(world.partner, subject_areas=[], academic_year=2040),
        )
        assert condition.academic_year == 2040
        with pytest.raises(ValidationError) as exc:
            services.condition_create(
                agreement=agreement,
                actor=people.officer,
                **condition_fields(world.partner, subject_areas=[], academic_year=2020, direction="incoming"),
            )
        assert _errors(exc)["academic_year"] == [
            "The agreement starts in 2024/2025: choose that academic year or a later one."
        ]


class TestDuplicates:
    def _add(self, agreement, actor, partner, **overrides):
        return services.condition_create(
            agreement=agreement, actor=actor, **condition_fields(partner, subject_areas=[], **overrides)
        )

    def test_the_same_year_twice_is_refused(self, world, org, people):
        agreement = _fresh_agreement(world, org)
        self._add(agreement, people.officer, world.partner)
        with pytest.raises(ValidationError) as exc:
            self._add(agreement, people.officer, world.partner, places=1, total_months=None)
        assert "already has a condition for 2027/2028" in _errors(exc)[NON_FIELD_ERRORS][0]
        assert CooperationCondition.objects.filter(agreement=agreement).count() == 1

    def test_other_direction_type_or_year_is_no_duplicate(self, world, org, people):
        agreement = _fresh_agreement(world, org)
        self._add(agreement, people.officer, world.partner)
        self._add(agreement, people.officer, world.partner, direction="incoming")
        self._add(agreement, people.officer, world.partner, mobility_type="semester")
        self._add(agreement, people.officer, world.partner, academic_year=IN_PERIOD + 1)
        assert CooperationCondition.objects.filter(agreement=agreement).count() == 4

    def test_every_year_and_single_years_do_not_mix(self, world, org, people):
        agreement = _fresh_agreement(world, org)
        self._add(agreement, people.officer, world.partner, academic_year=None)
        with pytest.raises(ValidationError) as exc:
            self._add(agreement, people.officer, world.partner)
        assert (
            "A condition for every year of this agreement already covers" in _errors(exc)[NON_FIELD_ERRORS][0]
        )
        with pytest.raises(ValidationError) as exc:
            self._add(agreement, people.officer, world.partner, academic_year=None)
        assert "already has a condition for every year" in _errors(exc)[NON_FIELD_ERRORS][0]
        other = _fresh_agreement(world, org)
        self._add(other, people.officer, world.partner)
        with pytest.raises(ValidationError) as exc:
            self._add(other, people.officer, world.partner, academic_year=None)
        assert "conditions for single years (2027/2028)" in _errors(exc)[NON_FIELD_ERRORS][0]


class TestAgreementKind:
    def test_an_agreement_without_places_refuses_conditions(self, world, org, people):
        agreement = _fresh_agreement(world, org, kind="research")
        with pytest.raises(TransitionError) as exc:
            services.condition_create(
                agreement=agreement, actor=people.officer, **condition_fields(world.partner)
            )
        assert "Cooperation conditions belong to exchange agreements" in exc.value.message

    @pytest.mark.parametrize(
        "kind", ["student_exchange", "staff_exchange", "erasmus_iia", "joint_education", "mou"]
    )
    def test_exchange_kinds_carry_conditions(self, world, org, people, kind):
        agreement = _fresh_agreement(world, org, kind=kind)
        assert services.condition_create(
            agreement=agreement, actor=people.officer, **condition_fields(world.partner, subject_areas=[])
        ).pk

    @pytest.mark.parametrize("state", ["expired", "terminated", "renewed"])
    def test_an_ended_agreement_keeps_its_conditions(self, world, people, state):
        world.agreement.state = state
        world.agreement.save()
        with pytest.raises(TransitionError):
            services.condition_create(
                agreement=world.agreement,
                actor=people.officer,
                **condition_fields(world.partner, subject_areas=[]),
            )
        with pytest.raises(TransitionError):
            services.condition_update(
                condition=world.outgoing, actor=people.officer, expected_version=None, places=5
            )
        with pytest.raises(TransitionError):
            services.condition_delete(condition=world.outgoing, actor=people.officer)
        assert CooperationCondition.objects.get(pk=world.outgoing.pk).places == 2

    def test_a_draft_agreement_takes_conditions(self, world, org, people):
        agreement = _fresh_agreement(world, org, state="draft")
        assert services.condition_create(
            agreement=agreement, actor=people.coordinator, **condition_fields(world.partner, subject_areas=[])
        ).pk


ROLES = [
    ("officer", True),
    ("admin", True),
    ("coordinator", True),
    ("other_coordinator", False),
    ("staff", False),
    ("student", False),
    ("leadership", False),
    ("outsider", False),
    ("contact", False),
    ("viewer", False),
    ("other_contact", False),
]


def _actor(world, people, who):
    return getattr(world, who, None) or getattr(people, who)


class TestWhoMayChangeConditions:
    @pytest.mark.parametrize(("who", "allowed"), ROLES)
    def test_create(self, world, org, people, who, allowed):
        agreement = _fresh_agreement(world, org)
        actor = _actor(world, people, who)
        fields = condition_fields(world.partner, subject_areas=[])
        if allowed:
            assert services.condition_create(agreement=agreement, actor=actor, **fields).pk
        else:
            with pytest.raises(PermissionDeniedError):
                services.condition_create(agreement=agreement, actor=actor, **fields)
            assert not CooperationCondition.objects.filter(agreement=agreement).exists()

    @pytest.mark.parametrize(("who", "allowed"), ROLES)
    def test_update(self, world, people, who, allowed):
        actor = _actor(world, people, who)
        if allowed:
            assert (
                services.condition_update(
                    condition=world.outgoing, actor=actor, expected_version=1, places=4
                ).places
                == 4
            )
        else:
            with pytest.raises(PermissionDeniedError):
                services.condition_update(condition=world.outgoing, actor=actor, expected_version=1, places=4)
            assert CooperationCondition.objects.get(pk=world.outgoing.pk).places == 2

    @pytest.mark.parametrize(("who", "allowed"), ROLES)
    def test_delete(self, world, people, who, allowed):
        actor = _actor(world, people, who)
        if allowed:
            services.condition_delete(condition=world.outgoing, actor=actor)
            assert not CooperationCondition.objects.filter(pk=world.outgoing.pk).exists()
        else:
            with pytest.raises(PermissionDeniedError):
                services.condition_delete(condition=world.outgoing, actor=actor)
            assert CooperationCondition.objects.filter(pk=world.outgoing.pk).exists()

    def test_a_university_wide_agreement_is_the_offices(self, world, org, people):
        agreement = _fresh_agreement(world, org, responsible_unit=org.intl_office)
        with pytest.raises(PermissionDeniedError):
            services.condition_create(
                agreement=agreement,
                actor=people.coordinator,
                **condition_fields(world.partner, subject_areas=[]),
            )


# --- changing and deleting ---------------------------------------------------------------------------------


class TestUpdate:
    def test_a_change_bumps_the_version_and_records_it(self, world, people, isced):
        condition = services.condition_update(
            condition=world.outgoing,
            actor=people.officer,
            expected_version=world.outgoing.version,
            places=4,
            languages=[("fr", "B1")],
            subject_areas=["07"],
        )
        assert condition.version == world.outgoing.version + 1
        assert list(condition.languages.values_list("language", "cefr_level")) == [("fr", "B1")]
        assert list(condition.subject_areas.values_list("code", flat=True)) == ["07"]
        assert Activity.objects.filter(verb="condition_changed", object_id=world.agreement.pk).exists()

    def test_a_year_outside_the_period_is_kept_when_not_changed(self, world, people):
        # The world's conditions are for 2099, far outside the agreement's period: other fields still change.
        condition = services.condition_update(
            condition=world.outgoing,
            actor=people.officer,
            expected_version=None,
            places=3,
            academic_year=2099,
        )
        assert condition.places == 3
        with pytest.raises(ValidationError) as exc:
            services.condition_update(
                condition=world.outgoing, actor=people.officer, expected_version=None, academic_year=2098
            )
        assert "academic_year" in _errors(exc)

    def test_only_languages_changed_still_renews_the_row(self, world, people):
        before = CooperationCondition.objects.get(pk=world.outgoing.pk)
        after = services.condition_update(
            condition=world.outgoing,
            actor=people.officer,
            expected_version=before.version,
            languages=[("en", "C1")],
        )
        assert after.version == before.version + 1 and after.updated_at > before.updated_at

    def test_nothing_changed_keeps_the_version(self, world, people):
        after = services.condition_update(
            condition=world.outgoing,
            actor=people.officer,
            expected_version=1,
            places=2,
            languages=[("en", "B2")],
        )
        assert after.version == 1

    def test_a_stale_save_is_refused_and_nothing_overwritten(self, world, people):
        services.condition_update(
            condition=world.outgoing, actor=people.coordinator, expected_version=1, places=5
        )
        with pytest.raises(StaleEditError) as exc:
            services.condition_update(
                condition=world.outgoing, actor=people.officer, expected_version=1, places=7
            )
        assert "places" in [c.field for c in exc.value.changes]
        assert CooperationCondition.objects.get(pk=world.outgoing.pk).places == 5

    def test_fewer_places_revalidate_the_months(self, world, people):
        with pytest.raises(ValidationError) as exc:
            services.condition_update(
                condition=world.outgoing, actor=people.officer, expected_version=1, places=0
            )
        assert "places" in _errors(exc)
        services.condition_update(
            condition=world.outgoing, actor=people.officer, expected_version=1, total_months=Decimal("24")
        )
        with pytest.raises(ValidationError) as exc:
            services.condition_update(
                condition=world.outgoing, actor=people.officer, expected_version=2, places=1
            )
        assert "total_months" in _errors(exc)

    def test_a_staff_type_drops_study_levels(self, world, people):
        with pytest.raises(ValidationError) as exc:
            services.condition_update(
                condition=world.outgoing,
                actor=people.officer,
                expected_version=1,
                mobility_type="staff_training",
            )
        assert "eqf_levels" in _errors(exc)
        changed = services.condition_update(
            condition=world.outgoing,
            actor=people.officer,
            expected_version=1,
            mobility_type="staff_training",
            eqf_levels=[],
        )
        assert changed.mobility_type == "staff_training" and changed.eqf_levels == []

    def test_a_change_into_a_duplicate_is_refused(self, world, people):
        with pytest.raises(ValidationError) as exc:
            services.condition_update(
                condition=world.incoming, actor=people.officer, expected_version=1, direction="outgoing"
            )
        assert NON_FIELD_ERRORS in _errors(exc)


class TestInUse:
    def _used_by_mobility(self, world, org, state=MobilityState.NOMINATED):
        student = student_user(org.computing, f"stu-{state}")
        return make_mobility(
            partner=world.partner,
            home_unit=org.engineering,
            person=student.person,
            condition=world.outgoing,
            academic_year=world.outgoing.academic_year,
            state=state,
        )

    def test_a_used_condition_keeps_what_it_is(self, world, org, people):
        self._used_by_mobility(world, org)
        for field, value in (
            ("direction", "incoming"),
            ("mobility_type", "full_year"),
            ("academic_year", None),
        ):
            with pytest.raises(ValidationError) as exc:
                services.condition_update(
                    condition=world.outgoing, actor=people.officer, expected_version=None, **{field: value}
                )
            assert "Calls or mobilities use this condition" in _errors(exc)[field][0]
        assert (
            services.condition_update(
                condition=world.outgoing, actor=people.officer, expected_version=None, internal_note="ok"
            ).internal_note
            == "ok"
        )

    def test_places_do_not_fall_below_what_a_year_uses(self, world, org, people):
        self._used_by_mobility(world, org)
        make_call(unit=org.intl_office, destinations=[(world.partner, 2, world.outgoing)])
        with pytest.raises(ValidationError) as exc:
            services.condition_update(
                condition=world.outgoing, actor=people.officer, expected_version=None, places=1
            )
        assert _errors(exc)["places"] == [
            "2 places are already used in one academic year (by calls or mobilities): the places cannot go "
            "below that."
        ]

    def test_rejected_and_cancelled_mobilities_release_their_place(self, world, org, people):
        self._used_by_mobility(world, org, MobilityState.REJECTED)
        self._used_by_mobility(world, org, MobilityState.CANCELLED)
        world.outgoing.total_months = None
        world.outgoing.save()
        assert (
            services.condition_update(
                condition=world.outgoing, actor=people.officer, expected_version=None, places=1
            ).places
            == 1
        )

    def test_a_used_condition_cannot_be_deleted(self, world, org, people):
        self._used_by_mobility(world, org, MobilityState.CANCELLED)
        with pytest.raises(TransitionError) as exc:
            services.condition_delete(condition=world.outgoing, actor=people.officer)
        assert exc.value.message.startswith(
            "This condition cannot be deleted: 0 destinations of calls and 1 mobility"
        )
        make_call(unit=org.intl_office, destinations=[(world.partner, 2, world.incoming)])
        with pytest.raises(TransitionError) as exc:
            services.condition_delete(condition=world.incoming, actor=people.officer)
        assert "1 destination of a call and 0 mobilities" in exc.value.message
        assert CooperationCondition.objects.filter(pk__in=[world.outgoing.pk, world.incoming.pk]).count() == 2

    def test_an_unused_condition_is_deleted_and_recorded(self, world, people):
        services.condition_delete(condition=world.outgoing, actor=people.coordinator)
        assert not CooperationCondition.objects.filter(pk=world.outgoing.pk).exists()
        assert Activity.objects.filter(verb="condition_deleted", object_id=world.agreement.pk).exists()


def test_normalise_month_day():
    assert services.normalise_month_day("3-5") == "--03-05"
    assert services.normalise_month_day(" --12-31 ") == "--12-31"
    assert services.normalise_month_day("") == ""
    assert services.normalise_month_day("31/12") == "31/12"


def test_academic_years_of_an_agreement(world):
    from meridian.mobility.selectors.conditions import academic_year_of, agreement_academic_years

    assert agreement_academic_years(world.agreement) == (2024, 2029)
    assert academic_year_of(datetime.date(2026, 9, 1)) == 2026
    assert academic_year_of(datetime.date(2026, 8, 31)) == 2025
