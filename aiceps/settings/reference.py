"""The configuration reference, generated from the settings' own declarations.

Every ``env_*("NAME", default, doc=..., shown=...)`` call in ``aiceps/settings/`` is one row,
in the order the areas are read, and so is every setting a provider declares
(``catalogue.providers.declaring.ProviderSetting``, in the providers' area);
``env_derived`` calls (settings derived from others, still read under their older
names) come last, in a section of their own. Variables read outside the settings (the
serving scripts, gunicorn, the test runner) are declared in :data:`OUTSIDE`
below. ``docs/configuration.md``
is this module's output, and ``tests/test_docs.py`` fails when the two differ:

    python -m aiceps.settings.reference > docs/configuration.md
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
# Areas in reading order, each with its title; modules not listed come last, by name.
AREAS = {
    "base.py": "Core, storage, API and queue",
    "security.py": "Sign-in, security and limits",
    "providers.py": "Providers",
    "tasks.py": "Tasks, queue and serving",
    "platform.py": "Platform: webhooks, retention, Midjourney",
    "editor.py": "The photo editor",
    "storage.py": "Storage",
    "mail.py": "Mail",
}
NOT_SETTINGS = {"env.py", "test.py", "reference.py", "__init__.py", "hosts.py"}
DERIVED = "Derived settings"
DERIVED_INTRO = (
    "Each of these follows from the settings above; it is still read under its older name, "
    "so an operator who set one keeps what they set. Leave them unset."
)


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    doc: str
    area: str


# Read outside ``aiceps/settings``: by the scripts, gunicorn, uvicorn's worker and the tests.
OUTSIDE = (
    Variable(
        "DJANGO_SETTINGS_MODULE",
        "`aiceps.settings.base`",
        "`aiceps.settings.production` in production (fails fast without its secrets)",
        "Files and processes",
    ),
    Variable(
        "AICEPS_ENV_FILE",
        "`.env`",
        "the settings file read at start (in the working folder; empty: none); variables "
        "already set in the environment win over it",
        "Files and processes",
    ),
    Variable(
        "AICEPS_BIND",
        "`127.0.0.1:8000`",
        "address of `./scripts/run` and of gunicorn (`0.0.0.0:8000` for the network: "
        "development then allows this machine's own names)",
        "Files and processes",
    ),
    Variable("WEB_CONCURRENCY", "CPUs", "gunicorn worker processes", "Files and processes"),
    Variable(
        "AICEPS_WEB_TIMEOUT", "`60`", "gunicorn's worker timeout (seconds)", "Files and processes"
    ),
    Variable(
        "AICEPS_WEB_MAX_REQUESTS",
        "`5000`",
        "a gunicorn worker is recycled after this many requests",
        "Files and processes",
    ),
    Variable(
        "AICEPS_WEB_CONNECTIONS",
        "`5000`",
        "connections one uvicorn worker holds at most",
        "Files and processes",
    ),
    Variable(
        "AICEPS_PUBLIC_PORT", "`8080`", "`./scripts/serve`: nginx's port", "Files and processes"
    ),
    Variable(
        "AICEPS_SERVE_SETTINGS",
        "`aiceps.settings.production`",
        "`./scripts/serve`: the settings module",
        "Files and processes",
    ),
    Variable(
        "AICEPS_EXTRAS",
        "`dev`",
        "`./scripts/run`: the extras installed (`local` adds torch and diffusers)",
        "Files and processes",
    ),
    Variable(
        "AICEPS_INSTALLER",
        "`uv`",
        "how the scripts install into `.venv`: `uv` (fast; pip's configuration is handed "
        "over, and pip takes over when uv fails) or `pip`",
        "Files and processes",
    ),
    Variable(
        "AICEPS_STOP_SECONDS",
        "`8`",
        "`./scripts/run` and `./scripts/serve`: how long a process may take to stop before it "
        "is killed with its children",
        "Files and processes",
    ),
    Variable(
        "PROMETHEUS_MULTIPROC_DIR",
        "empty",
        "shared metrics folder for several processes (gunicorn and qcluster)",
        "Files and processes",
    ),
    Variable(
        "TEST_DATABASE_URL",
        "PostgreSQL on 127.0.0.1:5432 when it answers",
        "`./scripts/test`: the server of the second run (else a throwaway cluster, removed "
        "at the end)",
        "The test command",
    ),
    Variable(
        "TEST_DATABASE_NAME",
        "`test_aiceps_<checkout>`",
        "`./scripts/test`: the PostgreSQL test database, created and dropped (one per "
        "checkout, so two checkouts can test at once)",
        "The test command",
    ),
    Variable(
        "AICEPS_PG_PORT",
        "`55432`",
        "`./scripts/test`: the port of the throwaway PostgreSQL cluster it starts when none "
        "answers",
        "The test command",
    ),
    Variable(
        "TEST_REDIS_URL",
        "`redis://127.0.0.1:6379/15`",
        "`./scripts/test`: the Redis of the broker and notification tests (their keys carry "
        "a prefix of their own; a Redis it had to start is stopped at the end)",
        "The test command",
    ),
    Variable(
        "AICEPS_TEST_PROCESSES",
        "CPUs + 1",
        "`./scripts/test`: how many processes run the tests (pytest-xdist's `-n`; each has "
        "its own test database, `TEST_DATABASE_NAME` with `_gw0`, `_gw1`, ... added)",
        "The test command",
    ),
    Variable(
        "AICEPS_TEST_DATABASE_ONLY",
        "unset (`1` in `./scripts/test`'s PostgreSQL run)",
        "run only the tests that use the database (pytest-django refuses the database to "
        "the others, so they cannot differ by database; those that reach it from another "
        "process are marked `database`), less those marked `first_database` (the stock "
        "schemathesis run)",
        "The test command",
    ),
    Variable(
        "AICEPS_TEST_DATABASE_NEXT",
        "unset (`1` in `./scripts/test`'s SQLite run)",
        "another database run follows: the tests marked `last_database` (the project's "
        "schemathesis run) wait for it",
        "The test command",
    ),
)


def _plain(value) -> str:
    """How a literal default reads in the table."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if value in ("", [], None):
        return "empty"
    if isinstance(value, float):
        return f"`{value:g}`"
    if isinstance(value, list):
        return f"`{','.join(value)}`"
    if isinstance(value, dict):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def _provider_variables(area: str) -> list[Variable]:
    """The settings the providers declare, in the registry's order."""
    from catalogue.providers.registry import declared_settings

    variables = []
    for setting in declared_settings():
        default = setting.shown or _plain(setting.default)
        if setting.secret:
            default += " (a secret)"
        variables.append(Variable(setting.name, default, setting.doc, area))
    return variables


