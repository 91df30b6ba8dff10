import pytest
from django.core.exceptions import ValidationError

from meridian.agreements.models import AgreementPartner, Signatory
from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.activity import activity_for
from meridian.core.errors import DomainError, DuplicateError, PermissionDeniedError, StaleEditError
from meridian.core.history import history_entries
from meridian.core.registry import PartnerMergeHook, registry
from meridian.partners import services
from meridian.partners.models import Partner, PartnerContact, PartnerUnit
from meridian.partners.tests.factories import PartnerContactFactory


def make(actor=None, **fields):
    fields.setdefault("name", "Ruprecht-Karls-Universität Heidelberg")
    fields.setdefault("country_id", "DE")
    return services.partner_create(actor=actor, **fields)


class TestCreate:
    def test_creates_with_normalised_identifiers_tags_history_and_activity(self, people, germany):
        partner = make(
            people.officer,
            name_en="Heidelberg University",
            name_zh="海德堡大学",
            website="https://www.Uni-Heidelberg.de/en/",
            ror_id="https://ror.org/038t36y30",
            erasmus_code="d\u00a0 heidelb01",
            pic=" 999976190 ",
            latitude=49.41065,
            longitude="8.70635",
            tags=["Excellence", " excellence ", "Europe"],
        )
        partner.refresh_from_db()
        assert partner.ror_id == "038t36y30"
        assert partner.erasmus_code == "D  HEIDELB01"
        assert partner.pic == "999976190"
        assert partner.website_domain == "uni-heidelberg.de"
        assert str(partner.latitude) == "49.410650"
        assert sorted(partner.tags.values_list("name", flat=True)) == ["Europe", "Excellence", "excellence"]
        assert partner.created_by == people.officer
        assert [h.action for h in history_entries(instance=partner)] == ["created"]
        assert partner.history.first().history_user == people.officer
        entries = activity_for(targets={Partner: [partner.pk]}, user=people.officer)
        # The name the reader's language shows: the English name in English, the Chinese one in Chinese.
        assert [a.message for a in entries] == ["Created partner Heidelberg University"]
        assert [a.message_zh.endswith("海德堡大学") for a in entries] == [True]

    def test_system_actor_may_create(self, germany):
        assert make(None).pk

    @pytest.mark.parametrize("who", ["staff", "student", "leadership", "outsider"])
    def test_refused_for_roles_without_the_right(self, people, germany, who):
        with pytest.raises(PermissionDeniedError):
            make(getattr(people, who))
        assert not Partner.objects.exists()

    def test_coordinator_partner_belongs_to_their_unit(self, people, org, germany):
        partner = make(people.coordinator)
        assert partner.owner_unit == org.engineering
        with pytest.raises(PermissionDeniedError):
            make(people.coordinator, name="Other", owner_unit=org.humanities)

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("ror_id", "12345", "nine characters"),
            ("ror_id", "038T36Y3X", "nine characters"),
            ("pic", "12345678", "nine digits"),
            ("pic", "12345678A", "nine digits"),
            ("latitude", "91", "between -90 and 90"),
            ("longitude", "-180.5", "between -180 and 180"),
            ("website", "not a url", "valid URL"),
        ],
    )
    def test_identifier_formats_are_checked(self, germany, field, value, message):
        with pytest.raises(ValidationError) as exc:
            make(**{field: value})
        assert message in " ".join(exc.value.message_dict[field])
        assert not Partner.objects.exists()

    @pytest.mark.parametrize(
        ("first", "second", "label"),
        [
            ({"ror_id": "038t36y30"}, {"ror_id": "https://ror.org/038t36y30"}, "ROR ID"),
            ({"erasmus_code": "D  HEIDELB01"}, {"erasmus_code": "D HEIDELB01"}, "Erasmus code"),
            ({"erasmus_code": "D  HEIDELB01"}, {"erasmus_code": "d\u00a0\u00a0heidelb01"}, "Erasmus code"),
            ({"pic": "999976190"}, {"pic": "999 976 190"}, "PIC"),
            (
                {"website": "https://www.uni-heidelberg.de"},
                {"website": "http://uni-heidelberg.de/en/"},
                "website domain",
            ),
        ],
    )
    def test_duplicates_are_refused_naming_the_existing_partner(self, germany, first, second, label):
        existing = make(name_en="Heidelberg University", **first)
        with pytest.raises(DuplicateError) as exc:
            make(name="Universität Heidelberg (copy)", **second)
        assert exc.value.existing == existing
        assert label in exc.value.message and "Heidelberg University" in exc.value.message
        assert f"#{existing.pk}" in exc.value.message
        assert Partner.objects.count() == 1

    def test_different_identifiers_are_not_duplicates(self, germany):
        make(ror_id="038t36y30", website="https://uni-heidelberg.de")
        assert make(name="KIT", ror_id="04t3en479", website="https://www.kit.edu").pk


