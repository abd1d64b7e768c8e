"""Figures a fault test measured, for ``bench/faults.py`` to print: one JSON line each in
the file ``AICEPS_FIGURES_FILE`` names (nothing when it is unset). The tests assert their
bounds either way; this only lets the benchmark report what they saw."""

from __future__ import annotations

import json
import os

from django.db import connections


def record_figure(name: str, seconds: float | list[float], **labels) -> None:
    path = os.environ.get("AICEPS_FIGURES_FILE")
    if not path:
        return
    row = {"name": name, "seconds": seconds, "database": connections["default"].vendor}
    with open(path, "a") as out:
        out.write(json.dumps({**row, **labels}) + "\n")
