"""Choices of the visitors context: visits and their guests, programme, budget, hosting standards,
invitations, accommodation registration, lectures, and foreign experts' hiring cases, permits and
documents."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNDER_REVIEW = "under_review", _("Under approval")
    APPROVED = "approved", _("Approved")
    INVITATION_ISSUED = "invitation_issued", _("Invitation issued")
    VISA_CONFIRMED = "visa_confirmed", _("Visa confirmed")
    ARRIVED = "arrived", _("Guests arrived")
    HOSTED = "hosted", _("Hosted")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class VisitCategory(models.TextChoices):
    GENERAL = "general", _("General visit")
    RETURNING_EXPERT = "returning_expert", _("Returning contracted expert")
    OFFICIAL_DELEGATION = "official_delegation", _("Official or government delegation")
    VISITING_SCHOLAR = "visiting_scholar", _("Visiting scholar giving lectures")
    NEGOTIATION = "negotiation", _("Partner negotiation or signing")
    CONFERENCE_GUEST = "conference_guest", _("Conference guest")


class GuestRank(models.TextChoices):
    """The guest's standing, which sets the level of the leader who receives them (hosting standards: the
    receiving leader's rank follows the guest's; design note, "Visitors and invitations").
    Ordered high to low."""

    MINISTER = "minister", _("Minister, ambassador or university president")
    VICE_MINISTER = "vice_minister", _("Vice-minister or vice-president")
    DIRECTOR = "director", _("Dean, director or department head")
    PROFESSOR = "professor", _("Professor or senior expert")
    OTHER = "other", _("Other guest")


class ReceptionLevel(models.TextChoices):
    """Who receives the guests, highest first."""

    UNIVERSITY_HEAD = "university_head", _("University president or party secretary")
    UNIVERSITY_LEADER = "university_leader", _("Vice-president (university leader)")
    OFFICE_HEAD = "office_head", _("Head of the International Office")
    UNIT_LEADER = "unit_leader", _("Dean or head of the host unit")
    HOST = "host", _("The host (faculty member)")


# Numeric standing of ranks and levels, high = senior; the rule pack compares them.
GUEST_RANK_ORDER = {"minister": 5, "vice_minister": 4, "director": 3, "professor": 2, "other": 1}
RECEPTION_LEVEL_ORDER = {
    "university_head": 5,
    "university_leader": 4,
    "office_head": 3,
    "unit_leader": 2,
    "host": 1,
}


class ProgrammeKind(models.TextChoices):
    MEETING = "meeting", _("Meeting or talks")
    LECTURE = "lecture", _("Lecture or seminar")
    LAB_VISIT = "lab_visit", _("Laboratory or campus visit")
    SIGNING = "signing", _("Signing ceremony")
    CULTURAL = "cultural", _("Cultural programme")
    MEAL = "meal", _("Meal or banquet")
    TRANSFER = "transfer", _("Arrival, departure or transfer")
    OTHER = "other", _("Other")


class BudgetKind(models.TextChoices):
    ACCOMMODATION = "accommodation", _("Accommodation")
    MEALS = "meals", _("Meals")
    TRANSPORT = "transport", _("Transport")
    HONORARIA = "honoraria", _("Honoraria")
    GIFTS = "gifts", _("Gifts")
    OTHER = "other", _("Other")


class StandardBasis(models.TextChoices):
    """What a hosting-standard cap counts: per guest per day, per guest for the visit, or per visit."""

    PER_PERSON_DAY = "per_person_day", _("per guest per day")
    PER_PERSON = "per_person", _("per guest")
    PER_VISIT = "per_visit", _("per visit")


class InvitationKind(models.TextChoices):
    """How the visa invitation is issued (design note, "Visitors and invitations")."""

    NONE = "none", _("No visa invitation needed")
    LETTER = "letter", _("Invitation letter of the university")
    AUTHORISED = "authorised", _("Invitation letter of an authorised unit (被授权单位邀请函)")
    VERIFICATION = (
        "verification",
        _("Invitation verification through the foreign-affairs office (邀请核实单)"),
    )


class AccommodationKind(models.TextChoices):
    ON_CAMPUS = "on_campus", _("On-campus guest house")
    HOTEL = "hotel", _("Hotel (registers its guests itself)")
    PRIVATE = "private", _("Private residence")
    NONE = "none", _("No overnight stay")


class VisitFileKind(models.TextChoices):
    REQUEST = "request", _("Request or invitation correspondence")
    VISA = "visa", _("Visa copy")
    PHOTO = "photo", _("Photo of the visit")
    OTHER = "other", _("Other")


class GuestFileKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    CV = "cv", _("CV document")
    OTHER = "other", _("Other")


class RegistrationReason(models.TextChoices):
    """Why an accommodation registration with the police is due (24 hours after arrival, 10 days after a new
    passport or visa; design note, "Visitors and invitations")."""

    ARRIVAL = "arrival", _("Arrival")
    ADDRESS_CHANGE = "address_change", _("Change of address")
    NEW_DOCUMENT = "new_document", _("New passport or visa")


class RegistrationState(models.TextChoices):
    OPEN = "open", _("To register")
    REGISTERED = "registered", _("Registered")
    BY_HOTEL = "by_hotel", _("Registered by the hotel")
    WAIVED = "waived", _("Not needed")


class LectureReview(models.TextChoices):
    NOT_NEEDED = "not_needed", _("No review needed")
    PENDING = "pending", _("Outline under review")
    APPROVED = "approved", _("Outline approved")
    REJECTED = "rejected", _("Outline not approved")


class LectureState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


# --- foreign experts -----------------------------------------------------------------------------------


class ExpertState(models.TextChoices):
    NEED = "need", _("Position open")
    CANDIDATE = "candidate", _("Candidate chosen")
    QUALIFIED = "qualified", _("Qualifications checked")
    PERMIT_APPLIED = "permit_applied", _("Work permit applied for")
    PERMIT_ISSUED = "permit_issued", _("Work permit notice issued")
    VISA_NOTICE = "visa_notice", _("Visa notification issued")
    ARRIVED = "arrived", _("Arrived in China")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit issued")
    EMPLOYED = "employed", _("Employed")
    CHANGE_FILED = "change_filed", _("Change reported")
    RENEWAL = "renewal", _("Renewal under way")
    LEFT = "left", _("Left")
    CANCELLED = "cancelled", _("Cancelled")


class PermitCategory(models.TextChoices):
    """Foreigner's work permit categories (外国人来华工作许可): A high-end talent, B professionals,
    C others."""

    A = "A", _("A: high-end talent")
    B = "B", _("B: professional")
    C = "C", _("C: other")


class Degree(models.TextChoices):
    NONE = "none", _("No degree")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")


DEGREE_ORDER = {"none": 0, "bachelor": 1, "master": 2, "doctorate": 3}


class ExpertKind(models.TextChoices):
    EXPERT = "expert", _("Foreign expert")
    TEACHER = "teacher", _("Foreign language teacher")
    POSTDOC = "postdoc", _("Postdoctoral researcher")


class ExpertDocumentKind(models.TextChoices):
    DEGREE = "degree", _("Degree certificate")
    CRIMINAL_RECORD = "criminal_record", _("Criminal record certificate")
    HEALTH_CHECK = "health_check", _("Health check")
    CONTRACT = "contract", _("Employment contract")
    CV = "cv", _("CV")
    EXPERIENCE = "experience", _("Proof of work experience")
    WORK_PERMIT = "work_permit", _("Work permit")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    OTHER = "other", _("Other")


# The documents a work-permit application needs (checklist on the hiring page).
REQUIRED_EXPERT_DOCUMENTS = ("degree", "criminal_record", "health_check", "contract")


class ExpertChangeKind(models.TextChoices):
    POSITION = "position", _("Position or duties")
    EMPLOYER_UNIT = "employer_unit", _("Host unit")
    PASSPORT = "passport", _("Passport")
    ADDRESS = "address", _("Address")
    PERSONAL = "personal", _("Name or personal data")
    OTHER = "other", _("Other")
