"""Who may see and do what in student exchange. Views, API, exports, documents and downloads all ask here.

- The International Office (officers, administrators) runs everything; leadership reads everything.
- A school's coordinators and foreign-affairs secretaries (``acted_unit_ids``) run their school's calls,
  pre-approve their students' applications, approve their learning agreements and decide recognition, and
  host incoming students of their school.
- Committee members (``CallReviewer``) see and score the applications of their call, except those they have a
  conflict of interest with.
- A student sees only their own applications, mobilities and learning agreements.
- A partner contact (role "partner contact" with a contact record of the partner) sees only their own
  organisation: its agreements and conditions, our nominations to it, its nominations to us, its factsheet,
  the learning agreements it must approve. Only contacts with the portal role "coordinator" act; "viewer"
  contacts read.
"""

from __future__ import annotations

from django.db.models import Q

from meridian.accounts.choices import Role
from meridian.accounts.permissions import can_read_university, can_write_university, is_internal, standing


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def acted_unit_ids(user) -> frozenset[int]:
    """Units (each with its subunits) whose students ``user`` handles as coordinator or foreign-affairs
    secretary (the workflow engine's "acts for applicants" rule)."""
    from meridian.workflow.permissions import applicant_unit_ids

    return applicant_unit_ids(user)


def is_office(user) -> bool:
    """International Office officers and administrators."""
    return can_write_university(user)


def acts_for_unit(user, unit_id: int | None) -> bool:
    """The office, or a coordinator (foreign-affairs secretary) of the unit or a unit above it."""
    return can_write_university(user) or (unit_id is not None and unit_id in acted_unit_ids(user))


# --- partner contacts ------------------------------------------------------------------------------------


def partner_contact_of(user):
    """The ``PartnerContact`` record of a signed-in partner contact, or None (cached on the user)."""
    if not _authenticated(user) or not standing(user).has(Role.PARTNER_CONTACT):
        return None
    if not hasattr(user, "_mobility_contact"):
        from meridian.partners.models import PartnerContact

        user._mobility_contact = PartnerContact.objects.filter(user=user).select_related("partner").first()
    return user._mobility_contact


def partner_id_of(user) -> int | None:
    """The partner a signed-in partner contact belongs to, or None."""
    contact = partner_contact_of(user)
    return contact.partner_id if contact is not None else None


def is_partner_contact(user) -> bool:
    return partner_id_of(user) is not None


def acts_for_partner(user, partner_id: int | None) -> bool:
    """A partner contact of ``partner_id`` with the portal role "coordinator"."""
    from meridian.partners.choices import PortalRole

    contact = partner_contact_of(user)
    return (
        contact is not None
        and partner_id is not None
        and contact.partner_id == partner_id
        and contact.portal_role == PortalRole.COORDINATOR
    )


def can_use_partner_portal(user) -> bool:
    return is_partner_contact(user)


# --- students -------------------------------------------------------------------------------------------


def is_student(user) -> bool:
    """A student account (our students), or an external account made for an incoming student."""
    if not _authenticated(user) or is_internal(user) or is_partner_contact(user):
        return False
    if standing(user).has(Role.STUDENT):
        return True
    from meridian.mobility.models import Mobility

    return Mobility.objects.filter(student=user).exists()


def can_use_student_portal(user) -> bool:
    return is_student(user)


def can_apply(user) -> bool:
    """Our students apply to calls (incoming students complete their application through their invitation)."""
    return _authenticated(user) and standing(user).has(Role.STUDENT) and not is_internal(user)


# --- cooperation conditions and factsheets -------------------------------------------------------------


def condition_visibility_filter(user) -> Q | None:
    """None means "every condition"; otherwise conditions of the agreements ``user`` may see, and a partner
    contact's only with their own organisation."""
    if can_read_university(user):
        return None
    if not _authenticated(user):
        return Q(pk__in=[])
    from meridian.agreements.models import Agreement

    condition = Q(agreement__in=Agreement.objects.visible_to(user))
    partner_id = partner_id_of(user)
    if partner_id is not None and not is_internal(user):
        condition &= Q(partner_id=partner_id)
    return condition


