"""Agreement pages: the list with its exports, the detail page with its actions, and the edit forms."""

from meridian.agreements.views.detail import (
    agreement_detail,
    agreement_renew,
    agreement_transition,
    document_download,
    document_upload,
)
from meridian.agreements.views.edit import agreement_create, agreement_edit
from meridian.agreements.views.lists import agreement_export, agreement_list

__all__ = [
    "agreement_create",
    "agreement_detail",
    "agreement_edit",
    "agreement_export",
    "agreement_list",
    "agreement_renew",
    "agreement_transition",
    "document_download",
    "document_upload",
]
