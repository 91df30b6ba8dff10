from django import template

from meridian.sso.conf import ProviderInfo, configured_providers

register = template.Library()


@register.simple_tag
def sso_providers() -> list[ProviderInfo]:
    """The configured campus providers, for the sign-in buttons (empty while single sign-on is off)."""
    return configured_providers()
