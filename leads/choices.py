"""Fixed vocabularies of leads: industries, company sizes, sources, and each country's region."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

INDUSTRIES = [
    ("agriculture", _("Agriculture")),
    ("automotive", _("Automotive")),
    ("education", _("Education")),
    ("energy", _("Energy and utilities")),
    ("financial", _("Financial services")),
    ("government", _("Government")),
    ("healthcare", _("Healthcare")),
    ("hospitality", _("Hospitality")),
    ("logistics", _("Transport and logistics")),
    ("manufacturing", _("Manufacturing")),
    ("media", _("Media and entertainment")),
    ("nonprofit", _("Non-profit")),
    ("professional", _("Professional services")),
    ("retail", _("Retail")),
    ("technology", _("Technology")),
    ("telecom", _("Telecommunications")),
    ("other", _("Other")),
]
INDUSTRY_CODES = frozenset(code for code, _label in INDUSTRIES)

SIZES = [
    ("1-49", _("1–49 employees")),
    ("50-249", _("50–249 employees")),
    ("250-999", _("250–999 employees")),
    ("1000-4999", _("1,000–4,999 employees")),
    ("5000+", _("5,000 employees or more")),
]
SIZE_CODES = frozenset(code for code, _label in SIZES)

# Countries outside EMEA by region (ISO 3166-1 alpha-2); every other country is EMEA, the region
# partners.choices.REGIONS names for Europe, the Middle East and Africa.
_NA = {"US", "CA", "PM", "BM", "GL", "UM"}
_LATAM = {
    "MX", "GT", "BZ", "SV", "HN", "NI", "CR", "PA", "CU", "DO", "HT", "JM", "PR", "BS", "BB", "TT", "AG", "DM",
    "GD", "KN", "LC", "VC", "AW", "CW", "SX", "BQ", "KY", "TC", "VG", "VI", "AI", "MS", "GP", "MQ", "BL", "MF",
    "CO", "VE", "EC", "PE", "BO", "BR", "PY", "UY", "AR", "CL", "GY", "SR", "GF", "FK",
}
_APAC = {
    "CN", "HK", "MO", "TW", "JP", "KR", "KP", "MN", "IN", "PK", "BD", "LK", "NP", "BT", "MV", "AF", "ID", "MY",
    "SG", "TH", "VN", "PH", "KH", "LA", "MM", "BN", "TL", "AU", "NZ", "PG", "FJ", "SB", "VU", "NC", "PF", "WS",
    "TO", "KI", "TV", "NR", "FM", "MH", "PW", "GU", "MP", "AS", "CK", "NU", "TK", "WF", "NF", "CX", "CC", "HM",
    "KZ", "KG", "TJ", "TM", "UZ", "PN", "IO",
}


def region_for_country(country: str) -> str:
    """'DE' -> 'EMEA', 'BR' -> 'LATAM'; '' for no country."""
    code = (country or "").upper()
    if not code:
        return ""
    if code in _NA:
        return "NA"
    if code in _LATAM:
        return "LATAM"
    if code in _APAC:
        return "APAC"
    return "EMEA"
