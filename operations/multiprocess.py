"""The folder where several processes keep their metrics (``PROMETHEUS_MULTIPROC_DIR``).

``python -m operations.multiprocess --clean`` creates it and removes the files of processes
that are gone; safe while others run.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


_PID_IN_NAME = re.compile(r"_(\d+)\.db$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_multiprocess_dir(path: str | None = None) -> int:
    """Create the directory and remove the files of processes that no longer run.

    Safe while other processes (a running qcluster) use the directory. Returns how many
    files went."""
    path = path or multiprocess_dir()
    if not path:
        return 0
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    removed = 0
    for file in directory.glob("*.db"):
        match = _PID_IN_NAME.search(file.name)
        if match and not _alive(int(match.group(1))):
            file.unlink(missing_ok=True)
            removed += 1
    return removed


if __name__ == "__main__":  # python -m operations.multiprocess --clean
    if "--clean" in sys.argv[1:]:
        count = clean_multiprocess_dir()
        print(f"removed {count} file(s) of finished processes from ${MULTIPROC_ENV}")
    else:
        print("usage: python -m operations.multiprocess --clean", file=sys.stderr)
        sys.exit(2)
