import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meridian.agreements import services
from meridian.agreements.models import Agreement, AgreementDocument
from meridian.agreements.tests.conftest import docx_bytes, pdf_bytes, png_bytes
from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError, TransitionError
from meridian.core.models import Activity
from meridian.workflow.models import TransitionLog

TODAY = timezone.localdate()


def _create(people, org, partner, **fields):
    data = {
        "title_en": "Student exchange with Heidelberg",
        "kind": "student_exchange",
        "responsible_unit": org.computing,
        "start_date": datetime.date(2026, 3, 1),
        "end_date": datetime.date(2031, 2, 28),
    }
    data.update(fields)
    return services.agreement_create(
        actor=people.coordinator, partners=[partner], channels=["student_exchange", "research"], **data
    )


class TestCreate:
    def test_number_is_generated_per_year_and_kind(self, people, org, partner):
        first = _create(people, org, partner)
        second = _create(people, org, partner)
        mou = _create(people, org, partner, kind="mou")
        assert first.number == "2026-SE-0001"
        assert second.number == "2026-SE-0002"
        assert mou.number == "2026-MOU-0001"
        assert first.state == "draft"
        assert set(first.channels.values_list("channel", flat=True)) == {"student_exchange", "research"}
        assert list(first.partners.all()) == [partner]
        assert first.created_by == people.coordinator
        assert Activity.objects.filter(object_id=first.pk, verb="created").exists()
        assert first.history.first().history_user == people.coordinator

    def test_given_number_is_kept(self, people, org, partner):
        assert _create(people, org, partner, number="IO/2026/7").number == "IO/2026/7"

    def test_signatories_are_stored(self, people, org, partner):
        agreement = _create(
            people,
            org,
            partner,
            signatories=[
                {
                    "side": "home",
                    "name": "Prof. Li",
                    "title": "President",
                    "signed_on": datetime.date(2026, 2, 1),
                },
                {"side": "partner", "partner": partner, "name": "Dr. Weber", "title": "Rector"},
            ],
        )
        assert sorted(agreement.signatories.values_list("name", flat=True)) == ["Dr. Weber", "Prof. Li"]
        assert agreement.signatories.get(side="partner").partner == partner

    def test_signatory_must_sign_for_a_party(self, people, org, partner, other_partner):
        with pytest.raises(ValidationError, match="not a party"):
            _create(
                people, org, partner, signatories=[{"side": "partner", "partner": other_partner, "name": "X"}]
            )
        assert not Agreement.objects.exists()

    @pytest.mark.parametrize(
        ("fields", "partners", "field"),
        [
            ({"end_date": datetime.date(2026, 1, 1)}, True, "end_date"),
            ({"end_date": None, "auto_renew": False, "renewal_notice_days": 90}, True, "renewal_notice_days"),
            ({}, False, "partners"),
            ({"responsible_unit": None}, True, "responsible_unit"),
        ],
    )
    def test_rules_are_checked(self, people, org, partner, fields, partners, field):
        data = {
            "title_en": "X",
            "kind": "mou",
            "responsible_unit": org.computing,
            "start_date": datetime.date(2026, 3, 1),
            "end_date": datetime.date(2027, 3, 1),
        }
        data.update(fields)
        with pytest.raises(ValidationError) as caught:
            services.agreement_create(actor=None, partners=[partner] if partners else [], channels=[], **data)
        assert field in caught.value.message_dict
        assert not Agreement.objects.exists()

    def test_notice_period_allowed_with_auto_renew(self, people, org, partner):
        agreement = _create(people, org, partner, end_date=None, auto_renew=True, renewal_notice_days=90)
        assert agreement.renewal_notice_days == 90

    def test_umbrella_cannot_be_itself(self, people, org, partner):
        agreement = _create(people, org, partner)
        with pytest.raises(ValidationError) as caught:
            services.agreement_update(agreement=agreement, actor=people.officer, umbrella=agreement)
        assert "umbrella" in caught.value.message_dict

    def test_coordinator_cannot_create_for_another_unit(self, people, org, partner):
        with pytest.raises(PermissionDeniedError):
            _create(people, org, partner, responsible_unit=org.humanities)

    def test_unknown_channel_refused(self, people, org, partner):
        with pytest.raises(ValidationError):
            services.agreement_create(
                actor=None,
                partners=[partner],
                channels=["tourism"],
                title_en="X",
                kind="mou",
                responsible_unit=org.computing,
            )


