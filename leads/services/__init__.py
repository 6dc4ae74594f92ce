"""Lead services (writes). One function per business action, keyword-only, transactional."""

from leads.services.convert import ConversionConflict, conversion_conflicts, lead_convert  # noqa: F401
from leads.services.create import lead_create, validate_lead  # noqa: F401
from leads.services.routing import RoutingResult, leads_route  # noqa: F401
from leads.services.sweep import lead_sweep  # noqa: F401
from leads.services.workflow import (  # noqa: F401
    lead_accept,
    lead_assign,
    lead_capacity_set,
    lead_decline,
    lead_reassign,
    lead_status_update,
)
