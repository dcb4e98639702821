"""The intake's tables: questionnaires and answers, and the kennismakingsgesprek that follows them."""

from vollegym.intake.models.consultations import (
    Availability,
    AvailabilityException,
    Booking,
    BookingClaim,
    CoachCalendar,
    ConsultationType,
)
from vollegym.intake.models.questionnaires import (
    IntakeResponse,
    Questionnaire,
    QuestionnaireVersion,
    new_token,
)

__all__ = [
    "Availability",
    "AvailabilityException",
    "Booking",
    "BookingClaim",
    "CoachCalendar",
    "ConsultationType",
    "IntakeResponse",
    "Questionnaire",
    "QuestionnaireVersion",
    "new_token",
]
