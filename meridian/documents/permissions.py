"""Who may edit templates, generate, view, download and revoke documents.

- Templates: administrators only (editing a template changes every future official document).
- Generating, viewing and downloading: decided by the document's source (the case context) through
  ``can_generate(user, case)`` and ``can_view(user, case)``; everyone else gets 404.
- Revoking: officers and administrators who may view the document.
- Batches (regenerating for many cases): officers and administrators; each case is still checked.
- Verifying: anyone with the full verification address, without signing in.
"""

from __future__ import annotations

from typing import Any

from meridian.accounts.permissions import can_write_university, is_administrator
from meridian.documents.sources import sources


def can_manage_templates(user: Any) -> bool:
    return is_administrator(user)


def can_generate(user: Any, subject: Any, source_key: str | None = None) -> bool:
    source = sources.get(source_key) if source_key else sources.for_object(subject)
    return source is not None and bool(source.can_generate(user, subject))


def can_view_documents_of(user: Any, subject: Any, source_key: str | None = None) -> bool:
    source = sources.get(source_key) if source_key else sources.for_object(subject)
    return source is not None and bool(source.can_view(user, subject))


def can_view_document(user: Any, document: Any) -> bool:
    subject = document.subject
    return (
        subject is not None
        and document.source in sources
        and can_view_documents_of(user, subject, document.source)
    )


def can_revoke_document(user: Any, document: Any) -> bool:
    return not document.is_revoked and can_write_university(user) and can_view_document(user, document)


def can_run_batches(user: Any) -> bool:
    return can_write_university(user)
