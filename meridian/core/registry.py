"""The extension registry: how contexts plug into the shared screens without the screens importing them.

Each app fills the registry in its ``AppConfig.ready()``; hubs (navigation, dashboard, partner 360° page,
import engine, public figures, search, reports) read only from here. ``core`` imports no domain app, so every
entry holds callables that the registering app supplies and that the hub calls with plain arguments (a user,
a partner, a request).

Usage, in an app's ``apps.py``::

    def ready(self) -> None:
        from meridian.core.registry import NavEntry, registry
        registry.nav.add(NavEntry(key="agreements", label=_("Agreements"), url_name="agreements:list",
                                  visible=can_list_agreements, order=30))

Every slot keeps its entries ordered by ``order`` then ``key``; registering the same key twice in one slot
raises ``ImproperlyConfigured`` (two apps fighting over one menu entry is a configuration error, not a silent
override).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model


def _always(*_args: Any, **_kwargs: Any) -> bool:
    return True


class Keyed(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def order(self) -> int: ...


@dataclass(frozen=True)
class NavEntry:
    """A link in the staff navigation.

    ``visible(user) -> bool`` decides who sees it (a role that cannot use the page never sees the link);
    ``count(user) -> int | None`` optionally shows a badge (for example open tasks); ``active_apps`` are
    the URL namespaces in which the entry is marked as the current page (default: the namespace of
    ``url_name``).
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
    """A tile on the staff dashboard: ``context(user) -> dict`` feeds ``template``.

    ``kind`` is ``"card"`` (a section in the grid, rendered with ``template``) or ``"stat"`` (a headline
    figure: ``context(user)`` returns ``{"value": int, "url": str}`` and ``title`` labels it; ``template`` may
    be empty).
    """

    key: str
    title: Any
    template: str
    context: Callable[[Any], dict[str, Any]]
    visible: Callable[[Any], bool] = _always
    order: int = 100
    kind: str = "card"


@dataclass(frozen=True)
class PartnerPanel:
    """A panel of the partner 360° page: ``context(partner, user) -> dict`` feeds ``template``.

    The template renders one ``<section class="card" id="{key}">``; it also sees the page context
    (``partner``, ``detail``, ``can_edit``). ``visible(partner, user) -> bool`` hides the whole panel;
    ``wide`` panels span the page below the grid of narrow ones.
    """

    key: str
    title: Any
    template: str
    context: Callable[[Any, Any], dict[str, Any]]
    visible: Callable[[Any, Any], bool] = _always
    order: int = 100
    wide: bool = False


@dataclass(frozen=True)
class PartnerAction:
    """A button in the partner page's head: ``url(partner) -> str``, shown when ``visible(partner, user)``."""

    key: str
    label: Any
    url: Callable[[Any], str]
    visible: Callable[[Any, Any], bool] = _always
    primary: bool = False
    order: int = 100


@dataclass(frozen=True)
class PartnerListFilter:
    """A filter another context adds to the partner list, API list and export (one filter definition).

    ``field() -> django_filters.Filter`` builds the (unbound) filter, without ``method``;
    ``apply(queryset, value, user) -> QuerySet`` narrows a queryset of partners for a non-empty value, and
    must only consider records the user may see, so that filtering never reveals hidden records.
    """

    key: str
    field: Callable[[], Any]
    apply: Callable[[Any, Any, Any], Any]
    order: int = 100


@dataclass(frozen=True)
class PartnerUnitLink:
    """Another way a partner belongs to one of our units, for the partner list's unit filter.

    ``partner_ids(unit_path, user)`` returns a values-queryset of ids of partners linked to the unit at
    ``unit_path`` or below it, through records the user may see (agreements: their responsible unit).
    """

    key: str
    partner_ids: Callable[[str, Any], Any]
    order: int = 100


