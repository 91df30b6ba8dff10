"""The extension registry: how contexts plug into the shared screens without the screens importing them.

Each app fills the registry in its ``AppConfig.ready()``; hubs (navigation, dashboard, partner 360° page,
import
engine, public figures, search, reports) read only from here. ``core`` imports no domain app, so every
entry holds
callables that the registering app supplies and that the hub calls with plain arguments (a user, a partner, a
request).

Usage, in an app's ``apps.py``::

    def ready(self) -> None:
        from meridian.core.registry import NavEntry, registry
        registry.nav.add(NavEntry(key="agreements", label=_("Agreements"), url_name="agreements:list",
                                  visible=can_list_agreements, order=30))

Every slot keeps its entries ordered by ``order`` then ``key``; registering the same key twice in one
slot raises
``ImproperlyConfigured`` (two apps fighting over one menu entry is a configuration error, not a silent
override).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured


def _always(*_args: Any, **_kwargs: Any) -> bool:
    return True


class Keyed(Protocol):
    key: str
    order: int


@dataclass(frozen=True)
class NavEntry:
    """A link in the staff navigation.

    ``visible(user) -> bool`` decides who sees it (a role that cannot use the page never sees the link);
    ``count(user) -> int | None`` optionally shows a badge (for example open tasks); ``active_apps`` are
    the URL
    namespaces in which the entry is marked as the current page.
    """

    key: str
    label: Any
    url_name: str
    visible: Callable[[Any], bool] = _always
    order: int = 100
    active_apps: tuple[str, ...] = ()
    count: Callable[[Any], int | None] | None = None
    url_kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DashboardTile:
    """A tile on the staff dashboard: ``context(user) -> dict`` feeds ``template``."""

    key: str
    title: Any
    template: str
    context: Callable[[Any], dict[str, Any]]
    visible: Callable[[Any], bool] = _always
    order: int = 100


@dataclass(frozen=True)
class PartnerPanel:
    """A panel of the partner 360° page: ``context(partner, user) -> dict`` feeds ``template``."""

    key: str
    title: Any
    template: str
    context: Callable[[Any, Any], dict[str, Any]]
    visible: Callable[[Any, Any], bool] = _always
    order: int = 100


@dataclass(frozen=True)
class ImportKind:
    """A kind of spreadsheet import: ``handler()`` returns the row-handler class (imported lazily).

    ``permission(user) -> bool`` decides who may run it.
    """

    key: str
    label: Any
    handler: Callable[[], Any]
    permission: Callable[[Any], bool] = _always
    order: int = 100


@dataclass(frozen=True)
class PublicFigure:
    """A figure on the public site and a placeholder editors may write as ``{key}``.

    ``compute() -> Any`` reads live data (cached by the portal keyed by the data version);
    ``description`` says
    what exactly is counted, so that two pages never show two different numbers for "partners".
    """

    key: str
    label: Any
    compute: Callable[[], Any]
    description: Any = ""
    order: int = 100


@dataclass(frozen=True)
class CacheWatch:
    """Models whose change renews a cache group's data version: ``models()`` returns model classes."""

    key: str
    group: str
    models: Callable[[], Iterable[type]]
    order: int = 100


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    kind: Any
    detail: str = ""


@dataclass(frozen=True)
class SearchType:
    """A searchable record type: ``search(user, query, limit) -> list[SearchHit]`` returns only visible
    rows."""

    key: str
    label: Any
    search: Callable[[Any, str, int], list[SearchHit]]
    order: int = 100


@dataclass(frozen=True)
class ReportDataset:
    """A dataset for reports and exports: ``rows(user) -> Iterable[dict]`` with keys named by ``columns``."""

    key: str
    label: Any
    columns: tuple[tuple[str, Any], ...]
    rows: Callable[[Any], Iterable[dict[str, Any]]]
    visible: Callable[[Any], bool] = _always
    order: int = 100


@dataclass(frozen=True)
class CaseStarter:
    """A kind of case a user may start from their landing page: ``visible(user) -> bool``."""

    key: str
    label: Any
    url_name: str
    visible: Callable[[Any], bool] = _always
    description: Any = ""
    order: int = 100


@dataclass(frozen=True)
class ScheduledJob:
    """A task the scheduler enqueues periodically: ``task()`` returns the task object (imported lazily).

    It runs every ``every`` (a ``timedelta``), or once a day at local time ``at`` (a ``datetime.time``) when
    given. Scheduled tasks must be idempotent: running one twice changes nothing the second time.
    """

    key: str
    task: Callable[[], Any]
    every: Any = None
    at: Any = None
    order: int = 100


T = TypeVar("T", bound=Keyed)


class Slot(Generic[T]):
    """An ordered, keyed list of entries of one kind."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, T] = {}

    def add(self, entry: T) -> T:
        if entry.key in self._entries:
            raise ImproperlyConfigured(f"{self.name}: the key {entry.key!r} is registered twice.")
        self._entries[entry.key] = entry
        return entry

    def remove(self, key: str) -> None:
        """Take an entry out (tests use it to restore the registry)."""
        self._entries.pop(key, None)

    def get(self, key: str) -> T:
        """The entry with this key; raises ``KeyError`` when none is registered."""
        return self._entries[key]

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[T]:
        return iter(sorted(self._entries.values(), key=lambda e: (e.order, e.key)))

    def __len__(self) -> int:
        return len(self._entries)


class Registry:
    """Every extension point of Meridian, one slot per kind."""

    def __init__(self) -> None:
        self.nav: Slot[NavEntry] = Slot("nav")
        self.dashboard_tiles: Slot[DashboardTile] = Slot("dashboard_tiles")
        self.partner_panels: Slot[PartnerPanel] = Slot("partner_panels")
        self.import_kinds: Slot[ImportKind] = Slot("import_kinds")
        self.public_figures: Slot[PublicFigure] = Slot("public_figures")
        self.cache_watches: Slot[CacheWatch] = Slot("cache_watches")
        self.search_types: Slot[SearchType] = Slot("search_types")
        self.report_datasets: Slot[ReportDataset] = Slot("report_datasets")
        self.case_starters: Slot[CaseStarter] = Slot("case_starters")
        self.scheduled_jobs: Slot[ScheduledJob] = Slot("scheduled_jobs")


registry = Registry()
