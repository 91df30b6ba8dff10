"""Attribute release of the test CAS server: the attributes the users file gives the signed-in user."""

import json
import os
from pathlib import Path
from typing import Any


def load_users() -> dict[str, dict[str, Any]]:
    """The users file: {"username": {"password": "...", "attributes": {...}}}."""
    return json.loads(Path(os.environ["CAS_TEST_USERS_FILE"]).read_text(encoding="utf-8"))


def released_attributes(user: Any, service: str) -> dict[str, Any]:
    """CAS 3.0 attributes for `user` at `service` (a mama-cas attribute callback)."""
    return dict(load_users().get(user.get_username(), {}).get("attributes", {}))
