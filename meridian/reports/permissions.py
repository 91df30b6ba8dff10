"""Who may download which report: each dataset decides (``ReportDataset.visible(user)``) and its rows are
already restricted to what the user may see. The reports page exists for users with at least one dataset."""

from __future__ import annotations

from meridian.core.registry import ReportDataset, registry


def datasets_for(user) -> list[ReportDataset]:
    """The datasets `user` may download, in registry order."""
    if user is None or not user.is_authenticated:
        return []
    return [entry for entry in registry.report_datasets if entry.visible(user)]


def can_see_reports(user) -> bool:
    return bool(datasets_for(user))


def can_download(user, key: str) -> bool:
    return any(entry.key == key for entry in datasets_for(user))
