"""``aiceps-manage``: Django's management commands for an installed AicePS (``manage.py`` in
a checkout does the same).

Before Django starts it reads the settings file (``.env`` in the working folder, see
``aiceps.settings.env``); when the settings are incomplete it says what to set instead of a
traceback. ``aiceps-manage write-env`` writes a commented development ``.env``."""

import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aiceps.settings.base")
    if sys.argv[1:2] == ["write-env"]:
        sys.exit(_write_env())
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018  (loads the settings now, to explain a failure)
    except ImproperlyConfigured as exc:
        from aiceps.envfile import settings_help

        sys.stderr.write(settings_help(str(exc), folder=Path.cwd()))
        sys.exit(2)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


def _write_env() -> int:
    from aiceps.envfile import write_env_file

    path = Path.cwd() / ".env"
    if write_env_file(path):
        print(f"wrote {path}: development settings, commented; edit it to add keys")
        return 0
    print(f"{path} exists: left as it is", file=sys.stderr)
    return 1


if __name__ == "__main__":
    main()
