"""A Simplified Chinese catalogue holding given messages, compiled into a temporary locale directory, so that
a test can check that a message is looked up in the request's language without the project's compiled
catalogue (which ``make messages`` builds)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo


def use_chinese_catalog(settings, tmp_path: Path, messages: dict[str | tuple[str, str], str]) -> None:
    """Point ``LOCALE_PATHS`` at a catalogue with `messages` ({msgid or (context, msgid): msgstr})."""
    catalog = Catalog(locale="zh_Hans")
    for key, text in messages.items():
        context, msgid = key if isinstance(key, tuple) else (None, key)
        catalog.add(msgid, text, context=context)
    folder = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "django.mo").open("wb") as handle:
        write_mo(handle, catalog)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
