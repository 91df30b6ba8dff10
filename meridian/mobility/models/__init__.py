"""Student exchange (学生交流): cooperation conditions on agreements, calls, applications, selection and seat
allocation, nominations and mobilities in both directions, learning agreements and credit recognition.

Each module holds one area's models; this package exports them all. Academic years are stored as the year they
start in (2026 = 2026/2027; ``academic_year_label``). Credits are ECTS unless the row says otherwise;
months are calendar months (decimal, one place).
"""

from meridian.mobility.models.applications import (
    Application,
    ApplicationFile,
    ApplicationMessage,
    ApplicationPreference,
)
from meridian.mobility.models.base import academic_year_label, private_storage
from meridian.mobility.models.calls import Call, CallCriterion, CallDestination, CallQuestion, CallReviewer
from meridian.mobility.models.conditions import ConditionLanguage, CooperationCondition, PartnerFactsheet
from meridian.mobility.models.learning import CourseEquivalence, LearningAgreement, LearningAgreementCourse
from meridian.mobility.models.mobilities import Mobility, MobilityFile
from meridian.mobility.models.recognition import CourseResult, GradeConversionRow, GradeConversionTable
from meridian.mobility.models.selection import AllocationRun, Review, ReviewConflict

__all__ = [
    "AllocationRun",
    "Application",
    "ApplicationFile",
    "ApplicationMessage",
    "ApplicationPreference",
    "Call",
    "CallCriterion",
    "CallDestination",
    "CallQuestion",
    "CallReviewer",
    "ConditionLanguage",
    "CooperationCondition",
    "CourseEquivalence",
    "CourseResult",
    "GradeConversionRow",
    "GradeConversionTable",
    "LearningAgreement",
    "LearningAgreementCourse",
    "Mobility",
    "MobilityFile",
    "PartnerFactsheet",
    "Review",
    "ReviewConflict",
    "academic_year_label",
    "private_storage",
]
