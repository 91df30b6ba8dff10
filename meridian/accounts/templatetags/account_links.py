"""Which of the account links in the top bar a user may use."""

from django import template

from meridian.accounts.permissions import is_internal

register = template.Library()


@register.filter
def may_use_api(user) -> bool:
    """``{% if user|may_use_api %}``: whether ``user`` works with the REST API (university staff, the same
    people who see the API documentation in the navigation), so that the "API tokens" link is shown only to
    them. Students and partner contacts use their portals instead."""
    return is_internal(user)
