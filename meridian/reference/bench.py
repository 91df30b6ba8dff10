"""A large synthetic institution registry, for measuring look-up speed (`make bench`)."""

from __future__ import annotations

import random

from django.db import transaction

from meridian.core.text import fold
from meridian.reference.folding import search_name
from meridian.reference.models import (
    Country,
    Institution,
    InstitutionDomain,
    InstitutionName,
    InstitutionToken,
)
from meridian.reference.tokens import name_tokens

_SYLLABLES = [
    "ber",
    "lin",
    "mar",
    "ko",
    "sa",
    "ta",
    "ni",
    "vel",
    "dor",
    "ha",
    "mi",
    "ra",
    "zen",
    "lo",
    "qui",
    "to",
    "an",
    "el",
    "stra",
    "bu",
    "go",
    "ri",
    "nes",
    "cal",
    "por",
    "vi",
    "den",
    "ul",
    "sha",
    "jin",
    "hua",
    "kyo",
]
_PATTERNS = [
    ("University of {city}", "U{c}"),
    ("{city} University", "{c}U"),
    ("{city} University of Technology", "{c}UT"),
    ("Technical University of {city}", "TU{c}"),
    ("{city} Institute of Science and Technology", "{c}IST"),
    ("Universidad de {city}", "U{c}"),
    ("Université de {city}", "U{c}"),
    ("Universität {city}", "U{c}"),
    ("{city} College of Arts", "{c}CA"),
    ("{city} Medical University", "{c}MU"),
    ("{city} School of Economics", "{c}SE"),
    ("Academy of Music {city}", "AM{c}"),
]
_ZH_CITIES = ["北京", "上海", "南京", "武汉", "成都", "西安", "广州", "杭州", "天津", "重庆"]
_ZH_KINDS = ["大学", "理工大学", "师范大学", "医科大学", "财经大学"]
BATCH = 5000


def _city(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def _ror_id(number: int) -> str:
    """A unique ROR-shaped identifier ("0" + six base-36 characters + two digits)."""
    digits = ""
    for _ in range(6):
        number, rest = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[rest] + digits
    return f"0{digits}99"


@transaction.atomic
def build_synthetic_registry(n: int, seed: int = 1) -> int:
    """Bulk-create n synthetic institutions with names, tokens and domains; returns how many were made."""
    rng = random.Random(seed)
    countries = list(Country.objects.values_list("code", flat=True)) or [None]
    start = Institution.objects.count()
    made = 0
    while made < n:
        size = min(BATCH, n - made)
        batch, extras = [], []
        for i in range(made, made + size):
            city = _city(rng)
            pattern, acronym = rng.choice(_PATTERNS)
            name = pattern.format(city=city)
            slug = f"{fold(city)}{start + i}"
            domain = f"{slug}.{rng.choice(['edu', 'ac.uk', 'de', 'fr', 'edu.cn', 'ac.jp', 'es'])}"
            batch.append(
                Institution(
                    name=name,
                    country_id=rng.choice(countries),
                    city=city,
                    latitude=round(rng.uniform(-60, 70), 5),
                    longitude=round(rng.uniform(-180, 180), 5),
                    website=f"https://www.{domain}/",
                    ror_id=_ror_id(start + i) if i % 3 == 0 else None,
                    pic=str(900000000 + start + i) if i % 4 == 0 else None,
                    sources="ror",
                )
            )
            names = [("name", name), ("acronym", acronym.format(c=city[0]))]
            if i % 10 == 0:
                names.append(("label", rng.choice(_ZH_CITIES) + rng.choice(_ZH_KINDS) + str(i % 97)))
            extras.append((names, domain))
        Institution.objects.bulk_create(batch, batch_size=BATCH)
        name_rows, token_rows, domain_rows = [], [], []
        for inst, (names, domain) in zip(batch, extras, strict=True):
            for kind, value in names:
                name_rows.append(
                    InstitutionName(
                        institution=inst, kind=kind, value=value, normalised=search_name(value), source="ror"
                    )
                )
            token_rows += [
                InstitutionToken(institution=inst, token=t, source="ror") for t in name_tokens(names)
            ]
            domain_rows.append(InstitutionDomain(institution=inst, domain=domain, source="ror"))
        InstitutionName.objects.bulk_create(name_rows, batch_size=BATCH)
        InstitutionToken.objects.bulk_create(token_rows, batch_size=BATCH)
        InstitutionDomain.objects.bulk_create(domain_rows, batch_size=BATCH)
        made += size
    return made