def _shown(call: ast.Call, source: str) -> str:
    """How the default reads: ``shown=`` when given, else the literal default."""
    for keyword in call.keywords:
        if keyword.arg == "shown":
            return ast.literal_eval(keyword.value)
    if len(call.args) < 2:
        return {"env_bool": "off"}.get(call.func.id, "empty")
    try:
        value = ast.literal_eval(call.args[1])
    except ValueError:
        return f"`{ast.get_source_segment(source, call.args[1])}`"
    return _plain(value)


def declared(folder: Path = FOLDER) -> list[Variable]:
    """The variables the settings modules read, in area order, each once."""
    modules = sorted(
        (path for path in folder.glob("*.py") if path.name not in NOT_SETTINGS),
        key=lambda path: (list(AREAS).index(path.name) if path.name in AREAS else 99, path.name),
    )
    found: dict[str, Variable] = {}
    for path in modules:
        source = path.read_text(encoding="utf-8")
        calls = [
            node
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.startswith("env_")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ]
        for call in sorted(calls, key=lambda node: (node.lineno, node.col_offset)):
            name = call.args[0].value
            doc = next((ast.literal_eval(k.value) for k in call.keywords if k.arg == "doc"), "")
            area = DERIVED if call.func.id == "env_derived" else AREAS.get(path.name, path.stem)
            found.setdefault(name, Variable(name, _shown(call, source), doc, area))
        if path.name == "providers.py":
            for variable in _provider_variables(AREAS[path.name]):
                found.setdefault(variable.name, variable)
    variables = list(found.values())
    return [v for v in variables if v.area != DERIVED] + [v for v in variables if v.area == DERIVED]


def render() -> str:
    found = declared()
    variables = [v for v in found if v.area != DERIVED] + list(OUTSIDE)
    variables += [v for v in found if v.area == DERIVED]
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated by `python -m aiceps.settings.reference > docs/configuration.md` from",
        "     the settings' own declarations; edit those, not this file. -->",
        "",
        "Every setting is an environment variable or a line of the settings file (`.env` in",
        "the folder AicePS starts from; the environment wins). `./scripts/run` writes a",
        "commented `.env` on its first start; `aiceps-manage write-env` does the same for an",
        "installed wheel.",
    ]
    area = None
    for variable in variables:
        if variable.area != area:
            area = variable.area
            lines += [
                "",
                f"## {area}",
                "",
                *([DERIVED_INTRO, ""] if area == DERIVED else []),
                "| variable | default | meaning |",
                "| --- | --- | --- |",
            ]
        doc = variable.doc.replace("|", "\\|")
        lines.append(f"| `{variable.name}` | {variable.default} | {doc} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