class TestUpdate:
    def test_update_changes_fields_bumps_version_and_records_history(self, people, germany):
        partner = make(people.officer, city="Heidelberg", tags=["a"])
        updated = services.partner_update(
            partner=partner, actor=people.officer, expected_version=1, city="Mannheim", tags=["b"]
        )
        assert updated.version == 2 and updated.city == "Mannheim"
        assert list(updated.tags.values_list("name", flat=True)) == ["b"]
        latest = history_entries(instance=updated)[0]
        assert latest.who == str(people.officer)
        assert [(c.field, c.before, c.after) for c in latest.changes] == [("city", "Heidelberg", "Mannheim")]
        assert "city" in activity_for(targets={Partner: [partner.pk]}, user=people.officer)[0].message

    def test_stale_edit_is_refused_with_the_changes_and_nothing_is_lost(self, people, germany):
        partner = make(people.officer, city="Heidelberg", acronym="UHD")
        services.partner_update(partner=partner, actor=people.admin, expected_version=1, city="Mannheim")
        with pytest.raises(StaleEditError) as exc:
            services.partner_update(partner=partner, actor=people.officer, expected_version=1, acronym="RKU")
        assert [(c.field, c.before, c.after) for c in exc.value.changes] == [
            ("city", "Heidelberg", "Mannheim")
        ]
        assert exc.value.current_version == 2
        assert exc.value.changed_by == str(people.admin)
        partner.refresh_from_db()
        assert (partner.city, partner.acronym, partner.version) == ("Mannheim", "UHD", 2)

    def test_update_refuses_a_duplicate_of_another_partner(self, germany):
        other = make(name="KIT", ror_id="04t3en479")
        partner = make(ror_id="038t36y30")
        with pytest.raises(DuplicateError) as exc:
            services.partner_update(partner=partner, actor=None, ror_id="04t3en479")
        assert exc.value.existing == other
        # saving its own identifiers again is not a duplicate
        assert services.partner_update(partner=partner, actor=None, ror_id="038t36y30").version == 2

    def test_coordinator_edits_only_partners_of_their_units(self, people, org, germany):
        own = make(owner_unit=org.computing)
        foreign = make(name="Other", owner_unit=org.humanities)
        assert services.partner_update(partner=own, actor=people.coordinator, city="Bonn").city == "Bonn"
        with pytest.raises(PermissionDeniedError):
            services.partner_update(partner=foreign, actor=people.coordinator, city="Bonn")
        with pytest.raises(PermissionDeniedError):
            services.partner_update(partner=own, actor=people.coordinator, owner_unit=org.humanities)
        for who in ("staff", "leadership", "student", "other_coordinator"):
            with pytest.raises(PermissionDeniedError):
                services.partner_update(partner=own, actor=getattr(people, who), city="Köln")

    def test_unknown_field_is_refused(self, germany):
        with pytest.raises(DomainError):
            services.partner_update(partner=make(), actor=None, version=7)


