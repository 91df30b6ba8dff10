"""Domain errors raised by services; views and the API turn them into clear messages."""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """A rule of the domain refused the request; `message` is shown to the user as it is."""

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class PermissionDeniedError(DomainError):
    code = "permission_denied"


class TransitionError(DomainError):
    code = "illegal_transition"


class DuplicateError(DomainError):
    """A record with the same identity exists already; `existing` is that record."""

    code = "duplicate"

    def __init__(self, message: str, *, existing: object) -> None:
        super().__init__(message)
        self.existing = existing


@dataclass
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass
class StaleEditError(DomainError):
    """Someone else saved the record after this edit began; nothing was overwritten."""

    message: str
    changes: list[FieldChange] = field(default_factory=list)
    changed_by: str = ""
    current_version: int = 0
    code: str = "stale_edit"

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)


class StorageUnavailableError(OSError):
    """The store of documents or media cannot be used now (folder not writable, disk full, object storage
    down or refusing the credentials). Answered with 503 and a message; nothing is saved.

    ``store`` names the store (``"private"`` or ``"default"``), ``reason`` the underlying error for the log.
    A subclass of ``OSError`` so that code already handling file errors keeps doing so.
    """

    def __init__(self, *, store: str, reason: str) -> None:
        super().__init__(f"Storage {store!r} is unavailable: {reason}")
        self.store = store
        self.reason = reason
