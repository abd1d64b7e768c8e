"""Only this checkout's code, in every process a benchmark starts.

This folder leads their ``PYTHONPATH``, so Python imports this module at start-up. A
shared virtual environment may hold an editable install of another checkout (setuptools'
``__editable__`` finder): it answers for any module *this* checkout lacks, e.g. a migration
that exists only over there, and a benchmark would then run a mix of two trees. Removing the
finder leaves ``PYTHONPATH`` (this checkout) and site-packages.
"""

import sys


def _editable(entry) -> bool:
    return "__editable__" in (getattr(entry, "__module__", "") or "")


sys.meta_path[:] = [finder for finder in sys.meta_path if not _editable(finder)]
sys.path_hooks[:] = [hook for hook in sys.path_hooks if not _editable(hook)]
sys.path_importer_cache.clear()
