# Shared by scripts/run and scripts/test: a virtualenv in .venv with the project installed.
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "aiceps: creating the virtualenv .venv" >&2
  "$PYTHON" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
aiceps_step() {  # a progress line: what the script is doing now
  echo "aiceps: $*" >&2
}
aiceps_installed() {  # $1: extras; true when an install of these extras (or more) is current
  local digest stamp have want
  digest="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  for stamp in .venv/.aiceps-installed*; do
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] || continue
    have=",$(basename "$stamp" | sed -e 's/^.aiceps-installed-\{0,1\}//' -e 's/-/,/g'),"
    local missing=0
    for want in ${1//,/ }; do [[ "$have" == *",$want,"* ]] || missing=1; done
    [ "$missing" = 0 ] && return 0
  done
  return 1
}
aiceps_pip() {  # pip install, one line per package it fetches (pip itself is quiet)
  python -m pip install --disable-pip-version-check "$@" 2>&1 | {
    count=0
    while IFS= read -r line; do
      case "$line" in
        Collecting*) count=$((count + 1)); echo "  [$count] ${line#Collecting }" >&2 ;;
        Processing\ *) count=$((count + 1)); echo "  [$count] $(basename "${line#Processing }")" >&2 ;;
        ERROR*|error*) echo "$line" >&2 ;;
      esac
    done
  }
  return "${PIPESTATUS[0]}"
}
aiceps_setuptools_current() {  # the wheel's build backend (pyproject: setuptools>=77)
  python -c 'import sys; from importlib.metadata import version as v
sys.exit(int(v("setuptools").split(".")[0]) < 77)' 2>/dev/null
}
aiceps_uv() {  # uv (a faster installer) in .venv, reading pip's configuration; false without it
  [ -n "${aiceps_uv_ready:-}" ] && return 0  # once per script: each install step asks
  python -c 'import uv' 2>/dev/null || aiceps_pip -q uv >/dev/null 2>&1 || return 1
  # uv does not read pip's configuration: this machine's wheel folder, extra indexes and
  # constraints are handed over, pip's rule of the best match over all indexes included.
  local key value
  while IFS='=' read -r key value; do
    value="${value#\'}"; value="${value%\'}"
    case "$key" in
      *.index-url) export UV_INDEX_URL="${UV_INDEX_URL:-$value}" ;;
      *.extra-index-url) export UV_EXTRA_INDEX_URL="${UV_EXTRA_INDEX_URL:-$value}" ;;
      *.find-links) export UV_FIND_LINKS="${UV_FIND_LINKS:-$value}" ;;
      *.constraint) export UV_CONSTRAINT="${UV_CONSTRAINT:-$value}" ;;
    esac
  done < <(python -m pip config list 2>/dev/null)
  export UV_INDEX_STRATEGY="${UV_INDEX_STRATEGY:-unsafe-best-match}"
  aiceps_uv_ready=1
}
aiceps_fast_pip() {  # like aiceps_pip, through uv when it is there (seconds instead of minutes)
  if [ "${AICEPS_INSTALLER:-uv}" = uv ] && aiceps_uv; then
    python -m uv pip install --python "$(command -v python)" "$@" 2>&1 | {
      count=0
      while IFS= read -r line; do
        case "$line" in
          \ +\ *) count=$((count + 1)); echo "  [$count] ${line# + }" >&2 ;;
          error*|*ERROR*) echo "$line" >&2 ;;
        esac
      done
    }
    [ "${PIPESTATUS[0]}" = 0 ] && return 0
    aiceps_step "uv could not install $*; trying pip"
  fi
  aiceps_pip "$@"
}
aiceps_install() {  # $1: extras: "" (what running needs), "dev" or "dev,local"
  local extras="$1" stamp=".venv/.aiceps-installed${1:+-${1//,/-}}"
  if aiceps_installed "$extras"; then
    # A virtualenv's own setuptools (65 on Python 3.11) cannot build the wheel
    # (tests/test_packaging.py builds it without build isolation).
    aiceps_setuptools_current || aiceps_fast_pip --upgrade "setuptools>=77"
    return 0
  fi
  aiceps_step "installing AicePS${extras:+ with [$extras]} into .venv (the first time takes" \
    "under a minute with uv, about 3 minutes with pip; later starts skip this)"
  local torch=()
  # The CPU wheel of this exact version lies on the machines' disk; an unpinned torch would
  # download several GB of CUDA builds.
  [[ ",$extras," == *",local,"* ]] && torch=("torch==2.13.0")
  aiceps_fast_pip --upgrade pip "setuptools>=77" "${torch[@]}" -e ".${extras:+[$extras]}"
  if [[ ",$extras," == *",local,"* && ",$extras," == *",dev,"* ]]; then
    # CLIP's real BPE vocabulary for the prompt tests; --no-deps: its torchvision and
    # timm requirements would replace the pinned torch (see pyproject's dev extra).
    aiceps_fast_pip --no-deps "open-clip-torch==3.3.0"
  fi
  sha256sum pyproject.toml | cut -d' ' -f1 > "$stamp"
  aiceps_step "installed"
}
