# Shared by scripts/run and scripts/test: a virtualenv in .venv with the project installed.
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
aiceps_install() {  # $1: extras, e.g. "dev" or "dev,local"
  local extras="$1" stamp=".venv/.aiceps-installed-${1//,/-}"
  local digest
  digest="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    python -m pip install -q --upgrade pip
    if [[ ",$extras," == *",local,"* ]]; then
      # The CPU wheel of this exact version lies on the machines' disk; an unpinned torch
      # would download several GB of CUDA builds.
      python -m pip install -q "torch==2.13.0"
    fi
    python -m pip install -q -e ".[${extras}]"
    if [[ ",$extras," == *",local,"* && ",$extras," == *",dev,"* ]]; then
      # CLIP's real BPE vocabulary for the prompt tests; --no-deps: its torchvision and
      # timm requirements would replace the pinned torch (see pyproject's dev extra).
      python -m pip install -q --no-deps "open-clip-torch==3.3.0"
    fi
    echo "$digest" > "$stamp"
  fi
}
