"""People pages: list and person page, person and document forms, logged reads, access log, self-service."""

from meridian.people.views.access_log import access_log, access_log_export
from meridian.people.views.documents import (
    document_create,
    document_delete,
    document_edit,
    document_reveal,
    scan_download,
    scan_upload,
)
from meridian.people.views.people import my_record, person_create, person_detail, person_edit, person_list
from meridian.people.views.self_service import link_issue, link_revoke, self_service

__all__ = [
    "access_log",
    "access_log_export",
    "document_create",
    "document_delete",
    "document_edit",
    "document_reveal",
    "link_issue",
    "link_revoke",
    "my_record",
    "person_create",
    "person_detail",
    "person_edit",
    "person_list",
    "scan_download",
    "scan_upload",
    "self_service",
]
