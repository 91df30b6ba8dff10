"""Visit services: filing and editing (guests, programme, budget), numbers, stale edits, validation that
stores nothing, files, the visit note and the office's referral."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.people.choices import PersonKind
from meridian.people.models import DataPurpose, Person
from meridian.people.tests.factories import make_person
from meridian.visitors.choices import VisitFileKind, VisitState
from meridian.visitors.models import Visit, VisitFile, VisitGuest
from meridian.visitors.services import visits as services
from meridian.visitors.tests.factories import FUTURE, germany, make_guest, make_visit

DAY = datetime.timedelta(days=1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name: str = "letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fields(org, people, **extra):
    values = {
        "title": "Lectures on power systems",
        "category": "visiting_scholar",
        "purpose": "Two lectures and talks on a joint laboratory.",
        "host_unit": org.computing,
        "host": people.staff,
        "arrive_on": FUTURE,
        "depart_on": FUTURE + 3 * DAY,
        "guest_organisation": "Heidelberg University",
    }
    values.update(extra)
    return values


def new_guest(family: str = "Schmidt", *, head: bool = False, rank: str = "professor") -> dict:
    return {
        "person": None,
        "new_person": {"family_name": family, "given_name": "Anna", "nationality": germany()},
        "is_head": head,
        "rank": rank,
        "position": "Professor",
    }


def programme(day=FUTURE) -> list[dict]:
    return [{"day": day, "kind": "lecture", "title": "Lecture on grids", "place": "Hall 1"}]


def budget(amount="900") -> list[dict]:
    return [{"kind": "accommodation", "amount": Decimal(amount), "persons": 1, "days": 3}]


class TestCreate:
    def test_host_files_a_complete_visit(self, org, people):
        visit = services.visit_create(
            actor=people.staff,
            guests=[new_guest(head=True), new_guest("Weber")],
            programme=programme(),
            budget=budget(),
            **fields(org, people),
        )
        assert visit.number == f"VIS-{FUTURE.year}-0001"
        assert visit.state == VisitState.DRAFT and visit.created_by == people.staff
        guests = list(visit.guests.select_related("person"))
        assert [g.person.family_name for g in guests] == ["Schmidt", "Weber"]
        assert guests[0].is_head and not guests[1].is_head
        # New guests are guest records collected for the "visit" purpose, which ends with the departure.
        assert all(g.person.kind == PersonKind.GUEST for g in guests)
        purpose = DataPurpose.objects.get(person=guests[0].person)
        assert purpose.purpose.code == "visit" and purpose.ends_on == visit.depart_on
        assert visit.programme.get().title == "Lecture on grids"
        assert visit.budget_lines.get().amount == Decimal("900")

    def test_numbers_follow_each_other_per_arrival_year(self, org, people):
        first = services.visit_create(actor=people.staff, **fields(org, people))
        second = services.visit_create(actor=people.staff, **fields(org, people))
        assert second.number == f"VIS-{FUTURE.year}-{int(first.number[-4:]) + 1:04d}"

    def test_secretary_files_for_a_host_of_the_unit(self, org, people):
        visit = services.visit_create(actor=people.coordinator, **fields(org, people))
        assert visit.host == people.staff and visit.created_by == people.coordinator

    def test_staff_may_not_file_for_another_host(self, org, people):
        with pytest.raises(PermissionDeniedError):
            services.visit_create(actor=people.staff, **fields(org, people, host=people.coordinator))
        assert not Visit.objects.exists()

    def test_staff_may_not_file_for_a_unit_they_do_not_belong_to(self, org, people):
        with pytest.raises(PermissionDeniedError):
            services.visit_create(actor=people.staff, **fields(org, people, host_unit=org.humanities))

    def test_students_may_not_file(self, org, people):
        with pytest.raises(PermissionDeniedError):
            services.visit_create(actor=people.student, **fields(org, people, host=people.student))

    def test_departure_before_arrival_is_refused_on_the_field(self, org, people):
        with pytest.raises(ValidationError) as exc:
            services.visit_create(actor=people.staff, **fields(org, people, depart_on=FUTURE - DAY))
        assert "before the arrival" in exc.value.message_dict["depart_on"][0]
        assert not Visit.objects.exists()

    def test_the_guests_organisation_must_be_named(self, org, people):
        with pytest.raises(ValidationError) as exc:
            services.visit_create(actor=people.staff, **fields(org, people, guest_organisation=" "))
        assert "guests' organisation" in exc.value.message_dict["guest_organisation"][0]

    def test_a_programme_day_outside_the_visit_stores_nothing(self, org, people):
        persons = Person.objects.count()
        with pytest.raises(ValidationError) as exc:
            services.visit_create(
                actor=people.staff,
                guests=[new_guest()],
                programme=programme(day=FUTURE + 10 * DAY),
                **fields(org, people),
            )
        assert "outside the visit's dates" in exc.value.message_dict["programme"][0]
        assert not Visit.objects.exists()
        assert Person.objects.count() == persons  # the new guest's record is rolled back too

    def test_a_delegation_has_one_head(self, org, people):
        with pytest.raises(ValidationError) as exc:
            services.visit_create(
                actor=people.staff,
                guests=[new_guest(head=True), new_guest("Weber", head=True)],
                **fields(org, people),
            )
        assert exc.value.message_dict["guests"] == ["A delegation has one head."]

    def test_a_person_listed_twice_is_refused(self, org, people):
        person = make_person(kind=PersonKind.GUEST, family_name="Dupont")
        row = {"person": person, "is_head": False, "rank": "other"}
        with pytest.raises(ValidationError) as exc:
            services.visit_create(actor=people.staff, guests=[row, dict(row)], **fields(org, people))
        assert "listed twice" in exc.value.message_dict["guests"][0]

    def test_a_guest_row_needs_a_person_or_a_name(self, org, people):
        with pytest.raises(ValidationError) as exc:
            services.visit_create(
                actor=people.staff,
                guests=[{"person": None, "new_person": {"family_name": ""}}],
                **fields(org, people),
            )
        assert "Guest 1" in exc.value.message_dict["guests"][0]

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            ({"kind": "meals", "amount": Decimal("-1")}, "cannot be negative"),
            ({"kind": "meals", "amount": Decimal("10"), "persons": 0}, "at least 1"),
            ({"kind": "caviar", "amount": Decimal("10")}, "kind of each budget line"),
        ],
    )
    def test_bad_budget_lines_are_refused(self, org, people, line, message):
        with pytest.raises(ValidationError) as exc:
            services.visit_create(actor=people.staff, budget=[line], **fields(org, people))
        assert message in exc.value.message_dict["budget"][0]
        assert not Visit.objects.exists()

    def test_programme_items_end_after_they_start(self, org, people):
        item = {**programme()[0], "starts_at": datetime.time(10), "ends_at": datetime.time(9)}
        with pytest.raises(ValidationError) as exc:
            services.visit_create(actor=people.staff, programme=[item], **fields(org, people))
        assert "ends before it starts" in exc.value.message_dict["programme"][0]

    def test_unknown_fields_are_refused(self, org, people):
        with pytest.raises(ValidationError):
            services.visit_create(actor=people.staff, state="approved", **fields(org, people))

    def test_justification_for_a_rule_that_asks_none_is_refused(self, org, people):
        with pytest.raises(ValidationError) as exc:
            services.visit_create(
                actor=people.staff, justifications={"nonsense": "because"}, **fields(org, people)
            )
        assert "nonsense" in exc.value.message_dict["justifications"][0]

    def test_justification_for_a_justify_rule_is_kept(self, org, people, monkeypatch):
        monkeypatch.setattr(services, "justifiable_codes", lambda visit=None: {"hosting_length"})
        visit = services.visit_create(
            actor=people.staff,
            justifications={"hosting_length": " Reciprocal next year. ", "x": ""},
            **fields(org, people),
        )
        assert visit.justifications == {"hosting_length": "Reciprocal next year."}


class TestUpdate:
    @pytest.fixture
    def visit(self, org, people):
        return make_visit(host_unit=org.computing, host=people.staff, guests=2)

    def test_update_changes_fields_and_bumps_the_version(self, visit, people):
        before = visit.version
        saved = services.visit_update(
            visit=visit, actor=people.staff, expected_version=before, title="New name"
        )
        assert saved.title == "New name" and saved.version == before + 1

    def test_a_stale_save_is_refused_and_overwrites_nothing(self, visit, people):
        start = visit.version
        services.visit_update(
            visit=visit, actor=people.coordinator, expected_version=start, title="Their name"
        )
        with pytest.raises(StaleEditError) as exc:
            services.visit_update(visit=visit, actor=people.staff, expected_version=start, title="My name")
        assert [c.field for c in exc.value.changes] == ["title"]
        assert Visit.objects.get(pk=visit.pk).title == "Their name"

    def test_only_drafts_are_edited(self, visit, people):
        Visit.objects.filter(pk=visit.pk).update(state=VisitState.UNDER_REVIEW)
        visit.refresh_from_db()
        with pytest.raises(PermissionDeniedError):
            services.visit_update(visit=visit, actor=people.officer, title="Late")

    def test_others_may_not_edit(self, visit, people):
        with pytest.raises(PermissionDeniedError):
            services.visit_update(visit=visit, actor=people.other_coordinator, title="Not mine")

    def test_kept_guests_keep_their_entered_data_and_dropped_ones_go(self, visit, people):
        head, other = list(visit.guests.all())
        head.cv = [{"from": "2020-01", "to": "", "organisation": "Uni", "position": "Prof"}]
        head.save()
        rows = [{"person": head.person, "is_head": False, "rank": "director", "position": "Dean"}]
        services.visit_update(visit=visit, actor=people.staff, guests=rows)
        kept = VisitGuest.objects.get(visit=visit)
        assert kept.pk == head.pk and kept.cv and kept.rank == "director" and kept.position == "Dean"
        assert not VisitGuest.objects.filter(pk=other.pk).exists()

    def test_new_dates_must_still_hold_the_programme(self, visit, people):
        with pytest.raises(ValidationError) as exc:
            services.visit_update(visit=visit, actor=people.staff, depart_on=visit.arrive_on)
        assert "outside the new dates" in exc.value.message_dict["programme"][0]
        assert Visit.objects.get(pk=visit.pk).depart_on == visit.depart_on

    def test_guest_add_and_remove(self, visit, people):
        person = make_person(kind=PersonKind.GUEST, family_name="Rossi")
        added = services.visit_guest_add(visit=visit, actor=people.staff, person=person, rank="director")
        assert added.person == person and visit.guests.count() == 3
        with pytest.raises(ValidationError):
            services.visit_guest_add(visit=visit, actor=people.staff, person=person)
        with pytest.raises(ValidationError):  # the first guest is the head already
            services.visit_guest_add(
                visit=visit, actor=people.staff, new_person={"family_name": "Li"}, is_head=True
            )
        services.visit_guest_remove(guest=added, actor=people.staff)
        assert list(visit.guests.values_list("order", flat=True)) == [0, 1]

    def test_guests_set_refuses_outsiders(self, visit, people):
        with pytest.raises(PermissionDeniedError):
            services.visit_guests_set(visit=visit, actor=people.student, guests=[])
        assert visit.guests.count() == 2


class TestFiles:
    @pytest.fixture
    def visit(self, org, people):
        return make_visit(host_unit=org.computing, host=people.staff)

    def test_a_checked_file_is_stored_privately(self, visit, people, settings):
        record = services.visit_file_add(visit=visit, actor=people.staff, kind="request", uploaded=pdf())
        assert record.content_type == "application/pdf" and record.original_name == "letter.pdf"
        assert record.file.path.startswith(str(settings.PRIVATE_STORAGE_ROOT))
        assert not record.file.path.startswith(str(settings.MEDIA_ROOT))

    def test_a_file_that_is_not_what_it_claims_is_refused(self, visit, people):
        fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
        with pytest.raises(DomainError):
            services.visit_file_add(visit=visit, actor=people.staff, kind="request", uploaded=fake)
        assert not VisitFile.objects.exists()

    def test_photos_must_be_images(self, visit, people):
        with pytest.raises(DomainError, match="not a photo"):
            services.visit_file_add(visit=visit, actor=people.staff, kind=VisitFileKind.PHOTO, uploaded=pdf())

    def test_others_may_not_add_or_remove(self, visit, people):
        with pytest.raises(PermissionDeniedError):
            services.visit_file_add(
                visit=visit, actor=people.other_coordinator, kind="request", uploaded=pdf()
            )
        record = services.visit_file_add(visit=visit, actor=people.staff, kind="request", uploaded=pdf())
        with pytest.raises(PermissionDeniedError):
            services.visit_file_delete(file=record, actor=people.coordinator)  # not the uploader
        services.visit_file_delete(file=record, actor=people.officer)
        assert not VisitFile.objects.exists()


class TestVisitNote:
    @pytest.fixture
    def hosted(self, org, people):
        return make_visit(host_unit=org.computing, host=people.staff, state=VisitState.HOSTED)

    def test_note_sets_the_time_and_keeps_photos(self, hosted, people):
        saved = services.visit_note_submit(
            visit=hosted,
            actor=people.staff,
            outcomes="Agreed a joint lab.",
            follow_up="Draft MoU",
            photos=[png()],
        )
        assert saved.note_submitted_at is not None and saved.outcomes == "Agreed a joint lab."
        assert hosted.files.get().kind == VisitFileKind.PHOTO

    def test_outcomes_are_required(self, hosted, people):
        with pytest.raises(ValidationError) as exc:
            services.visit_note_submit(visit=hosted, actor=people.staff, outcomes="  ")
        assert "outcomes" in exc.value.message_dict

    def test_a_bad_photo_stores_nothing(self, hosted, people):
        with pytest.raises(DomainError, match="not a photo"):
            services.visit_note_submit(
                visit=hosted, actor=people.staff, outcomes="Talks held.", photos=[png(), pdf("scan.pdf")]
            )
        hosted.refresh_from_db()
        assert hosted.note_submitted_at is None and hosted.outcomes == ""
        assert not hosted.files.exists()

    def test_only_after_the_guests_left(self, org, people):
        arrived = make_visit(host_unit=org.computing, host=people.staff, state=VisitState.ARRIVED)
        with pytest.raises(DomainError, match="after the guests have left"):
            services.visit_note_submit(visit=arrived, actor=people.staff, outcomes="Early")

    def test_others_may_not_write_it(self, hosted, people):
        with pytest.raises(PermissionDeniedError):
            services.visit_note_submit(visit=hosted, actor=people.leadership, outcomes="Not mine")


class TestEscalate:
    def test_office_refers_and_withdraws(self, org, people):
        visit = make_visit(host_unit=org.computing, host=people.staff)
        saved = services.visit_escalate(visit=visit, actor=people.officer, escalated=True)
        assert saved.escalated and saved.version == visit.version + 1
        assert not services.visit_escalate(visit=saved, actor=people.officer, escalated=False).escalated

    def test_only_the_office(self, org, people):
        visit = make_visit(host_unit=org.computing, host=people.staff)
        with pytest.raises(PermissionDeniedError):
            services.visit_escalate(visit=visit, actor=people.coordinator)

    def test_not_after_approval(self, org, people):
        visit = make_visit(host_unit=org.computing, host=people.staff, state=VisitState.APPROVED)
        with pytest.raises(DomainError):
            services.visit_escalate(visit=visit, actor=people.officer)


def test_make_guest_factory_and_service_agree(org, people):
    """A guest made by the factory can be kept by an update (the row shape the service expects)."""
    visit = make_visit(host_unit=org.computing, host=people.staff, guests=0)
    guest = make_guest(visit, head=False)
    services.visit_update(
        visit=visit, actor=people.staff, guests=[{"person": guest.person, "rank": "", "position": ""}]
    )
    assert VisitGuest.objects.get(visit=visit).rank == "other"
