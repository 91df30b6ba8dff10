"""The demo users' shared password: DEMO_ADMIN_PASSWORD, or generated once and kept in the data folder."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings

from meridian.env import env_str

PASSWORD_FILE = ".demo_admin_password"


def demo_password(data_dir: Path | None = None) -> str:
    """The password every demo user signs in with; the file is readable by its owner only."""
    given = env_str("DEMO_ADMIN_PASSWORD")
    if given:
        return given
    folder = Path(data_dir or settings.DATA_DIR)
    path = folder / PASSWORD_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    folder.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(12)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value
