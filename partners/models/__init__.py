"""Partner program models (split by feature; import them from `partners.models`)."""

from partners.models.agreements import Agreement, AgreementAcceptance, content_hash
from partners.models.imports import PartnerImport, PartnerImportError, import_file_path
from partners.models.onboarding import OnboardingPath, OnboardingStep, PartnerOnboarding, StepCompletion
from partners.models.partner import Partner, PartnerUserObjectPermission, TierChange, partner_logo_path
from partners.models.program import IdealPartnerProfile, IdealProfileCriterion, PartnerType, Tier
from partners.models.recruitment import PartnerApplication, hash_token
from partners.models.settings import PartnerSettings

__all__ = [
    "Agreement", "AgreementAcceptance", "IdealPartnerProfile", "IdealProfileCriterion", "OnboardingPath",
    "OnboardingStep", "Partner", "PartnerApplication", "PartnerImport", "PartnerImportError", "PartnerOnboarding",
    "PartnerSettings", "PartnerType", "PartnerUserObjectPermission", "StepCompletion", "Tier", "TierChange",
    "content_hash", "hash_token", "import_file_path", "partner_logo_path",
]