def can_edit_conditions(user, agreement) -> bool:
    """The office, and coordinators of the agreement's responsible unit."""
    return acts_for_unit(user, agreement.responsible_unit_id)


def can_edit_factsheet(user, partner) -> bool:
    """The office, and the partner's own coordinators in the partner portal."""
    return is_office(user) or acts_for_partner(user, partner.pk)


# --- calls ------------------------------------------------------------------------------------------------


def call_visibility_filter(user) -> Q | None:
    """Calls on staff pages: the office and leadership see all; a school's coordinators theirs and the
    office's; reviewers their calls; everyone else the calls that have been opened."""
    from meridian.mobility.choices import CallState

    if can_read_university(user):
        return None
    opened = ~Q(state__in=[CallState.DRAFT, CallState.CANCELLED])
    if not _authenticated(user):
        return opened
    condition = opened
    units = acted_unit_ids(user)
    if units:
        condition |= Q(unit_id__in=units)
    if is_internal(user):
        from meridian.mobility.models import CallReviewer

        # A subquery, not a join through the committee: a join repeats each call once per member.
        condition |= Q(pk__in=CallReviewer.objects.filter(user=user).values("call_id"))
    return condition


def can_create_call(user) -> bool:
    return is_office(user) or bool(acted_unit_ids(user))


def can_manage_call(user, call) -> bool:
    """Edit, open, close, allocate, publish: the office and the coordinators of the unit running the call."""
    return acts_for_unit(user, call.unit_id)


def is_reviewer(user, call) -> bool:
    if not _authenticated(user):
        return False
    return call.reviewers.filter(user=user).exists()


# --- applications ---------------------------------------------------------------------------------------


def application_visibility_filter(user) -> Q | None:
    """None means "every application"; otherwise the condition on Application rows ``user`` may see."""
    if can_read_university(user):
        return None
    if not _authenticated(user):
        return Q(pk__in=[])
    condition = Q(student_id=user.pk)
    if is_internal(user):
        units = acted_unit_ids(user)
        if units:
            condition |= Q(unit_id__in=units) | Q(call__unit_id__in=units)
        from meridian.mobility.choices import ApplicationState as A
        from meridian.mobility.models import CallReviewer, ReviewConflict

        reviewing = CallReviewer.objects.filter(user=user).values("call_id")
        conflicts = ReviewConflict.objects.filter(reviewer=user).values("application_id")
        # The committee sees an application once the school has approved it, never drafts.
        reviewed_states = [A.PRE_APPROVED, A.OFFERED, A.WAITLISTED, A.ACCEPTED, A.DECLINED, A.NOMINATED]
        condition |= Q(call_id__in=reviewing, state__in=reviewed_states) & ~Q(pk__in=conflicts)
    return condition


def is_applicant(user, application) -> bool:
    return _authenticated(user) and application.student_id == user.pk


def can_edit_application(user, application) -> bool:
    """A draft is edited by the student who owns it."""
    from meridian.mobility.choices import ApplicationState

    return is_applicant(user, application) and application.state == ApplicationState.DRAFT


def can_pre_approve(user, application) -> bool:
    """The school's coordinators and secretaries (and the office) pre-approve and check eligibility."""
    return acts_for_unit(user, application.unit_id)


def has_conflict(user, application) -> bool:
    return application.conflicts.filter(reviewer=user).exists()


def can_score(user, application) -> bool:
    """A committee member of the call with no conflict of interest with the applicant (not the applicant)."""
    if not _authenticated(user) or is_applicant(user, application) or not is_internal(user):
        return False
    return is_reviewer(user, application.call) and not has_conflict(user, application)


def can_see_scores(user, application) -> bool:
    """Reviewers' individual scores: the office, the call's managers; a reviewer their own only."""
    return can_manage_call(user, application.call) or can_read_university(user)


# Application uploads that are identity documents (sensitive personal information, PIPL art. 28).
IDENTITY_FILE_KINDS = frozenset({"passport"})


