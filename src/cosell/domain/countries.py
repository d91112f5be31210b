"""HubSpot's free-text company country → the ISO 3166 alpha-2 code Partner Central takes.

Two-letter codes pass through (checked against Partner Central's list by the mapper); English names and
common aliases of the countries most partners sell in are translated. Anything else is reported to the rep
with the fix ("use the two-letter code").
"""

from __future__ import annotations

import re

_ALIASES = {
    "united states": "US", "united states of america": "US", "usa": "US", "u.s.": "US", "u.s.a.": "US",
    "america": "US", "united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "canada": "CA", "mexico": "MX",
    "brazil": "BR", "brasil": "BR", "argentina": "AR", "chile": "CL", "colombia": "CO", "peru": "PE",
    "germany": "DE", "deutschland": "DE", "france": "FR", "spain": "ES", "españa": "ES", "italy": "IT",
    "italia": "IT", "netherlands": "NL", "the netherlands": "NL", "holland": "NL", "belgium": "BE",
    "luxembourg": "LU", "switzerland": "CH", "austria": "AT", "ireland": "IE", "portugal": "PT",
    "sweden": "SE", "norway": "NO", "denmark": "DK", "finland": "FI", "iceland": "IS", "poland": "PL",
    "czech republic": "CZ", "czechia": "CZ", "slovakia": "SK", "hungary": "HU", "romania": "RO",
    "bulgaria": "BG", "greece": "GR", "croatia": "HR", "slovenia": "SI", "serbia": "RS", "estonia": "EE",
    "latvia": "LV", "lithuania": "LT", "ukraine": "UA", "turkey": "TR", "türkiye": "TR", "israel": "IL",
    "united arab emirates": "AE", "uae": "AE", "saudi arabia": "SA", "qatar": "QA", "kuwait": "KW",
    "bahrain": "BH", "oman": "OM", "egypt": "EG", "south africa": "ZA", "nigeria": "NG", "kenya": "KE",
    "morocco": "MA", "india": "IN", "pakistan": "PK", "bangladesh": "BD", "sri lanka": "LK", "china": "CN",
    "hong kong": "HK", "taiwan": "TW", "japan": "JP", "south korea": "KR", "korea": "KR",
    "republic of korea": "KR", "singapore": "SG", "malaysia": "MY", "indonesia": "ID", "thailand": "TH",
    "vietnam": "VN", "viet nam": "VN", "philippines": "PH", "australia": "AU", "new zealand": "NZ",
}  # fmt: skip
_THREE_LETTER = {
    "USA": "US", "GBR": "GB", "CAN": "CA", "MEX": "MX", "BRA": "BR", "DEU": "DE", "FRA": "FR", "ESP": "ES",
    "ITA": "IT", "NLD": "NL", "BEL": "BE", "CHE": "CH", "AUT": "AT", "IRL": "IE", "PRT": "PT", "SWE": "SE",
    "NOR": "NO", "DNK": "DK", "FIN": "FI", "POL": "PL", "ISR": "IL", "ARE": "AE", "SAU": "SA", "ZAF": "ZA",
    "IND": "IN", "CHN": "CN", "JPN": "JP", "KOR": "KR", "SGP": "SG", "AUS": "AU", "NZL": "NZ",
}  # fmt: skip


def country_code(country: str) -> str | None:
    """The alpha-2 code for a country as people type it, or None when it is not recognised."""
    text = " ".join(country.split())
    if re.fullmatch(r"[A-Za-z]{2}", text):
        return text.upper()
    if re.fullmatch(r"[A-Za-z]{3}", text) and text.upper() in _THREE_LETTER:
        return _THREE_LETTER[text.upper()]
    return _ALIASES.get(text.lower())


# Countries whose addresses have no postal code: AWS's own list (aws-samples/partner-crm-integration-samples,
# opportunity-samples/CountriesWithoutPostalCode.csv); a submission needs a postal code everywhere else.
COUNTRIES_WITHOUT_POSTAL_CODE = frozenset(
    [
        "AE",
        "AG",
        "AN",
        "AO",
        "AW",
        "BF",
        "BI",
        "BJ",
        "BO",
        "BQ",
        "BS",
        "BW",
        "BZ",
        "CF",
        "CG",
        "CI",
        "CK",
        "CM",
        "CW",
        "DJ",
        "DM",
        "ER",
        "FJ",
        "GD",
        "GH",
        "GM",
        "GQ",
        "GY",
        "HK",
        "HM",
        "KI",
        "KM",
        "KN",
        "LY",
        "ML",
        "MO",
        "MR",
        "MW",
        "NR",
        "NU",
        "QA",
        "RW",
        "SB",
        "SC",
        "SH",
        "SL",
        "SR",
        "ST",
        "SY",
        "TF",
        "TG",
        "TK",
        "TL",
        "TO",
        "TV",
        "UG",
        "VU",
        "YE",
        "ZW",
    ]
)
