"""Where the project's non-Python folders are: beside the packages in a checkout, inside the
``aiceps`` package in an installed wheel (``setup.py`` copies them there)."""

from __future__ import annotations

from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
INSTALLED = CHECKOUT / "aiceps"


def project_folder(name: str) -> Path:
    """``templates``, ``locale`` or ``ops``: the checkout's, else the installed copy."""
    for base in (CHECKOUT, INSTALLED):
        if (base / name).is_dir():
            return base / name
    return CHECKOUT / name
