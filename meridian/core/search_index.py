"""The normalised search column of partners and agreements, its index, and the one search condition.

Every searchable record keeps a ``search_text`` column: the values people search by, each passed through
:func:`search_key` (Unicode NFKC, case folding, Latin accents removed, full-width forms made half-width,
Traditional Chinese and Japanese shinjitai folded to Simplified Chinese, punctuation turned into spaces,
German umlauts written as "ae", "oe", "ue" read as "a", "o", "u"). A query is keyed the same way, so "geneve"
meets "Genève", "ＭＩＴ" meets "MIT", 东京大学 meets 東京大学 and "muenchen", "munchen" and "MÜNCHEN" all
meet "München".

What each record is searched by is its own app's business (``meridian/partners/search_text.py``,
``meridian/agreements/search_text.py``): the column is written by the model's ``save()`` (every service path)
and, for paths that write many rows with ``bulk_create``/``bulk_update`` or ``QuerySet.update()``, by the
app's refresher, which a bulk service calls once with the ids it wrote.

Indexing, decided in this module only:

* PostgreSQL: a ``pg_trgm`` GIN index on the column; a query word is a ``LIKE '%word%'`` the index answers.
* SQLite: an FTS5 table with the trigram tokenizer over the column (external content, kept in sync by
  triggers); a query word of three characters or more is a phrase ``MATCH``, a shorter one a ``LIKE``.

Partners' ``search_text`` has two zones: what the public directory shows (names, acronym, city, country,
website domain), then :data:`PRIVATE_MARK`, then what only staff search by (province, identifiers). The
public directory matches the first zone only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections, models, router
from django.db.models import Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Left, StrIndex
from django.db.models.lookups import GreaterThan
from django.db.models.signals import post_migrate

from meridian.core.text import fold_umlaut_digraphs, to_simplified

# Separators never produced by search_key (punctuation becomes spaces), so a query never matches across
# two values (" | ") or from the public into the private zone (" # ").
FIELD_SEPARATOR = " | "
PRIVATE_MARK = " # "
# FTS5's trigram tokenizer needs three characters; shorter words are matched with LIKE.
TRIGRAM = 3
MAX_WORDS = 8
BATCH = 2000

_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
# Letters that do not decompose into a base letter and a combining mark.
_LETTER_FOLDS = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "þ": "th", "æ": "ae", "œ": "oe", "ħ": "h"}
)
_SPACES = re.compile(r"\s+")


def fold_chinese(text: str) -> str:
    """Traditional Chinese and Japanese shinjitai folded to Simplified Chinese ("東京" → "东京", "稲" → "稻").

    Uses OpenCC's ``jp2t`` then ``t2s`` tables; text without CJK characters is returned unchanged.
    """
    return to_simplified(text, japanese=True) if _CJK.search(text) else text


def _is_break(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "PSZC" or char == "_"


def search_key(text: str) -> str:
    """The form both stored values and queries are compared in: ``"Université de Genève"`` → ``"universite de
    geneve"``, ``"ＭＩＴ"`` → ``"mit"``, ``"東京大学"`` → ``"东京大学"``, ``"早稲田"`` → ``"早稻田"``,
    ``"München"``, ``"Muenchen"`` and ``"MUNCHEN"`` → ``"munchen"``, ``"Straße"`` → ``"strasse"``.

    Steps: Unicode NFKC (full-width and compatibility forms), Traditional/Japanese → Simplified Chinese
    (OpenCC), case folding (``ß`` → ``ss``), Latin/Greek/Cyrillic combining accents removed (kana voicing
    marks are kept), letters such as ``ø``/``ł`` folded, punctuation, symbols and control characters turned
    into single spaces, then every "e" right after "a", "o" or "u" removed (``ae``/``oe``/``ue`` as the
    umlauts they transliterate: :func:`meridian.core.text.fold_umlaut_digraphs`; "Samuel" → "samul" on
    both sides, so it still finds itself). Returns ``""`` for empty input; never raises.
    """
    if not text:
        return ""
    text = fold_chinese(unicodedata.normalize("NFKC", text)).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in decomposed if not "\u0300" <= ch <= "\u036f").translate(_LETTER_FOLDS)
    text = "".join(" " if _is_break(ch) else ch for ch in unicodedata.normalize("NFC", text))
    return fold_umlaut_digraphs(_SPACES.sub(" ", text).strip())


def search_terms(query: str) -> list[str]:
    """The keyed words of a query, each to be found somewhere in the search column.

    Words are split at spaces before keying, so "uni-heidelberg.de" stays one phrase ("uni heidelberg de");
    duplicates are dropped and at most ``MAX_WORDS`` words are used.
    """
    terms: list[str] = []
    for word in unicodedata.normalize("NFKC", query or "").split():
        term = search_key(word)
        if term and term not in terms:
            terms.append(term)
    return terms[:MAX_WORDS]


def term_variants(term: str) -> list[str]:
    """The strings a keyed query word may appear as inside a stored ``search_text`` (any one of them).

    :func:`search_key` drops an "e" after "a", "o" or "u", which it cannot tell when a word starts with
    that "e": "el" (typed as part of "Samuel", stored "samul") is stored as "ul". A word starting with "e"
    is therefore also looked for as "a", "o" or "u" followed by the rest: ``"el"`` → ``["el", "al", "ol",
    "ul"]``; any other word is only itself. Variants have the length of the word.
    """
    if term.startswith("e"):
        return [term, *(vowel + term[1:] for vowel in "aou")]
    return [term]


def join_values(values: Iterable[str]) -> str:
    """Keyed values joined so that no phrase spans two of them; empty and repeated values are left out."""
    keys = list(dict.fromkeys(key for key in map(search_key, values) if key))
    return FIELD_SEPARATOR.join(keys)


def chunks(queryset, ids: list[int] | None):
    """`queryset` in slices of ``BATCH`` records: by the given ids, or (None) by walking the primary key."""
    if ids is not None:
        for start in range(0, len(ids), BATCH):
            yield queryset.filter(pk__in=ids[start : start + BATCH])
        return
    last = 0
    while True:
        chunk_ids = list(queryset.filter(pk__gt=last).values_list("pk", flat=True)[:BATCH])
        if not chunk_ids:
            return
        last = chunk_ids[-1]
        yield queryset.filter(pk__in=chunk_ids)


# --- the search condition (the one place that knows the database) ----------------------------------------


def _vendor(model: type[models.Model]) -> str:
    return connections[router.db_for_read(model)].vendor


def search_condition(model: type[models.Model], query: str, *, public: bool = False) -> Q:
    """Records whose ``search_text`` contains every word of `query` (keyed with :func:`search_key`).

    A word is found as any of its :func:`term_variants` (itself, or for a word starting with "e" also the
    forms the umlaut folding stored it in). PostgreSQL: ``search_text LIKE '%word%'`` per word (variants
    OR-ed), answered by the trigram GIN index. SQLite: one FTS5 trigram ``MATCH`` of the words of three
    characters or more after keying (``"w1" AND ("e2" OR "a2" OR "o2" OR "u2")``), ``LIKE`` for shorter
    words ("mue" is keyed "mu", two characters). `public` limits the match to the public zone (Partner
    only). An empty query matches everything.
    """
    terms = search_terms(query)
    condition = Q()
    if not terms:
        return condition
    table = _INDEXED.get(model._meta.db_table)
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    if table is not None and _vendor(model) == "sqlite" and long_terms:
        match = " AND ".join(_fts_term(t) for t in long_terms)
        # Table names come from _INDEXED, the words are a bound parameter.
        fts = f"SELECT rowid FROM {table.fts} WHERE {table.fts} MATCH %s"  # noqa: S608
        condition &= Q(pk__in=RawSQL(fts, [match]))  # noqa: S611
        terms = [t for t in terms if len(t) < TRIGRAM]
    for term in terms:
        condition &= _any_of(Q(search_text__contains=variant) for variant in term_variants(term))
    if public:
        public_zone = Left("search_text", StrIndex("search_text", Value(PRIVATE_MARK)))
        for term in search_terms(query):
            condition &= _any_of(
                Q(GreaterThan(StrIndex(public_zone, Value(variant)), 0)) for variant in term_variants(term)
            )
    return condition


def _any_of(conditions: Iterable[Q]) -> Q:
    combined = Q()
    for condition in conditions:
        combined = condition if not combined else combined | condition
    return combined


def _fts_term(term: str) -> str:
    """An FTS5 query for one keyed word: its phrase, or its variants' phrases OR-ed in parentheses."""
    phrases = ['"{}"'.format(variant.replace('"', '""')) for variant in term_variants(term)]
    return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"


