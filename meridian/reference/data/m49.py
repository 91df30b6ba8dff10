"""UN M49 geographic regions: which sub-region each ISO 3166-1 country or territory belongs to.

Babel bundles CLDR territory names but not territory containment, so the grouping is written down here.
English names are the UN M49 names; Chinese names come from CLDR (the M49 codes are CLDR territories).
Antarctica belongs to no region. Kosovo (XK, a code ISO 3166 leaves to user assignment and that the EU,
CLDR, ROR and the Erasmus programme use) is not listed by M49; CLDR places it in Southern Europe, as here.
"""

# region code → UN M49 English name
REGIONS: dict[str, str] = {
    "002": "Africa",
    "019": "Americas",
    "142": "Asia",
    "150": "Europe",
    "009": "Oceania",
}

# sub-region code → (region code, UN M49 English name)
SUBREGIONS: dict[str, tuple[str, str]] = {
    "015": ("002", "Northern Africa"),
    "202": ("002", "Sub-Saharan Africa"),
    "419": ("019", "Latin America and the Caribbean"),
    "021": ("019", "Northern America"),
    "143": ("142", "Central Asia"),
    "030": ("142", "Eastern Asia"),
    "035": ("142", "South-eastern Asia"),
    "034": ("142", "Southern Asia"),
    "145": ("142", "Western Asia"),
    "151": ("150", "Eastern Europe"),
    "154": ("150", "Northern Europe"),
    "039": ("150", "Southern Europe"),
    "155": ("150", "Western Europe"),
    "053": ("009", "Australia and New Zealand"),
    "054": ("009", "Melanesia"),
    "057": ("009", "Micronesia"),
    "061": ("009", "Polynesia"),
}

# sub-region code → ISO 3166-1 alpha-2 codes of its members
_MEMBERS: dict[str, str] = {
    "015": "DZ EG LY MA SD TN EH",
    "202": (
        "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW "  # Eastern Africa
        "AO CM CF TD CG CD GQ GA ST "  # Middle Africa
        "BW SZ LS NA ZA "  # Southern Africa
        "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG"  # Western Africa
    ),
    "419": (
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI "  # Caribbean
        "BZ CR SV GT HN MX NI PA "  # Central America
        "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE"  # South America
    ),
    "021": "BM CA GL PM US",
    "143": "KZ KG TJ TM UZ",
    "030": "CN HK MO KP JP MN KR TW",
    "035": "BN KH ID LA MY MM PH SG TH TL VN",
    "034": "AF BD BT IN IR MV NP PK LK",
    "145": "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE",
    "151": "BY BG CZ HU PL MD RO RU SK UA",
    "154": "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB",
    "039": "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES XK",
    "155": "AT BE FR DE LI LU MC NL CH",
    "053": "AU CX CC HM NZ NF",
    "054": "FJ NC PG SB VU",
    "057": "GU KI MH FM NR MP PW UM",
    "061": "AS CK PF NU PN WS TK TO TV WF",
}

# Countries and territories of ISO 3166-1 that belong to no M49 region.
UNGROUPED: tuple[str, ...] = ("AQ",)

SUBREGION_OF: dict[str, str] = {code: sub for sub, members in _MEMBERS.items() for code in members.split()}

ISO_CODES: tuple[str, ...] = tuple(sorted([*SUBREGION_OF, *UNGROUPED]))

# CLDR also lists withdrawn ISO codes as aliases of today's code; these are the codes in force.
CURRENT_CODES: dict[str, tuple[str, str]] = {
    "CD": ("COD", "180"),
    "DE": ("DEU", "276"),
    "ET": ("ETH", "231"),
    "FR": ("FRA", "250"),
    "MM": ("MMR", "104"),
    "SD": ("SDN", "729"),
    "TL": ("TLS", "626"),
    "YE": ("YEM", "887"),
    # Kosovo has no ISO alpha-3 or numeric code; XKX is the alpha-3 code the EU and most registries use.
    "XK": ("XKX", ""),
}
