"""The test scheduler keeps a group's tests together and otherwise behaves as `--dist load`."""

from tests.scheduling import KeepTogetherScheduling, group_of


class _Node:
    def __init__(self) -> None:
        self.sent: list[int] = []

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent.extend(indices)


def _scheduler(collection: list[str]) -> KeepTogetherScheduling:
    scheduler = KeepTogetherScheduling.__new__(KeepTogetherScheduling)
    scheduler.collection = collection
    scheduler.pending = list(range(len(collection)))
    scheduler.node2pending = {}
    return scheduler


COLLECTION = [
    "meridian/a/tests/test_one.py::test_1",
    "meridian/demo/tests/test_demo_data.py::test_1",
    "meridian/demo/tests/test_demo_data.py::test_2",
    "meridian/demo/tests/test_travel.py::test_1",
    "meridian/b/tests/test_two.py::test_1",
    "meridian/b/tests/test_two.py::test_2",
]


def test_group_of_matches_prefixes_only():
    assert group_of("meridian/demo/tests/test_travel.py::test_x") == "meridian/demo/tests/"
    assert group_of("tests/ops/test_backup.py::test_x") == "tests/ops/test_backup.py::"
    assert group_of("tests/ops/test_backup_cli.py::test_x") is None
    assert group_of("meridian/partners/tests/test_models.py::test_x") is None


def test_a_chunk_ending_inside_a_group_takes_the_whole_group():
    scheduler = _scheduler(COLLECTION)
    first, second = _Node(), _Node()
    scheduler.node2pending = {first: [], second: []}
    scheduler._send_tests(first, 2)
    assert first.sent == [0, 1, 2, 3]
    scheduler._send_tests(second, 1)
    assert second.sent == [4]
    assert scheduler.pending == [5]


def test_chunks_outside_groups_are_unchanged():
    scheduler = _scheduler(COLLECTION)
    node = _Node()
    scheduler.node2pending = {node: []}
    scheduler._send_tests(node, 1)
    assert node.sent == [0]
    scheduler.pending = [4, 5]
    scheduler._send_tests(node, 1)
    assert node.sent == [0, 4]
    scheduler._send_tests(node, 5)
    assert node.sent == [0, 4, 5]
    assert scheduler.pending == []
