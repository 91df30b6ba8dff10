import datetime

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.activity import activity_record
from meridian.partners import selectors, services
from meridian.partners.filters import PartnerFilter
from meridian.partners.selectors import partner_detail, partner_find_duplicate, partner_list
from meridian.partners.tests.factories import PartnerContactFactory, PartnerFactory


def filtered(user, **params):
    request = RequestFactory().get("/", params)
    request.user = user
    qs = PartnerFilter(request.GET, queryset=partner_list(user=user), request=request).qs
    return [p.name for p in qs]


@pytest.fixture
def world(people, org, germany, japan):
    """Three partners: Heidelberg (active student-exchange agreement of computing, ends in 60 days),
    Tokyo (draft research agreement of humanities) and Kyoto (no agreement, owned by humanities, public)."""
    today = timezone.localdate()
    heidelberg = PartnerFactory(
        name="Universität Heidelberg", name_en="Heidelberg University", name_zh="海德堡大学", acronym="UHD",
        country=germany, city="Heidelberg", ror_id="038t36y30", erasmus_code="D  HEIDELB01", status="active",
        website_domain="uni-heidelberg.de",
    )  # fmt: skip
    tokyo = PartnerFactory(
        name="東京大学", name_en="University of Tokyo", name_zh="东京大学", acronym="UTokyo", country=japan,
        city="Tokyo", kind="university", status="prospect", pic="999888777",
    )  # fmt: skip
    kyoto = PartnerFactory(
        name="Kyoto Research Institute", name_en="", name_zh="", country=japan, city="Kyoto",
        kind="research_institute", status="dormant", owner_unit=org.humanities, is_public=True,
    )  # fmt: skip
    AgreementFactory(
        responsible_unit=org.computing, partners=[heidelberg], channels=["student_exchange"], state="active",
        end_date=today + datetime.timedelta(days=60),
    )  # fmt: skip
    AgreementFactory(responsible_unit=org.humanities, partners=[tokyo], channels=["research"], state="draft")
    return heidelberg, tokyo, kyoto


class TestFilters:
    def test_no_filter_lists_all_by_name(self, people, world):
        # By the name shown (Heidelberg University, Kyoto Research Institute, University of Tokyo).
        assert filtered(people.officer) == ["Universität Heidelberg", "Kyoto Research Institute", "東京大学"]

    def test_country_and_region(self, people, world):
        assert filtered(people.officer, country="DE") == ["Universität Heidelberg"]
        assert filtered(people.officer, region="142") == ["Kyoto Research Institute", "東京大学"]

    def test_type_and_status(self, people, world):
        assert filtered(people.officer, type="research_institute") == ["Kyoto Research Institute"]
        assert filtered(people.officer, status="prospect") == ["東京大学"]

    def test_channel(self, people, world):
        assert filtered(people.officer, channel="research") == ["東京大学"]
        assert filtered(people.officer, channel="cultural") == []

    def test_responsible_unit_includes_subtree_and_owner_unit(self, people, org, world):
        assert filtered(people.officer, unit=org.engineering.pk) == ["Universität Heidelberg"]
        assert filtered(people.officer, unit=org.humanities.pk) == ["Kyoto Research Institute", "東京大学"]
        assert filtered(people.officer, unit=org.university.pk) == [
            "Universität Heidelberg", "Kyoto Research Institute", "東京大学",
        ]  # fmt: skip

    def test_has_active_agreement(self, people, world):
        assert filtered(people.officer, active="yes") == ["Universität Heidelberg"]
        assert filtered(people.officer, active="no") == ["Kyoto Research Institute", "東京大学"]

    def test_expiring_within_days(self, people, world):
        assert filtered(people.officer, expiring="90") == ["Universität Heidelberg"]
        assert filtered(people.officer, expiring="30") == []

    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("heidelberg", ["Universität Heidelberg"]),
            ("HEIDELBERG UNIVERSITY", ["Universität Heidelberg"]),
            ("海德堡", ["Universität Heidelberg"]),
            ("utokyo", ["東京大学"]),
            ("kyoto", ["Kyoto Research Institute"]),
            ("038t36y30", ["Universität Heidelberg"]),
            ("heidelb01", ["Universität Heidelberg"]),
            ("999888777", ["東京大学"]),
            ("https://www.uni-heidelberg.de/", ["Universität Heidelberg"]),
            ("nothing-like-this", []),
        ],
    )
    def test_free_text(self, people, world, q, expected):
        assert filtered(people.officer, q=q) == expected

    def test_ordering(self, people, world):
        assert filtered(people.officer, ordering="country") == [
            "Universität Heidelberg", "Kyoto Research Institute", "東京大学",
        ]  # fmt: skip
        assert filtered(people.officer, ordering="-name")[0] == "東京大学"
        assert filtered(people.officer, ordering="status")[0] == "Universität Heidelberg"

    def test_agreement_filters_ignore_agreements_the_user_cannot_see(self, people, world):
        # staff of computing sees every partner, but only computing's agreements
        assert filtered(people.staff, channel="research") == []
        assert filtered(people.staff, channel="student_exchange") == ["Universität Heidelberg"]

    def test_state_and_end_date_filters_ignore_agreements_the_user_cannot_see(self, people, org, world):
        soon = timezone.localdate() + datetime.timedelta(days=10)
        AgreementFactory(responsible_unit=org.humanities, partners=[world[1]], state="active", end_date=soon)
        assert filtered(people.officer, active="yes") == ["Universität Heidelberg", "東京大学"]
        assert filtered(people.officer, expiring="30") == ["東京大学"]
        assert filtered(people.staff, active="yes") == ["Universität Heidelberg"]
        assert filtered(people.staff, active="no") == ["Kyoto Research Institute", "東京大学"]
        assert filtered(people.staff, expiring="30") == []
        assert filtered(people.staff, unit=org.humanities.pk) == ["Kyoto Research Institute"]

    def test_a_partner_with_two_matching_agreements_is_listed_once(self, people, org, world):
        AgreementFactory(
            responsible_unit=org.computing, partners=[world[0]], channels=["student_exchange"], state="active"
        )
        assert filtered(people.officer, channel="student_exchange", active="yes") == [
            "Universität Heidelberg"
        ]


