"""``{% city_name country_code city %}``: a city in the reader's language (``selectors.city_name``)."""

from __future__ import annotations

from django import template

from meridian.reference.selectors import city_name as _city_name

register = template.Library()


@register.simple_tag
def city_name(country_code: str | None, city: str | None) -> str:
    """The city's Chinese name on Chinese pages when the place-name table knows it, else the stored city."""
    return _city_name(country_code, city)
