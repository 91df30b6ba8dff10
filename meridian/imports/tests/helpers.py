"""A sample partners file for the hub's end-to-end tests (English headers).

The hub knows the partners kind only through the registry, so the sample is written out here; files are
built from it with ``meridian.core.tabular.tests.helpers``.
"""

from __future__ import annotations

PARTNER_HEADERS_EN = [
    "Name",
    "English name",
    "Chinese name",
    "Type",
    "Country",
    "City",
    "Website",
    "ROR ID",
    "Status",
    "Tags",
    "Public",
    "Latitude",
    "Longitude",
]
PARTNER_ROWS = [
    [
        "Ruprecht-Karls-Universität Heidelberg",
        "Heidelberg University",
        "海德堡大学",
        "University",
        "DE",
        "Heidelberg",
        "https://www.uni-heidelberg.de",
        "038t36y30",
        "Active",
        "Erasmus; Europe",
        "yes",
        "49.398750",
        "8.672434",
    ],
    [
        "Sorbonne Université",
        "Sorbonne University",
        "索邦大学",
        "university",
        "France",
        "Paris",
        "https://www.sorbonne-universite.fr",
        "",
        "prospect",
        "",
        "no",
        "",
        "",
    ],
]
