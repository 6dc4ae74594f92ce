"""Writes of the content app (one function per business action, keyword-only, transactional)."""

from content.services.assets import (  # noqa: F401
    asset_add_version,
    asset_record_download,
    asset_record_view,
    asset_save,
    library_visit_touch,
)
from content.services.training import (  # noqa: F401
    QuizClosed,
    certification_award,
    certification_revoke,
    certifications_expire_and_remind,
    course_save,
    module_complete,
    quiz_submit,
)
