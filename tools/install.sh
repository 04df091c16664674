#!/usr/bin/env bash
# Install the toolkit into a virtual environment, in the order the OpenMMLab stack needs:
#   1. torch (kept if the environment already has one, else torch==$TORCH_VERSION),
#   2. mmcv 2.1.0 with its compiled ops, built from source against that torch (--no-build-isolation),
#      or taken from a wheel cache when one matches,
#   3. this project (editable) with mmengine, mmdet 3.3 and the rest, torch pinned to what is installed.
# Safe to run again: a finished install is recorded in $VENV/.msfam-installed and skipped.
#
# Usage: tools/install.sh [EXTRAS]          e.g. tools/install.sh dev
#        WHEELS=/path/to/wheels tools/install.sh   offline, on a machine without a package registry
# Environment:
#   VENV=.venv            the virtual environment (created if missing; an existing one is reused)
#   VENV_ARGS=            extra `python -m venv` flags, e.g. --system-site-packages to see a system torch
#   PYTHON=python3        the interpreter that creates the venv
#   TORCH_VERSION=2.13.0  torch installed when the environment has none
#   MMCV_WHEEL_CACHE=../shared/wheels   folder searched for a ready mmcv wheel (used only when it matches)
#   MMCV_FIND_LINKS=      extra pip --find-links for mmcv, e.g. OpenMMLab's prebuilt index for your CUDA/torch
#   FORCE_CUDA=1          build mmcv's CUDA ops on a machine where torch sees no GPU (needs nvcc)
#   WHEELS=               install offline from this folder only (every pip call gets --no-index --find-links):
#                         it holds torch (unless the environment has one), setuptools<81, wheel, ninja, psutil,
#                         numpy, an mmcv 2.1.0 wheel with ops built for that torch (../shared/wheels/README.md says
#                         how; else its source release, built here), and setup.py's requirements with theirs:
#                         `pip download -d DIR REQUIREMENT...` gathers them on a connected machine with the same
#                         Python and platform.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
TORCH_VERSION=${TORCH_VERSION:-2.13.0}
MMCV_VERSION=2.1.0
MMCV_WHEEL_CACHE=${MMCV_WHEEL_CACHE:-$ROOT/../shared/wheels}
EXTRAS=${1:-}

say() { printf '[install] %s\n' "$*"; }
die() { printf '[install] error: %s\n' "$*" >&2; exit 1; }

digest=$(cat "$ROOT/setup.py" "$ROOT/tools/install.sh" | sha256sum | cut -c1-16)
key=$digest-${EXTRAS:-base}
stamp="$VENV/.msfam-installed"
# an install with the dev extras also serves the base install
if [ -f "$stamp" ] && { grep -qx -- "$key" "$stamp" || { [ -z "$EXTRAS" ] && grep -qx -- "$digest-dev" "$stamp"; }; }; then
  say "up to date in $VENV"
  exit 0
fi

offline=()
if [ -n "${WHEELS:-}" ]; then
  [ -d "$WHEELS" ] || die "WHEELS=$WHEELS is not a folder"
  offline=(--no-index --find-links "$(cd "$WHEELS" && pwd)")
  say "offline: every package from $WHEELS"
fi
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PYTHON" -m venv ${VENV_ARGS:-} "$VENV" || die "could not create a virtual environment with $PYTHON (install python3-venv)"
fi
py="$VENV/bin/python"
# pip's output goes to $VENV/pip-install.log; the terminal sees its last lines only when it fails
pip_log="$VENV/pip-install.log"
pip_install() {
  if ! "$py" -m pip install --disable-pip-version-check --progress-bar off "${offline[@]}" "$@" >>"$pip_log" 2>&1; then
    tail -n 30 "$pip_log" >&2
    die "pip install $* failed (full log: $pip_log)"
  fi
}
say "pip's full log: $pip_log"

# 1. torch: a torch already in the environment (a CUDA build, say) is kept.
if "$py" -c "import torch" 2>/dev/null; then
  say "keeping torch $("$py" -c 'import torch; print(torch.__version__)')"
else
  say "installing torch==$TORCH_VERSION"
  pip_install "torch==$TORCH_VERSION" numpy  # numpy beside it: torch warns at import without it
fi
torch_version=$("$py" -c "import torch; print(torch.__version__)")
constraints=$(mktemp)
trap 'rm -f "$constraints"' EXIT
echo "torch==$torch_version" >"$constraints"

# 2. mmcv with compiled ops (mmdet's heads import mmcv.ops), built against the torch above.
pip_install -c "$constraints" "setuptools<81" wheel ninja psutil numpy
if "$py" -c "from mmcv.ops import nms" 2>/dev/null; then
  say "keeping mmcv $("$py" -c 'import mmcv; print(mmcv.__version__)') (ops present)"
else
  find_links=()
  # The cached wheel was built against torch 2.13.0+cpu and works only beside it.
  if [ -d "$MMCV_WHEEL_CACHE" ] && [ "$torch_version" = "2.13.0+cpu" ]; then
    say "mmcv==$MMCV_VERSION: looking in the wheel cache $MMCV_WHEEL_CACHE first"
    find_links+=(--find-links "$MMCV_WHEEL_CACHE")
  fi
  [ -n "${MMCV_FIND_LINKS:-}" ] && find_links+=(--find-links "$MMCV_FIND_LINKS")
  say "installing mmcv==$MMCV_VERSION (a matching wheel if there is one, else a source build: 5-10 minutes on 2 cores)"
  MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} CFLAGS=${CFLAGS:--g0 -O1} \
    pip_install --no-build-isolation -c "$constraints" "${find_links[@]}" "mmcv==$MMCV_VERSION"
  "$py" -c "from mmcv.ops import nms" ||
    die "mmcv installed without its compiled ops (mmcv._ext); remove it and rerun with torch installed first"
fi

# 3. the project and the rest of its requirements, torch held where it is.
target="$ROOT"
[ -n "$EXTRAS" ] && target="$ROOT[$EXTRAS]"
pip_install --no-build-isolation -c "$constraints" -e "$target"
"$py" -c "import fusion, detection, mmdet; from mmcv.ops import nms" || die "the installed environment does not import"

echo "$key" >>"$stamp"
say "done: $VENV (torch $torch_version, mmcv $MMCV_VERSION, extras: ${EXTRAS:-none})"
