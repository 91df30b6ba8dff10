"""Reading an upload stays under a memory ceiling: a zip bomb fails cleanly, a large workbook streams.

The ceiling is 512 MiB of address space above what the process uses once Python, Django's settings,
openpyxl and the reader are loaded (``RLIMIT_AS``, set in a child process so that the test run itself is not
limited). 512 MiB is what one upload may take on a small server running two workers; the hostile sheet
alone unpacks to more than that, so reading it into memory would end in ``MemoryError``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from meridian.core.tabular.tests.helpers import xlsx_bytes
from meridian.core.tests import zip_bombs

CEILING_MIB = 512
ROOT = Path(__file__).resolve().parents[4]

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's"
)

_CHILD = r"""
import io, json, resource, sys
from django.conf import settings
settings.configure(USE_I18N=False)
import openpyxl  # noqa: F401  (loaded before the ceiling: it is part of the baseline)
from meridian.core.tabular.readers import ImportFileError, open_table

def address_space() -> int:
    for line in open("/proc/self/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize")

limit = address_space() + int(sys.argv[1]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
for path in sys.argv[2:]:
    try:
        with open(path, "rb") as stream:
            table = open_table(stream)
            rows = sum(1 for _ in table.rows)
        outcome = {"rows": rows, "headers": table.headers}
    except ImportFileError as exc:
        outcome = {"refused": exc.message}
    except MemoryError:
        outcome = {"memory_error": True}
    print(json.dumps(outcome), flush=True)
"""

HEADERS = ["Name", "Country", "Start", "Places", "Note"]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each file read once in one child process under the ceiling: name -> what the reader answered."""
    folder = tmp_path_factory.mktemp("uploads")
    rows = [[f"University {i}", "CN", "2026-09-01", i % 7, "x" * (i % 40)] for i in range(10_000)]
    files = {
        "bomb": zip_bombs.xlsx_bomb(mib=600),
        "lying": zip_bombs.lying_xlsx_bomb(mib=600),
        "large": xlsx_bytes(HEADERS, rows),
    }
    for name, data in files.items():
        (folder / f"{name}.xlsx").write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(CEILING_MIB), *(str(folder / f"{name}.xlsx") for name in files)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return dict(zip(files, (json.loads(line) for line in result.stdout.splitlines()), strict=True))


def test_a_zip_bomb_with_honest_headers_is_refused_cleanly_under_the_ceiling(outcomes):
    assert set(outcomes["bomb"]) == {"refused"}, outcomes["bomb"]
    assert "too large once unpacked" in outcomes["bomb"]["refused"]


def test_a_zip_bomb_with_lying_headers_is_refused_cleanly_under_the_ceiling(outcomes):
    assert outcomes["lying"] == {"refused": "The XLSX file is damaged and cannot be opened."}


def test_a_10000_row_workbook_is_read_in_full_under_the_ceiling(outcomes):
    assert outcomes["large"] == {"rows": 10_000, "headers": HEADERS}