@dataclass(frozen=True)
class PartnerRowFacts:
    """Figures another context attaches to partner rows of lists, the API and exports.

    ``attach(partners, user)`` sets attributes on each partner of the list in a fixed number of queries (the
    attributes named in ``defaults`` at least); partners start with ``defaults`` so every row has them.
    The partner list shows them under ``headings`` with ``cells_template`` (one ``<td>`` per heading, the
    row's partner is ``p``); the export adds ``export_columns`` (``(attribute, header)`` pairs).
    """

    key: str
    defaults: dict[str, Any]
    attach: Callable[[list[Any], Any], None]
    order: int = 100
    headings: tuple[Any, ...] = ()
    cells_template: str = ""
    export_columns: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class PartnerMergeHook:
    """Moves another context's links when a duplicate partner is merged away.

    ``merge(source, survivor, actor)`` runs inside the merge transaction with both rows locked;
    ``models()`` lists the models it handles, which the generic move of remaining links then skips;
    ``count(partner) -> int`` with ``label`` adds a row to the merge comparison.
    """

    key: str
    merge: Callable[[Any, Any, Any], None]
    models: Callable[[], Iterable[type[Model]]] = tuple
    label: Any = ""
    count: Callable[[Any], int] | None = None
    order: int = 100


@dataclass(frozen=True)
class PartnerActivitySource:
    """Records whose activity shows on the partner page: ``targets(partner, user) -> {Model: [pk, ...]}``."""

    key: str
    targets: Callable[[Any, Any], dict[type[Model], list[int]]]
    order: int = 100


@dataclass(frozen=True)
class ActivePartnerRule:
    """Another reason a partner counts as active: ``condition() -> Q`` over ``Partner`` rows.

    The partners context owns the definition of "active partner" (its relationship status is active) and ORs
    in every rule registered here (e.g. "party to an active agreement"); ``label`` is the human reading used
    where a figure says what it counts.
    """

    key: str
    label: Any
    condition: Callable[[], Any]
    order: int = 100


@dataclass(frozen=True)
class ActivityFeed:
    """A record type whose activity appears on the dashboard timeline.

    ``model()`` returns the model class; ``url(object_id) -> str`` links an entry to its record. Who reads
    which entries is decided by the model's ``ActivityRule`` (``registry.activity_rules``); a feed whose
    model has no rule shows nothing.
    """

    key: str
    model: Callable[[], type[Model]]
    url: Callable[[int], str]
    order: int = 100


ALL_VERBS = "*"


@dataclass(frozen=True)
class ActivityRule:
    """Who may read activity entries about one model: every surface that lists activity applies it.

    - ``visible_ids(user)``: the records whose activity the user may read at all (their own visibility):
      ``None`` for every record, otherwise a values-queryset (or list) of primary keys.
    - ``internal_verbs``: verbs whose entries carry internal content (contacts and other personal data,
      merges, internal notes, the university's deliberation), or ``ALL_VERBS`` when every entry about the
      model is internal. Entries written with ``internal=True`` are internal whatever their verb.
    - ``internal_ids(user)``: of the visible records, those whose internal entries the user may read: ``True``
      for all of them, ``False`` for none, or a values-queryset (or list) of primary keys. By default nobody.

    Both callables return database conditions, so a list filters in one query however large the table.
    """

    key: str
    model: Callable[[], type[Model]]
    visible_ids: Callable[[Any], Any]
    internal_verbs: tuple[str, ...] | str = ()
    internal_ids: Callable[[Any], Any] = lambda user: False
    order: int = 100

    def is_internal_verb(self, verb: str) -> bool:
        """Whether entries with this verb are internal under this rule."""
        return self.internal_verbs == ALL_VERBS or verb in self.internal_verbs


@dataclass(frozen=True)
class PublicPartnerFacet:
    """A way to narrow and describe public partners on the public directory, supplied by another context.

    ``choices() -> [(value, label)]``; ``partner_ids(value)`` returns a values-queryset of partner ids having
    that value; ``values_for(partner_ids) -> {partner_id: [value, ...]}`` (one query). Only published facts:
    never anything a visitor may not see.
    """

    key: str
    label: Any
    choices: Callable[[], list[tuple[str, Any]]]
    partner_ids: Callable[[str], Any]
    values_for: Callable[[list[int]], dict[int, list[str]]]
    order: int = 100