class TestPartnerList:
    def test_visibility_by_role(self, people, world):
        assert len(filtered(people.staff)) == 3
        assert filtered(people.student) == ["Kyoto Research Institute"]
        assert filtered(people.outsider) == []

    def test_counts_only_visible_agreements(self, people, org, world):
        heidelberg = world[0]
        AgreementFactory(responsible_unit=org.humanities, partners=[heidelberg], state="active")
        by_officer = partner_list(user=people.officer).get(pk=heidelberg.pk)
        by_staff = partner_list(user=people.staff).get(pk=heidelberg.pk)
        assert (by_officer.active_agreement_count, by_officer.agreement_count) == (2, 2)
        assert (by_staff.active_agreement_count, by_staff.agreement_count) == (1, 1)
        assert by_officer.expiring_soon is True
        assert by_officer.next_end_date == timezone.localdate() + datetime.timedelta(days=60)

    def test_figures_of_partners_without_agreements_and_beyond_the_window(self, people, org, world):
        heidelberg, tokyo, kyoto = world
        later = timezone.localdate() + datetime.timedelta(days=settings.EXPIRING_SOON_DAYS + 30)
        AgreementFactory(responsible_unit=org.humanities, partners=[tokyo], state="active", end_date=later)
        rows = {p.pk: p for p in partner_list(user=people.officer)}
        assert (rows[kyoto.pk].agreement_count, rows[kyoto.pk].next_end_date) == (0, None)
        assert rows[kyoto.pk].expiring_soon is False
        assert (rows[tokyo.pk].agreement_count, rows[tokyo.pk].active_agreement_count) == (2, 1)
        assert rows[tokyo.pk].next_end_date == later and rows[tokyo.pk].expiring_soon is False

    def test_one_grouped_query_per_batch_of_rows(
        self, people, germany, world, monkeypatch, django_assert_num_queries
    ):
        monkeypatch.setattr(selectors, "STATS_BATCH", 2)
        list(partner_list(user=people.officer))  # the user's roles are looked up once and kept
        with django_assert_num_queries(2):
            page = list(partner_list(user=people.officer)[:2])
        assert [p.agreement_count for p in page] == [1, 0]  # Heidelberg, Kyoto (by the name shown)
        # Three partners read as one stream: rows, then one grouped query per batch of two.
        with django_assert_num_queries(3):
            counts = [p.agreement_count for p in partner_list(user=people.officer).iterator(chunk_size=2)]
        assert counts == [1, 0, 1]

    def test_users_who_see_every_agreement_are_not_restricted_by_agreement(self, people):
        from meridian.agreements.selectors import visible_parties

        assert not visible_parties(people.officer).query.where
        assert visible_parties(people.staff).query.where