class TestUpdate:
    def test_update_replaces_partners_channels_and_bumps_version(self, people, org, partner, other_partner):
        agreement = _create(people, org, partner)
        updated = services.agreement_update(
            agreement=agreement,
            actor=people.coordinator,
            expected_version=1,
            partners=[other_partner],
            channels=["cultural"],
            title_en="Renamed",
        )
        assert updated.version == 2
        assert updated.title_en == "Renamed"
        assert list(updated.partners.all()) == [other_partner]
        assert list(updated.channels.values_list("channel", flat=True)) == ["cultural"]

    def test_stale_edit_is_refused_with_changed_fields_and_nothing_overwritten(self, people, org, partner):
        agreement = _create(people, org, partner)
        services.agreement_update(
            agreement=agreement,
            actor=people.officer,
            expected_version=1,
            title_en="Officer's title",
            end_date=datetime.date(2030, 12, 31),
        )
        with pytest.raises(StaleEditError) as caught:
            services.agreement_update(
                agreement=agreement,
                actor=people.coordinator,
                expected_version=1,
                title_en="Coordinator's title",
            )
        changed = {c.field: (c.before, c.after) for c in caught.value.changes}
        assert changed["title_en"] == ("Student exchange with Heidelberg", "Officer's title")
        assert changed["end_date"] == ("2031-02-28", "2030-12-31")
        assert caught.value.current_version == 2
        agreement.refresh_from_db()
        assert agreement.title_en == "Officer's title"
        assert agreement.version == 2

    def test_coordinator_cannot_edit_after_submission(self, people, org, partner):
        agreement = _create(people, org, partner)
        services.agreement_submit(agreement=agreement, actor=people.coordinator)
        with pytest.raises(PermissionDeniedError):
            services.agreement_update(agreement=agreement, actor=people.coordinator, title_en="Late change")
        services.agreement_update(agreement=agreement, actor=people.officer, title_en="Officer fix")


LEGAL = [
    ("submit", "draft", "under_review"),
    ("return", "under_review", "draft"),
    ("approve", "under_review", "approved"),
    ("activate", "approved", "active"),
    ("expire", "active", "expired"),
    ("terminate", "active", "terminated"),
    ("terminate", "approved", "terminated"),
]
STATES = ["draft", "under_review", "approved", "active", "expired", "terminated", "renewed"]