class TestMerge:
    def test_merge_moves_every_link_and_says_so(self, people, org, germany):
        survivor = make(name="Universität Heidelberg", tags=["keep"], notes="Survivor notes")
        duplicate = make(
            name="Heidelberg Univ.",
            ror_id="038t36y30",
            pic="999976190",
            website="https://uni-heidelberg.de",
            tags=["dup", "keep"],
            notes="Duplicate notes",
        )
        contact = PartnerContactFactory(partner=duplicate)
        unit = PartnerUnit.objects.create(partner=duplicate, name_en="Faculty of Physics")
        child = make(name="Heidelberg Institute", parent=duplicate)
        shared = AgreementFactory(responsible_unit=org.engineering, partners=[survivor, duplicate])
        AgreementPartner.objects.filter(agreement=shared, partner=duplicate).update(partner_unit=unit)
        only_dup = AgreementFactory(responsible_unit=org.engineering, partners=[duplicate])
        signatory = Signatory.objects.create(
            agreement=only_dup, side="partner", partner=duplicate, name="Rector"
        )
        services.contact_create(partner=duplicate, actor=None, name="Dr. Dup")
        dup_pk = duplicate.pk

        merged = services.partner_merge(survivor=survivor, duplicate=duplicate, actor=people.officer)

        assert not Partner.objects.filter(pk=dup_pk).exists()
        assert merged.ror_id == "038t36y30" and merged.pic == "999976190"
        assert merged.website_domain == "uni-heidelberg.de"
        assert "Survivor notes" in merged.notes and "Duplicate notes" in merged.notes
        contact.refresh_from_db()
        assert contact.partner == merged
        assert PartnerUnit.objects.get(pk=unit.pk).partner == merged
        child.refresh_from_db()
        assert child.parent == merged
        assert list(
            AgreementPartner.objects.filter(agreement=shared).values_list("partner", "partner_unit")
        ) == [(merged.pk, unit.pk)]
        assert AgreementPartner.objects.get(agreement=only_dup).partner == merged
        signatory.refresh_from_db()
        assert signatory.partner == merged
        assert sorted(merged.tags.values_list("name", flat=True)) == ["dup", "keep"]
        assert merged.version == 2
        messages = [a.message for a in activity_for(targets={Partner: [merged.pk]}, user=people.officer)]
        assert messages[0] == f"Merged Heidelberg Univ. (#{dup_pk}) into this record"
        assert "Added contact Dr. Dup" in messages  # the duplicate's timeline moved along
        latest = history_entries(instance=merged)[0]
        assert latest.who == str(people.officer)
        assert {"ror_id", "pic", "website", "notes"} <= {c.field for c in latest.changes}

    def test_survivor_keeps_its_own_identifiers(self, people, germany):
        survivor = make(ror_id="038t36y30")
        duplicate = make(name="Dup", ror_id="04t3en479", erasmus_code="D  HEIDELB01")
        merged = services.partner_merge(survivor=survivor, duplicate=duplicate, actor=people.admin)
        assert (merged.ror_id, merged.erasmus_code) == ("038t36y30", "D  HEIDELB01")

    @pytest.mark.parametrize("who", ["coordinator", "staff", "leadership", "student", "outsider"])
    def test_only_officers_and_administrators_merge(self, people, germany, who):
        survivor, duplicate = make(), make(name="Dup")
        with pytest.raises(PermissionDeniedError):
            services.partner_merge(survivor=survivor, duplicate=duplicate, actor=getattr(people, who))
        assert Partner.objects.count() == 2

    def test_merge_hooks_of_other_contexts_run_inside_the_merge(self, people, germany):
        survivor = services.partner_create(actor=None, name="Survivor", country=germany)
        duplicate = services.partner_create(actor=None, name="Duplicate", country=germany)
        calls = []
        registry.partner_merge_hooks.add(
            PartnerMergeHook(
                key="test_hook",
                merge=lambda source, kept, actor: calls.append((source.pk, kept.pk, actor)),
                label="Things",
                count=lambda partner: 7,
            )
        )
        try:
            services.partner_merge(survivor=survivor, duplicate=duplicate, actor=people.officer)
        finally:
            registry.partner_merge_hooks.remove("test_hook")
        assert calls == [(duplicate.pk, survivor.pk, people.officer)]
        assert not Partner.objects.filter(pk=duplicate.pk).exists()

    def test_a_failing_hook_undoes_the_whole_merge(self, people, germany):
        survivor = services.partner_create(actor=None, name="Survivor", country=germany)
        duplicate = services.partner_create(actor=None, name="Duplicate", country=germany)
        PartnerContactFactory(partner=duplicate, name="Kept on the duplicate")

        def refuse(source, kept, actor):
            raise DomainError("The trips of this partner cannot move.")

        registry.partner_merge_hooks.add(PartnerMergeHook(key="test_refuse", merge=refuse))
        try:
            with pytest.raises(DomainError, match="cannot move"):
                services.partner_merge(survivor=survivor, duplicate=duplicate, actor=people.officer)
        finally:
            registry.partner_merge_hooks.remove("test_refuse")
        assert Partner.objects.filter(pk=duplicate.pk).exists()
        assert duplicate.contacts.get().name == "Kept on the duplicate"

    def test_cannot_merge_into_itself(self, people, germany):
        partner = make()
        with pytest.raises(DomainError):
            services.partner_merge(survivor=partner, duplicate=partner, actor=people.officer)


class TestContactsAndUnits:
    def test_contact_lifecycle_with_one_primary(self, people, germany):
        partner = make()
        first = services.contact_create(partner=partner, actor=people.officer, name="Anna", is_primary=True)
        second = services.contact_create(partner=partner, actor=people.officer, name="Ben", is_primary=True)
        first.refresh_from_db()
        assert not first.is_primary and second.is_primary
        services.contact_update(contact=second, actor=people.officer, email="ben@uni-heidelberg.de")
        assert PartnerContact.objects.get(pk=second.pk).email == "ben@uni-heidelberg.de"
        with pytest.raises(ValidationError):
            services.contact_update(contact=second, actor=people.officer, email="not-an-email")
        services.contact_delete(contact=first, actor=people.officer)
        assert list(partner.contacts.values_list("name", flat=True)) == ["Ben"]
        messages = [a.message for a in activity_for(targets={Partner: [partner.pk]}, user=people.officer)]
        assert "Removed contact Anna" in messages and "Added contact Ben" in messages

    def test_unit_lifecycle(self, people, germany):
        partner = make()
        unit = services.partner_unit_create(partner=partner, actor=people.officer, name_en="Faculty of Law")
        services.partner_unit_update(unit=unit, actor=people.officer, name_zh="法学院")
        assert PartnerUnit.objects.get(pk=unit.pk).name_zh == "法学院"
        services.partner_unit_delete(unit=unit, actor=people.officer)
        assert not partner.units.exists()

    def test_refused_for_who_may_not_edit(self, people, germany):
        partner = make()
        with pytest.raises(PermissionDeniedError):
            services.contact_create(partner=partner, actor=people.staff, name="Anna")
        with pytest.raises(PermissionDeniedError):
            services.partner_unit_create(partner=partner, actor=people.leadership, name_en="Law")
        assert not partner.contacts.exists() and not partner.units.exists()