class TestDuplicates:
    def test_find_duplicate_by_each_identifier(self, world):
        heidelberg, tokyo, _ = world
        assert partner_find_duplicate(ror_id="https://ror.org/038t36y30") == heidelberg
        assert partner_find_duplicate(erasmus_code="D HEIDELB01") == heidelberg
        assert partner_find_duplicate(pic="999888777") == tokyo
        assert partner_find_duplicate(website="www.uni-heidelberg.de") == heidelberg
        assert partner_find_duplicate(ror_id="038t36y30", exclude_pk=heidelberg.pk) is None
        assert partner_find_duplicate() is None


def panel(partner, user, key):
    return next(p for p in selectors.partner_panels(partner=partner, user=user) if p.key == key)


class TestDetail:
    def test_staff_see_contacts_activity_and_history(self, people, org, world):
        heidelberg = world[0]
        PartnerContactFactory(partner=heidelberg, name="Dr. Weber")
        services.partner_update(partner=heidelberg, actor=people.officer, city="Mannheim")
        detail = partner_detail(partner=heidelberg, user=people.staff)
        assert [c.name for c in detail.contacts] == ["Dr. Weber"]
        agreements = panel(heidelberg, people.staff, "agreements").context["agreements"]
        assert [a.state for a in agreements] == ["active"]
        assert agreements[0].is_expiring_soon()
        assert detail.activity[0].message.startswith("Changed")
        assert detail.history[0].changes[0].after == "Mannheim"

    def test_activity_of_the_partners_agreements_is_included(self, people, world):
        heidelberg = world[0]
        agreement = heidelberg.agreements.get()
        activity_record(target=agreement, verb="activated", message="Agreement signed")
        detail = partner_detail(partner=heidelberg, user=people.officer)
        assert "Agreement signed" in [a.message for a in detail.activity]

    def test_students_see_no_internal_information(self, people, world):
        kyoto = world[2]
        PartnerContactFactory(partner=kyoto)
        detail = partner_detail(partner=kyoto, user=people.student)
        assert detail.show_internal is False
        assert detail.contacts == [] and detail.activity == [] and detail.history == []

    def test_agreements_are_restricted_to_visible_ones(self, people, world):
        tokyo = world[1]
        assert panel(tokyo, people.staff, "agreements").context["agreements"] == []
        assert len(panel(tokyo, people.other_coordinator, "agreements").context["agreements"]) == 1


class TestContributedFilters:
    def test_a_filter_another_context_registers_joins_the_list_and_leaves_again(self, people, world):
        import django_filters

        from meridian.core.registry import PartnerListFilter, registry

        seen = []

        def apply(queryset, value, user):
            seen.append((value, user))
            return queryset.filter(city=value)

        registry.partner_filters.add(
            PartnerListFilter(
                key="test_city", field=lambda: django_filters.CharFilter(label="City"), apply=apply
            )
        )
        try:
            assert filtered(people.officer, test_city="Tokyo") == ["東京大学"]
            assert seen == [("Tokyo", people.officer)]
            assert list(PartnerFilter.base_filters)[-2:] == ["test_city", "ordering"]
        finally:
            registry.partner_filters.remove("test_city")
        PartnerFilter(data={}, queryset=partner_list(user=people.officer))
        assert "test_city" not in PartnerFilter.base_filters
        assert {"channel", "active", "expiring"} <= set(PartnerFilter.base_filters)

    def test_active_partner_follows_the_shared_definition(self, people, world):
        from meridian.partners.selectors import active_partners

        # Heidelberg: status active and an active agreement; Tokyo (draft only) and Kyoto (dormant) are not.
        assert sorted(p.name for p in active_partners()) == ["Universität Heidelberg"]
        assert filtered(people.officer, active_partner="yes") == ["Universität Heidelberg"]
        assert filtered(people.officer, active_partner="no") == ["Kyoto Research Institute", "東京大学"]