class TestTransitions:
    @pytest.mark.parametrize(("action", "start", "target"), LEGAL)
    def test_legal_moves(self, people, make_agreement, action, start, target):
        agreement = make_agreement(
            state=start,
            end_date=TODAY - datetime.timedelta(days=1),
            start_date=TODAY - datetime.timedelta(days=400),
        )
        moved = services.agreement_transition(
            agreement=agreement, actor=people.officer, action=action, comment="Checked by the office"
        )
        assert moved.state == target
        assert moved.state_changed_at is not None
        assert moved.version == agreement.version + 1
        row = agreement.transitions.get()
        assert (row.action, row.from_state, row.to_state, row.actor) == (
            action,
            start,
            target,
            people.officer,
        )
        assert row.comment == "Checked by the office"
        assert Activity.objects.filter(object_id=agreement.pk, verb=action).exists()

    @pytest.mark.parametrize(
        ("action", "start"),
        [
            (action, state)
            for action in ["submit", "return", "approve", "activate", "expire", "terminate"]
            for state in STATES
            if (action, state) not in {(a, s) for a, s, _ in LEGAL}
        ],
    )
    def test_illegal_moves_are_refused_with_a_clear_message(self, people, make_agreement, action, start):
        agreement = make_agreement(state=start, number="2026-SE-0042")
        with pytest.raises(TransitionError) as caught:
            services.agreement_transition(agreement=agreement, actor=people.admin, action=action)
        message = caught.value.message
        assert "2026-SE-0042" in message
        assert str(agreement.get_state_display()) in message
        assert str(services.ACTION_LABELS[action]) in message
        agreement.refresh_from_db()
        assert agreement.state == start
        assert not TransitionLog.objects.exists()

    def test_illegal_move_message_in_full(self, people, make_agreement):
        agreement = make_agreement(state="under_review", number="2026-SE-0007")
        with pytest.raises(TransitionError) as caught:
            services.agreement_submit(agreement=agreement, actor=people.officer)
        assert caught.value.message == (
            "Cannot submit for review: agreement 2026-SE-0007 is “Under review”, and this is possible only "
            "when it is “Draft”."
        )
        agreement.refresh_from_db()
        assert agreement.state == "under_review"

    def test_named_wrappers_walk_the_lifecycle(self, people, make_agreement):
        agreement = make_agreement(start_date=None, end_date=None)
        services.agreement_submit(agreement=agreement, actor=people.coordinator)
        services.agreement_return(agreement=agreement, actor=people.officer, comment="Add the annex")
        services.agreement_submit(agreement=agreement, actor=people.coordinator)
        services.agreement_approve(agreement=agreement, actor=people.officer)
        moved = services.agreement_activate(agreement=agreement, actor=people.officer, start_date=TODAY)
        assert moved.state == "active" and moved.start_date == TODAY
        assert services.agreement_terminate(agreement=agreement, actor=people.officer).state == "terminated"
        actions = list(agreement.transitions.order_by("at", "id").values_list("action", flat=True))
        assert actions == ["submit", "return", "submit", "approve", "activate", "terminate"]

    def test_activation_needs_a_start_date(self, people, make_agreement):
        agreement = make_agreement(state="approved", start_date=None)
        with pytest.raises(TransitionError, match="needs a start date"):
            services.agreement_activate(agreement=agreement, actor=people.officer)

    def test_activation_records_the_start_date(self, people, make_agreement):
        agreement = make_agreement(state="approved", start_date=datetime.date(2026, 5, 1))
        services.agreement_activate(agreement=agreement, actor=people.officer)
        assert "2026-05-01" in agreement.transitions.get().comment

    def test_expiry_before_the_end_date_is_refused(self, people, make_agreement):
        agreement = make_agreement(state="active", end_date=TODAY)
        with pytest.raises(TransitionError, match="terminate it instead"):
            services.agreement_expire(agreement=agreement, actor=people.officer)

    def test_unknown_action(self, people, make_agreement):
        with pytest.raises(TransitionError, match="not a lifecycle action"):
            services.agreement_transition(agreement=make_agreement(), actor=people.admin, action="publish")

    def test_system_actor_may_move(self, make_agreement):
        agreement = make_agreement(state="active", end_date=TODAY - datetime.timedelta(days=3))
        assert services.agreement_expire(agreement=agreement, actor=None).state == "expired"
        assert agreement.transitions.get().actor is None


class TestRenew:
    def test_renewal_creates_a_draft_successor(self, people, make_agreement, other_partner):
        old = make_agreement(
            state="active",
            start_date=datetime.date(2021, 1, 1),
            end_date=datetime.date(2025, 12, 31),
            channels=["research", "cultural"],
            partners=None,
            title_zh="合作协议",
            languages="en, zh",
            kind="research",
        )
        old.parties.create(partner=other_partner)
        successor = services.agreement_renew(
            agreement=old, actor=people.coordinator, comment="Five more years"
        )
        old.refresh_from_db()
        assert old.state == "renewed"
        assert successor.state == "draft"
        assert successor.renews == old
        assert successor.start_date == datetime.date(2026, 1, 1)
        assert successor.end_date == datetime.date(2026, 1, 1) + (old.end_date - old.start_date)
        assert (
            successor.kind == "research"
            and successor.title_zh == "合作协议"
            and successor.languages == "en, zh"
        )
        assert successor.responsible_unit == old.responsible_unit
        assert set(successor.partners.all()) == set(old.partners.all())
        assert set(successor.channels.values_list("channel", flat=True)) == {"research", "cultural"}
        assert successor.number != old.number
        row = old.transitions.get()
        assert (row.action, row.from_state, row.to_state, row.comment) == (
            "renew",
            "active",
            "renewed",
            "Five more years",
        )

    def test_renewal_with_explicit_dates(self, people, make_agreement):
        old = make_agreement(state="expired")
        successor = services.agreement_renew(
            agreement=old,
            actor=people.officer,
            start_date=datetime.date(2030, 6, 1),
            end_date=datetime.date(2033, 5, 31),
        )
        assert (successor.start_date, successor.end_date) == (
            datetime.date(2030, 6, 1),
            datetime.date(2033, 5, 31),
        )

    @pytest.mark.parametrize("state", ["draft", "under_review", "approved", "terminated", "renewed"])
    def test_renewal_refused_in_other_states(self, people, make_agreement, state):
        agreement = make_agreement(state=state)
        with pytest.raises(TransitionError) as caught:
            services.agreement_renew(agreement=agreement, actor=people.officer)
        assert caught.value.message.startswith(f"Cannot renew: agreement {agreement.number} is “")
        assert "“Active (signed)” or “Expired”" in caught.value.message
        assert Agreement.objects.count() == 1

    def test_leadership_cannot_renew(self, people, make_agreement):
        with pytest.raises(PermissionDeniedError):
            services.agreement_renew(agreement=make_agreement(state="active"), actor=people.leadership)
        assert Agreement.objects.count() == 1


