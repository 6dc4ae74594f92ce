"""Incentive models (split by feature; import them from `incentives.models`)."""

from incentives.models.ledger import Account, JournalEntry, JournalLine
from incentives.models.mdf import (
    MdfAllocation,
    MdfClaim,
    MdfFund,
    MdfRequest,
    MdfRequestDeal,
    MdfTierRule,
    ProofFile,
    proof_path,
)
from incentives.models.spif import (
    PayoutBatch,
    SpifAccrual,
    SpifBand,
    SpifProgram,
    SpifProgramPartnerType,
    SpifProgramProduct,
    SpifProgramTier,
)

__all__ = [
    "Account", "JournalEntry", "JournalLine", "MdfAllocation", "MdfClaim", "MdfFund", "MdfRequest", "MdfRequestDeal",
    "MdfTierRule", "PayoutBatch", "ProofFile", "SpifAccrual", "SpifBand", "SpifProgram", "SpifProgramPartnerType",
    "SpifProgramProduct", "SpifProgramTier", "proof_path",
]
