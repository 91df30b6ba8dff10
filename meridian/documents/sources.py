"""Document sources: how a case context lets documents be generated from its records.

``documents`` sits below every case context and never imports one. A context registers one
``DocumentSource`` per case type in its ``AppConfig.ready()``; the source says which fields a template may use
(documented, with example values shown to template editors), builds those fields as a plain dict from a
record, and decides who may generate and view the record's documents.

Usage::

    sources.register(DocumentSource(key="agreement", label=_("Agreement"), model=lambda: Agreement,
                                    fields=(FieldDoc("number", _("Agreement number"), "AGR-2026-0001"), ...),
                                    context=agreement_context, sample=agreement_sample, ...))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.utils.translation import gettext_lazy as _


def _never(*_args: Any) -> bool:
    return False


def _no_limit(_obj: Any) -> date | None:
    return None


def _no_refusal(_user: Any, _obj: Any, _template_code: str) -> str | None:
    return None


@dataclass(frozen=True)
class FieldDoc:
    """One documented field of a source's context: its name (as written in a template), what it holds and an
    example (for lists, an example item written as a dict)."""

    name: str
    description: Any
    example: Any = ""


@dataclass(frozen=True)
class DefaultTemplate:
    """A template the source ships; installed when no template with ``code`` exists (never overwritten).

    ``bodies`` maps output language ("en", "zh", "bilingual") to the body (HTML with template fields);
    ``docx`` returns the bytes of a DOCX template for DOCX formats.
    """

    code: str
    name_en: str
    name_zh: str
    kind: str
    languages: str
    fmt: str = "pdf"
    bodies: Callable[[], dict[str, str]] = dict
    docx: Callable[[], bytes] | None = None
    serial_code: str = ""
    serial_pattern: str = "{year}-{code}-{seq:05d}"
    validity: bool = False


@dataclass(frozen=True)
class DocumentSource:
    """A kind of record documents can be generated for.

    - ``model() -> type[Model]``: the record's model (called lazily).
    - ``context(obj) -> dict``: the documented fields of one record, as plain data only (str, int, float,
      bool, None, ISO date strings, lists and dicts of these); templates see nothing else.
    - ``sample() -> dict``: the same shape with example values; an edited template must render against it.
    - ``can_generate(user, obj)`` / ``can_view(user, obj)``: who may generate, and who may see and download.
    - ``refusal(user, obj, template_code) -> str | None``: asked after ``can_generate`` allowed ``user``,
      whether this template may be generated for this record now (a case's state, data still missing…):
      None when it may, else the reason, in the active language, shown to the user as it is (default: None
      for every template). ``services.document_generate`` asks it (raising ``DocumentRefusedError``), so the
      generic generate page, batches and a context's own pages all refuse with the same reason.
    - ``generation_context(obj, template_code, actor) -> dict`` (optional): the context for generating one
      template, when it differs by template (e.g. personal data printed only on the templates that need it,
      each disclosure logged for ``actor``); None uses ``context(obj)``.
    - ``holder_name(obj) -> str``: the person or organisation the document is about (masked when verified).
    - ``issuing_unit(obj) -> (English name, Chinese name)``.
    - ``valid_until(obj) -> date | None``: used for templates marked as having a validity.
    - ``batch_cases(user) -> QuerySet``: the cases a batch run started by ``user`` covers (optional; each case
      is still checked with ``can_generate``), described to the user by ``batch_label``.
    - ``applies(obj) -> bool`` (optional): when several sources share a model, which records this one is for
      (an incoming mobility's acceptance letter, an outgoing one's nomination letter); None: every record.
    """

    key: str
    label: Any
    model: Callable[[], type[Model]]
    fields: tuple[FieldDoc, ...]
    context: Callable[[Any], dict[str, Any]]
    sample: Callable[[], dict[str, Any]]
    holder_name: Callable[[Any], str]
    issuing_unit: Callable[[Any], tuple[str, str]]
    can_generate: Callable[[Any, Any], bool] = _never
    can_view: Callable[[Any, Any], bool] = _never
    refusal: Callable[[Any, Any, str], str | None] = _no_refusal
    generation_context: Callable[[Any, str, Any], dict[str, Any]] | None = None
    valid_until: Callable[[Any], date | None] = _no_limit
    defaults: tuple[DefaultTemplate, ...] = field(default_factory=tuple)
    batch_cases: Callable[[Any], Any] | None = None
    batch_label: Any = ""
    applies: Callable[[Any], bool] | None = None


# Fields every template gets in addition to its source's, under the name ``document``.
DOCUMENT_FIELDS: tuple[FieldDoc, ...] = (
    FieldDoc("document.serial", _("Serial number"), "2026-AD-00001"),
    FieldDoc("document.issued_on", _("Issue date (YYYY-MM-DD)"), "2026-03-01"),
    FieldDoc("document.valid_until", _("Valid until (YYYY-MM-DD), or empty"), "2030-12-31"),
    FieldDoc("document.issuing_unit", _("Issuing unit (English)"), "International Office"),
    FieldDoc("document.issuing_unit_zh", _("Issuing unit (Chinese)"), "国际合作与交流处"),
    FieldDoc("document.holder_name", _("Holder's name"), "Heidelberg University"),
    FieldDoc("document.language", _("Output language: en, zh or bilingual"), "bilingual"),
    FieldDoc("document.title", _("Document title (English)"), "Agreement draft"),
    FieldDoc("document.title_zh", _("Document title (Chinese)"), "协议草案"),
    FieldDoc("document.verify_url", _("Public verification address"), "https://…/documents/verify/…/"),
)


class SourceRegistry:
    """The registered document sources, by key."""

    def __init__(self) -> None:
        self._sources: dict[str, DocumentSource] = {}

    def register(self, source: DocumentSource) -> DocumentSource:
        """Add a source; registering a key twice raises ``ImproperlyConfigured``."""
        if source.key in self._sources:
            raise ImproperlyConfigured(f"Document source {source.key!r} is registered twice.")
        self._sources[source.key] = source
        return source

    def unregister(self, key: str) -> None:
        """Take a source out (tests use it to restore the registry)."""
        self._sources.pop(key, None)

    def get(self, key: str) -> DocumentSource:
        """The source with this key; raises ``KeyError`` when none is registered."""
        return self._sources[key]

    def for_object(self, obj: Any) -> DocumentSource | None:
        """The source whose model ``obj`` is an instance of (and that ``applies`` to it), or None."""
        for source in self._sources.values():
            if isinstance(obj, source.model()) and (source.applies is None or source.applies(obj)):
                return source
        return None

    def __contains__(self, key: object) -> bool:
        return key in self._sources

    def __iter__(self) -> Iterator[DocumentSource]:
        return iter(sorted(self._sources.values(), key=lambda s: s.key))

    def choices(self) -> list[tuple[str, Any]]:
        return [(s.key, s.label) for s in self]


sources = SourceRegistry()