class TestDocuments:
    def _upload(self, agreement, actor, name, content, kind="signed"):
        return services.document_upload(
            agreement=agreement, actor=actor, uploaded_file=SimpleUploadedFile(name, content), kind=kind
        )

    def test_pdf_is_stored_privately_with_sha256(self, people, make_agreement, settings):
        import hashlib

        content = pdf_bytes()
        document = self._upload(make_agreement(), people.coordinator, "../../Signed copy.pdf", content)
        assert document.content_type == "application/pdf"
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.size == len(content)
        assert document.version == 1
        assert document.original_name == "Signed copy.pdf"
        assert document.uploaded_by == people.coordinator
        assert document.file.path.startswith(str(settings.PRIVATE_STORAGE_ROOT))
        assert not document.file.path.startswith(str(settings.MEDIA_ROOT))
        with document.file.open("rb") as handle:
            assert handle.read() == content

    def test_docx_and_doc_are_detected_by_content(self, people, make_agreement):
        agreement = make_agreement()
        docx = self._upload(agreement, people.officer, "draft", docx_bytes(), kind="draft")
        doc = self._upload(
            agreement,
            people.officer,
            "old.bin",
            bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 100,
            kind="annex",
        )
        assert docx.content_type.endswith("wordprocessingml.document") and docx.original_name == "draft.docx"
        assert doc.content_type == "application/msword" and doc.original_name == "old.doc"

    def test_versions_increment_per_kind(self, people, make_agreement):
        agreement = make_agreement()
        versions = [
            self._upload(agreement, people.officer, "a.pdf", pdf_bytes(bytes([i]))).version for i in range(3)
        ]
        other = self._upload(agreement, people.officer, "d.pdf", pdf_bytes(), kind="draft")
        assert versions == [1, 2, 3]
        assert other.version == 1

    def test_png_named_pdf_is_refused(self, people, make_agreement):
        with pytest.raises(DomainError, match="Only PDF and Word documents") as caught:
            self._upload(make_agreement(), people.officer, "scan.pdf", png_bytes())
        assert caught.value.code == "invalid_file_type"
        assert not AgreementDocument.objects.exists()

    def test_zip_without_word_parts_is_refused(self, people, make_agreement):
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "hello")
        with pytest.raises(DomainError):
            self._upload(make_agreement(), people.officer, "x.docx", buffer.getvalue())

    def test_oversize_is_refused(self, people, make_agreement, settings):
        settings.MAX_UPLOAD_MB = 1
        with pytest.raises(DomainError, match="larger than the limit of 1 MB"):
            self._upload(make_agreement(), people.officer, "big.pdf", pdf_bytes(b"0" * (1024 * 1024)))
        assert not AgreementDocument.objects.exists()

    def test_staff_cannot_upload(self, people, make_agreement):
        with pytest.raises(PermissionDeniedError):
            self._upload(make_agreement(), people.staff, "a.pdf", pdf_bytes())


def test_history_shows_local_minutes_and_hides_fields_nobody_edits(people, make_agreement):
    from django.utils import timezone

    from meridian.core.history import history_entries

    agreement = make_agreement()
    Agreement.objects.filter(pk=agreement.pk).update(is_demo=True)  # as the demo builder marks its records
    moved = services.agreement_submit(
        agreement=Agreement.objects.get(pk=agreement.pk), actor=people.coordinator
    )
    changes = {c.field: c for c in history_entries(instance=moved)[0].changes}
    assert "is_demo" not in changes
    shown = changes["state_changed_at"].after
    assert shown == timezone.localtime(moved.state_changed_at).strftime("%Y-%m-%d %H:%M")
