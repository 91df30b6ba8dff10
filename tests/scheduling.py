"""Test distribution over pytest-xdist workers that keeps expensive shared set-ups on one worker.

`--dist load` hands tests out in collection order, a few at a time, to whichever worker is free. A module or
package whose tests share one expensive fixture (the demo data set, the whole registry import, a backup
round trip, a test CAS server) is then split over both workers and set up on each, and again whenever a
worker comes back to it. `KeepTogetherScheduling` is the same scheduler, except that a chunk never ends
inside such a group: the rest of the group goes with it. Collection order, and with it pytest-django's order
(plain database tests first, then the ones that flush the database), is kept, unlike `--dist
loadfile`/`loadscope`.
"""

from __future__ import annotations

from xdist.scheduler import LoadScheduling

# Node-id prefixes whose tests must run on one worker, one after another.
KEEP_TOGETHER: tuple[str, ...] = (
    "meridian/demo/tests/",
    "meridian/reference/tests/test_affiliation.py::",
    "meridian/reference/tests/test_registry_shared.py::",
    "meridian/mobility/tests/test_conditions_ewp.py::",
    "meridian/sso/tests/",
    "tests/ops/test_backup.py::",
    "tests/storage/test_object_storage.py::",
    "tests/browser/test_walks.py::",
)


def group_of(nodeid: str, prefixes: tuple[str, ...] = KEEP_TOGETHER) -> str | None:
    """The keep-together prefix `nodeid` falls under, or None for a test that may go anywhere."""
    return next((prefix for prefix in prefixes if nodeid.startswith(prefix)), None)


class KeepTogetherScheduling(LoadScheduling):
    """`LoadScheduling` whose chunks are extended to the end of the keep-together group they stop in."""

    def _send_tests(self, node, num: int) -> None:  # type: ignore[no-untyped-def]
        assert self.collection is not None
        end = min(num, len(self.pending))
        if end:
            group = group_of(self.collection[self.pending[end - 1]])
            while group is not None and end < len(self.pending):
                if group_of(self.collection[self.pending[end]]) != group:
                    break
                end += 1
        super()._send_tests(node, end)
