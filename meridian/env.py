"""Small typed helpers that read settings from the environment (secrets also from `<NAME>_FILE`)."""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """Return `name` from the environment (empty counts as unset), or the contents of the file `name_FILE`."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE points to {file_name!r}, which cannot be read: {exc}"
            ) from exc
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def persistent_secret(name: str, data_dir: Path) -> str:
    """A secret from the environment, or one generated on first use and kept in the data folder."""
    given = env_str(name)
    if given:
        return given
    path = data_dir / f".{name.lower()}"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value


def private_dir(path: Path) -> Path:
    """Create the folder `path` (and missing parents) if it does not exist, readable by its owner only.

    A folder this creates gets mode 0700 whatever the process umask; an existing folder is left as it is
    (an operator may have widened it on purpose). Raises OSError when the folder cannot be created.
    """
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.chmod(0o700)  # mkdir's mode is reduced by the umask
    return path


def private_file(path: Path) -> Path:
    """Create an empty file at `path` with mode 0600 (owner read/write only) unless it already exists.

    Used for files that another library opens and would otherwise create with the umask's mode (the SQLite
    database). An existing file is not touched. Raises OSError when the file cannot be created.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    os.close(fd)
    return path
