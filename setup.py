"""Carries the project's top-level folders into the wheel.

``templates/``, ``locale/`` and ``ops/`` sit beside the packages in the repository (where the
README says they are); a built wheel puts them inside the ``aiceps`` package, where
``core.paths`` finds them when AicePS runs from an installed wheel instead of a checkout.
Everything else is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

FOLDERS = ("templates", "locale", "ops")


class BuildWithProjectFolders(build_py):
    def run(self):
        super().run()
        root = Path(__file__).resolve().parent
        for folder in FOLDERS:
            target = Path(self.build_lib) / "aiceps" / folder
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(root / folder, target, ignore=shutil.ignore_patterns("*.pyc"))


setup(cmdclass={"build_py": BuildWithProjectFolders})