def can_download_application_file(user, application, kind: str) -> bool:
    """Download an application's upload of ``kind`` (a ``DocumentKind``). Identity documents (the passport
    copy) only to the student and to those who may see the person's identity documents
    (``people.permissions.can_view_documents``: the International Office, the coordinators of the student's
    unit) — not to leadership or committee members as such; other uploads to everyone who may see the
    application (the caller checks that first)."""
    if kind not in IDENTITY_FILE_KINDS:
        return True
    from meridian.people.permissions import can_view_documents

    return is_applicant(user, application) or (
        _authenticated(user) and can_view_documents(user, application.person)
    )


def can_message(user, application) -> bool:
    return (
        is_applicant(user, application)
        or can_pre_approve(user, application)
        or can_manage_call(user, application.call)
    )


# --- mobilities -----------------------------------------------------------------------------------------


def mobility_visibility_filter(user) -> Q | None:
    """None means "every mobility"; otherwise the condition on Mobility rows ``user`` may see."""
    if can_read_university(user):
        return None
    if not _authenticated(user):
        return Q(pk__in=[])
    condition = Q(student_id=user.pk)
    units = acted_unit_ids(user) if is_internal(user) else frozenset()
    if units:
        condition |= Q(home_unit_id__in=units)
    partner_id = partner_id_of(user)
    if partner_id is not None:
        condition |= Q(partner_id=partner_id)
    return condition


def can_nominate(user) -> bool:
    """Nominating allocated students to partners: the office."""
    return is_office(user)


def can_handle_mobility(user, mobility) -> bool:
    """Our side's work on a mobility: the office and the coordinators of its school."""
    return acts_for_unit(user, mobility.home_unit_id)


def can_decide_for_partner(user, mobility) -> bool:
    """The partner's decisions on our nominations (accept, reject, request documents)."""
    return acts_for_partner(user, mobility.partner_id)


def can_see_personal_data(user, mobility) -> bool:
    """The student's identity documents and files: the student, our side's handlers, the partner's
    coordinators (who need them to admit the student); not leadership or viewers."""
    return (
        (_authenticated(user) and mobility.student_id == user.pk)
        or can_handle_mobility(user, mobility)
        or can_decide_for_partner(user, mobility)
    )


# --- learning agreements and recognition ---------------------------------------------------------------


def la_party(user, learning_agreement) -> str:
    """Which party of a learning agreement ``user`` signs for: "student", "sending", "receiving" or ""."""
    mobility = learning_agreement.mobility
    if _authenticated(user) and mobility.student_id == user.pk:
        return "student"
    ours = can_handle_mobility(user, mobility)
    theirs = acts_for_partner(user, mobility.partner_id)
    if mobility.is_outgoing:
        return "sending" if ours else "receiving" if theirs else ""
    return "receiving" if ours else "sending" if theirs else ""


def can_decide_recognition(user, mobility) -> bool:
    """Grade conversion and recognition decisions: the office and the student's school."""
    return can_handle_mobility(user, mobility)


def can_read_recognition(user, mobility) -> bool:
    """Read a mobility's transcript and recognition: those who decide it, the student, the office and
    leadership, and — for an incoming student — the partner's contacts (it is the transcript we send them)."""
    return (
        can_decide_recognition(user, mobility)
        or (_authenticated(user) and mobility.student_id == user.pk)
        or can_read_university(user)
        or (not mobility.is_outgoing and partner_id_of(user) == mobility.partner_id)
    )


def can_view_la_document(user, learning_agreement) -> bool:
    """Download a learning agreement's PDF: its parties, the partner's contacts (viewers too), the office and
    leadership."""
    return (
        bool(la_party(user, learning_agreement))
        or can_read_university(user)
        or (partner_id_of(user) is not None and partner_id_of(user) == learning_agreement.mobility.partner_id)
    )


def can_withdraw_equivalence(user, equivalence) -> bool:
    """Withdraw or offer again a course-equivalence entry: the office and the coordinators of its school."""
    return acts_for_unit(user, equivalence.home_unit_id)


def can_manage_conversion_tables(user) -> bool:
    return is_office(user) or bool(acted_unit_ids(user))


def can_see_balance(user) -> bool:
    return can_read_university(user) or bool(acted_unit_ids(user))
