"""Staff pages of the partner registry: list and export, the 360° page, forms, merge, contacts and units."""

from meridian.partners.views.lists import partner_export, partner_list_view
from meridian.partners.views.records import (
    partner_create_view,
    partner_detail_view,
    partner_edit_view,
    partner_merge_view,
)
from meridian.partners.views.registry import partner_registry_match_view
from meridian.partners.views.related import (
    contact_add,
    contact_delete,
    contact_edit,
    unit_add,
    unit_delete,
    unit_edit,
)
from meridian.partners.views.search import partner_search_view

__all__ = [
    "contact_add",
    "contact_delete",
    "contact_edit",
    "partner_create_view",
    "partner_detail_view",
    "partner_edit_view",
    "partner_export",
    "partner_list_view",
    "partner_merge_view",
    "partner_registry_match_view",
    "partner_search_view",
    "unit_add",
    "unit_delete",
    "unit_edit",
]