@dataclass(frozen=True)
class PublicPartnerRecords:
    """Published records listed on a public partner page and counted in the open data feeds.

    ``records(partner_ids) -> {partner_id: [{"title": str, "start": date | None, "end": date | None}]}`` in
    one query; ``feed_field`` names the count in the open data feeds.
    """

    key: str
    label: Any
    records: Callable[[list[int]], dict[int, list[dict[str, Any]]]]
    feed_field: str = ""
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

    ``compute() -> Any`` reads live data (cached by the portal keyed by the data version); ``description``
    says what exactly is counted, so that two pages never show two different numbers for "partners".
    ``kind`` tells the portal how to write the value in a language: ``"number"`` (an int), ``"rounded"``
    (an int written "over 150" / "150多所"), ``"list"`` (labels joined "a, b and c" / "a、b、c"),
    ``"places"`` (``[(name_en, name_zh, count), ...]``, the first few then "and other places"), ``"text"``,
    ``"series"`` (``[(label_en, label_zh, count), ...]`` in the order to show, categories such as types or
    channels; the portal also draws it as a bar chart) and ``"timeline"`` (the same for consecutive periods
    such as years, drawn as columns). ``both_languages`` gives a label's ``(label_en, label_zh)``.
    """

    key: str
    label: Any
    compute: Callable[[], Any]
    description: Any = ""
    order: int = 100
    kind: str = "number"


def both_languages(label: Any) -> tuple[str, str]:
    """A (lazy) translatable label written in English and in Simplified Chinese, for ``"series"`` figures
    (their values are cached, so they carry both languages rather than a lazy label)."""
    from django.utils import translation

    with translation.override("en"):
        english = str(label)
    with translation.override("zh-hans"):
        chinese = str(label)
    return english, chinese


@dataclass(frozen=True)
class PublicNavEntry:
    """A link in the public site's navigation (after the portal's own sections), for everybody.

    ``url_name`` is reversed in the language of the page; ``active_apps`` are the URL namespaces in which the
    link is marked as the current page (default: the namespace of ``url_name``).
    """

    key: str
    label: Any
    url_name: str
    order: int = 100
    active_apps: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgreementPanel:
    """A panel of the agreement page supplied by another context (the cooperation conditions of an exchange
    agreement): ``context(agreement, user) -> dict`` feeds ``template``, which renders one
    ``<section class="card" id="{key}">`` and also sees the page context (``agreement``, ``detail``).
    ``visible(agreement, user) -> bool`` hides the panel."""

    key: str
    title: Any
    template: str
    context: Callable[[Any, Any], dict[str, Any]]
    visible: Callable[[Any, Any], bool] = _always
    order: int = 100


@dataclass(frozen=True)
class PublicPartnerPanel:
    """A block of the public partner page: ``context(partner) -> dict`` feeds ``template``. Public facts only
    (the page is served to anonymous visitors and cached); ``visible(partner) -> bool`` hides the block."""

    key: str
    title: Any
    template: str
    context: Callable[[Any], dict[str, Any]]
    visible: Callable[[Any], bool] = _always
    order: int = 100


@dataclass(frozen=True)
class PublicSectionBlock:
    """A block shown on a section page of the public site (above the section's articles), for everybody:
    ``section`` is the section's slug, ``context(request) -> dict`` feeds ``template``.

    ``has_content() -> bool`` says whether the block has something to show now: a section without live
    articles is shown (and linked in the public navigation) only while one of its blocks has content. None:
    the block always has content."""

    key: str
    section: str
    template: str
    context: Callable[[Any], dict[str, Any]]
    order: int = 100
    has_content: Callable[[], bool] | None = None


@dataclass(frozen=True)
class Landing:
    """Where a user lands after signing in when the staff dashboard is not made for them (students, partner
    contacts): the first entry, in order, whose ``applies(user)`` is true wins; ``url_name`` is reversed."""

    key: str
    url_name: str
    applies: Callable[[Any], bool]
    order: int = 100


@dataclass(frozen=True)
class CacheWatch:
    """Models whose change renews a cache group's data version: ``models()`` returns model classes."""

    key: str
    group: str
    models: Callable[[], Iterable[type[Model]]]
    order: int = 100


@dataclass(frozen=True)
class SearchHit:
    """One search result: ``title`` links to ``url``; ``kind`` is the record type's label."""

    title: str
    url: str
    kind: Any
    detail: str = ""


@dataclass(frozen=True)
class SearchType:
    """A searchable record type: ``search(user, query, limit) -> list[SearchHit]`` returns only visible rows.

    ``visible(user) -> bool`` says whether the user may search this type at all.
    """

    key: str
    label: Any
    search: Callable[[Any, str, int], list[SearchHit]]
    order: int = 100
    visible: Callable[[Any], bool] = _always


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


@dataclass(frozen=True)
class MetricGauge:
    """A figure another context exposes on ``/metrics`` (Prometheus), read from the database at each scrape.

    The metric is named ``meridian_<key>``; ``samples() -> Iterable[(label_values, value)]`` gives one
    ``(tuple[str, ...], float)`` per series, label values in the order of ``labels``. Keep it to a few
    indexed counts: it runs every time the metrics are scraped.
    """

    key: str
    help: str
    samples: Callable[[], Iterable[tuple[tuple[str, ...], float]]]
    labels: tuple[str, ...] = ()
    order: int = 100


@dataclass(frozen=True)
class InstitutionPartners:
    """Which registry institutions already are partners: ``find(user=, institutions=) -> {institution id:
    partner}`` gives, for institutions of the registry (``reference.Institution``), the partner ``user`` may
    see that already is that institution (linked, or holding its ROR ID, Erasmus code or PIC); institutions
    without one are absent. The registry look-up shows "already a partner: <link>" from it (the reference
    data sits below the partners, so it asks through this slot).
    """

    key: str
    find: Callable[..., dict[int, Any]]
    order: int = 100


T = TypeVar("T", bound=Keyed)


class Slot(Generic[T]):
    """An ordered, keyed list of entries of one kind."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, T] = {}

    def add(self, entry: T) -> T:
        """Register `entry`; raises ``ImproperlyConfigured`` when its key is already taken in this slot."""
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
        self.partner_actions: Slot[PartnerAction] = Slot("partner_actions")
        self.partner_filters: Slot[PartnerListFilter] = Slot("partner_filters")
        self.partner_row_facts: Slot[PartnerRowFacts] = Slot("partner_row_facts")
        self.partner_unit_links: Slot[PartnerUnitLink] = Slot("partner_unit_links")
        self.partner_merge_hooks: Slot[PartnerMergeHook] = Slot("partner_merge_hooks")
        self.partner_activity: Slot[PartnerActivitySource] = Slot("partner_activity")
        self.active_partner_rules: Slot[ActivePartnerRule] = Slot("active_partner_rules")
        self.activity_feeds: Slot[ActivityFeed] = Slot("activity_feeds")
        self.activity_rules: Slot[ActivityRule] = Slot("activity_rules")
        self.public_partner_facets: Slot[PublicPartnerFacet] = Slot("public_partner_facets")
        self.public_partner_records: Slot[PublicPartnerRecords] = Slot("public_partner_records")
        self.public_nav: Slot[PublicNavEntry] = Slot("public_nav")
        self.agreement_panels: Slot[AgreementPanel] = Slot("agreement_panels")
        self.public_partner_panels: Slot[PublicPartnerPanel] = Slot("public_partner_panels")
        self.public_section_blocks: Slot[PublicSectionBlock] = Slot("public_section_blocks")
        self.landings: Slot[Landing] = Slot("landings")
        self.metric_gauges: Slot[MetricGauge] = Slot("metric_gauges")
        self.institution_partners: Slot[InstitutionPartners] = Slot("institution_partners")


registry = Registry()
