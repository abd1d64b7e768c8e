"""``@supabase/supabase-js`` for the browser tests, installed from npm on first use.

The version is the one the photo editor locks (``js/package.json``); the packages go to
``js/node_modules`` (ignored by git). Without npm, or when the install fails, the tests that
need it are skipped with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parent / "js"
BUNDLE = FOLDER / "node_modules" / "@supabase" / "supabase-js" / "dist" / "umd" / "supabase.js"


def supabase_bundle() -> Path:
    if BUNDLE.is_file():
        return BUNDLE
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed, so @supabase/supabase-js cannot be installed")
    command = [npm, "ci" if (FOLDER / "package-lock.json").exists() else "install"]
    try:
        done = subprocess.run(
            [*command, "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=FOLDER,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("npm took longer than 5 minutes to install @supabase/supabase-js")
    if done.returncode != 0 or not BUNDLE.is_file():
        pytest.skip(f"npm could not install @supabase/supabase-js: {done.stderr.strip()[-500:]}")
    return BUNDLE
