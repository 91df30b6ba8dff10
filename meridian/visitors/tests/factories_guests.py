"""Helpers of the guests tests: a visit with a visa invitation hosted by the staff member of Computing, a
token for a guest, the self-service form's POST data, and file contents."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from meridian.people.consent import CURRENT_VERSION
from meridian.visitors.choices import InvitationKind
from meridian.visitors.models import Visit, VisitGuest
from meridian.visitors.services.guests import guest_link_issue
from meridian.visitors.tests.factories import germany, make_visit

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00" + b"\x00" * 64


def guest_visit(org, people, *, guests: int = 1, **fields: Any) -> Visit:
    """A visit of Computing hosted by ``people.staff`` (its coordinator: the engineering coordinator), with a
    university invitation letter, so the invitation-package rules apply."""
    fields.setdefault("invitation_kind", InvitationKind.LETTER)
    return make_visit(host_unit=org.computing, host=people.staff, guests=guests, state="approved", **fields)


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def issue(guest: VisitGuest, actor) -> str:
    """A fresh link path for ``guest`` issued by ``actor``."""
    return guest_link_issue(guest=guest, actor=actor).path


def cv_rows(today: datetime.date | None = None, *, gap: bool = False) -> list[dict[str, str]]:
    """Two CV rows covering the last ten years (a year missing in the middle with ``gap``)."""
    today = today or timezone.localdate()
    start = f"{today.year - 11}-01"
    middle = today.year - 5
    first_end = f"{middle - 2 if gap else middle}-12"
    return [
        {"from": f"{middle + 1}-01", "to": "", "organisation": "Heidelberg University",
         "position": "Professor"},
        {"from": start, "to": first_end, "organisation": "TU Munich", "position": "Lecturer"},
    ]  # fmt: skip


def form_data(
    guest: VisitGuest, *, cv: list[dict[str, str]] | None = None, **overrides: Any
) -> dict[str, Any]:
    """A complete, valid POST of the guest form for ``guest`` (passport valid long enough, CV without gaps,
    itinerary on the visit's dates), with ``overrides``."""
    visit = guest.visit
    country = germany()
    rows = cv_rows() if cv is None else cv
    data: dict[str, Any] = {
        "consent_version": CURRENT_VERSION,
        "consent": "on",
        "version": guest.person.version,
        "family_name": "Schmidt",
        "given_name": "Anna",
        "name_zh": "施密特",
        "gender": 2,
        "birth_date": "1975-04-12",
        "birth_place": "Heidelberg",
        "nationality": country.pk,
        "email": "anna.schmidt@uni-heidelberg.example",
        "phone": "+49 6221 54 0",
        "document_kind": "passport",
        "document_number": "C01X00T47",
        "issuing_country": country.pk,
        "issue_date": "2021-03-01",
        "expiry_date": (visit.depart_on + datetime.timedelta(days=3 * 365)).isoformat(),
        "arrival_date": visit.arrive_on.isoformat(),
        "arrival_flight": "LH 722",
        "arrival_port": "Beijing Capital Airport",
        "departure_date": visit.depart_on.isoformat(),
        "departure_flight": "LH 723",
        "exit_port": "Beijing Capital Airport",
        "dietary_needs": "Vegetarian",
        "accessibility_needs": "",
        "cv-TOTAL_FORMS": str(len(rows)),
        "cv-INITIAL_FORMS": "0",
    }
    for i, row in enumerate(rows):
        data.update(
            {
                f"cv-{i}-start": row["from"],
                f"cv-{i}-end": row["to"],
                f"cv-{i}-organisation": row["organisation"],
                f"cv-{i}-position": row["position"],
            }
        )
    data.update(overrides)
    return data
