"""Deal services (writes). One function per business action, keyword-only, transactional."""

from deals.services.expiry import expire_deals  # noqa: F401
from deals.services.lifecycle import (  # noqa: F401
    deal_mark_lost,
    deal_mark_won,
    deal_partner_add,
    deal_partner_remove,
    deal_revert_won,
    extension_decide,
    extension_request,
    protection_nightly,
    won_revenue,
)
from deals.services.reference import currency_rate_saved, house_account_delete, house_accounts_import  # noqa: F401
from deals.services.registration import (  # noqa: F401
    deal_register,
    deal_respond,
    deal_update,
    may_register,
    possible_conflict,
    registration_options,
    validate_registration,
)
from deals.services.review import (  # noqa: F401
    appeal_decide,
    deal_appeal,
    deal_approve,
    deal_reject,
    deal_request_info,
    deals_bulk_decide,
    protection_days,
    sla_sweep,
)