def search_filter(queryset: models.QuerySet, query: str, *, public: bool = False) -> models.QuerySet:
    """`queryset` narrowed by :func:`search_condition` (unchanged for an empty query)."""
    condition = search_condition(queryset.model, query, public=public)
    return queryset.filter(condition) if condition else queryset


# --- indexes -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexedTable:
    table: str

    @property
    def fts(self) -> str:
        return f"{self.table}_search"

    @property
    def trgm(self) -> str:
        return f"{self.table}_search_trgm"


# Tables with a search index, registered by the apps that own them (``register_search_table``).
_INDEXED: dict[str, IndexedTable] = {}


def register_search_table(table_name: str) -> None:
    """Declare that `table_name` has a ``search_text`` column with a search index (called by its models).

    :func:`search_condition` then uses the FTS5 table on SQLite, and ``migrate`` restores a missing index.
    """
    _INDEXED.setdefault(table_name, IndexedTable(table_name))


def sqlite_fts5_trigram_available(connection) -> bool:
    """SQLite 3.34 or later has FTS5's trigram tokenizer (when FTS5 is compiled in)."""
    with connection.cursor() as cursor:
        try:
            cursor.execute("CREATE VIRTUAL TABLE temp.meridian_fts_probe USING fts5(x, tokenize='trigram')")
            cursor.execute("DROP TABLE temp.meridian_fts_probe")
        except Exception:  # noqa: BLE001 - any failure means: not available
            return False
    return True


_SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS {f} USING fts5("
    "search_text, content='{t}', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS {f}_ai AFTER INSERT ON {t} BEGIN "
    "INSERT INTO {f}(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS {f}_ad AFTER DELETE ON {t} BEGIN "
    "INSERT INTO {f}({f}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    # Only when the search column is written: saves of other columns leave the index alone.
    "CREATE TRIGGER IF NOT EXISTS {f}_au AFTER UPDATE OF search_text ON {t} BEGIN "
    "INSERT INTO {f}({f}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO {f}(rowid, search_text) VALUES (new.id, new.search_text); END",
)


def _sqlite_statements(table: IndexedTable) -> list[str]:
    """The FTS5 table and its triggers; table names come from ``_INDEXED``, never from input."""
    return [statement.format(f=table.fts, t=table.table) for statement in _SQLITE_INDEX]


def ensure_search_index(connection, table_name: str) -> bool:
    """Create the search index of `table_name` if it is missing; returns True when something was created.

    SQLite: the FTS5 table and its three triggers; when any was missing (a new database, or a migration
    that rebuilt the table and so dropped its triggers) the FTS index is rebuilt from the table.
    PostgreSQL: the ``pg_trgm`` extension and the GIN trigram index. Other databases: nothing (the search
    falls back to ``LIKE``). Raises RuntimeError on SQLite builds without FTS5 trigram support.
    """
    table = _INDEXED.get(table_name) or IndexedTable(table_name)
    if table_name not in connection.introspection.table_names():
        return False
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE name IN (%s, %s, %s, %s)",
                [table.fts, f"{table.fts}_ai", f"{table.fts}_ad", f"{table.fts}_au"],
            )
            if cursor.fetchone()[0] == 4:
                return False
        if not sqlite_fts5_trigram_available(connection):
            raise RuntimeError("This SQLite has no FTS5 trigram tokenizer (SQLite 3.34 or later is needed).")
        with connection.cursor() as cursor:
            for statement in _sqlite_statements(table):
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {table.fts}({table.fts}) VALUES ('rebuild')")  # noqa: S608
        return True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [table.trgm])
            if cursor.fetchone():
                return False
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {table.trgm} ON {table.table} "
                "USING gin (search_text gin_trgm_ops)"
            )
        return True
    return False


def drop_search_index(connection, table_name: str) -> None:
    """Remove what :func:`ensure_search_index` created (for reversing the migration)."""
    table = _INDEXED.get(table_name) or IndexedTable(table_name)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for suffix in ("_ai", "_ad", "_au"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {table.fts}{suffix}")
            cursor.execute(f"DROP TABLE IF EXISTS {table.fts}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {table.trgm}")


def _repair_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """After ``migrate``: put back SQLite triggers that a table rebuild by a later migration dropped."""
    label = getattr(sender, "label", "")
    connection = connections[using]
    for name in _INDEXED:
        if name.startswith(f"{label}_"):
            ensure_search_index(connection, name)


post_migrate.connect(_repair_after_migrate, dispatch_uid="meridian.core.search_index")
