"""Models of the content app: the asset library and training (courses, quizzes, certifications)."""

from content.models.assets import (  # noqa: F401
    Asset,
    AssetPartnerType,
    AssetVersion,
    Category,
    LibraryVisit,
)
from content.models.audience import AudienceRules, PartnerRole  # noqa: F401
from content.models.training import (  # noqa: F401
    Certification,
    Choice,
    Course,
    CoursePartnerType,
    Module,
    ModuleCompletion,
    Question,
    QuizAttempt,
)
