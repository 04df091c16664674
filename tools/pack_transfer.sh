#!/usr/bin/env bash
# For moving the project to a machine without a package registry whose transfers are size-limited (a lent GPU
# node, say, whose calls carry the working tree plus named git-ignored paths, 64 MiB in all: the tracked files
# take about 31 MiB of it). Writes git-ignored .transfer/ and prints what to carry and run there:
#
#   bash tools/pack_transfer.sh
#
# .transfer/wheels/fusion/     the wheels the fusion step needs (mmengine and its pure-Python needs, pytorch_msssim)
# .transfer/wheels/detection/  the other wheels of WHEEL_SOURCE (mmdet, mmcv's site tarball, pycocotools, ...)
# .transfer/fusion_data.tgz    the fusion data the default fusion phases read: every pair named in
#                              configs/fusion/splits/*.txt and the first PAIRS_PER_SET (5) pairs of each of SETS
#                              ("msrs llvip llvip_train", the sets configs/fusion/classifier.py reads whole), unchanged
#
# Environment: WHEEL_SOURCE (default ../shared/wheels/device: Python 3.12 wheels, ../shared/wheels/README.md),
#   DATA (default data/ when it holds fusion/, else ../shared/data), PAIRS_PER_SET, SETS, LIMIT_MB (64).
set -euo pipefail
cd "$(dirname "$0")/.."
WHEEL_SOURCE=${WHEEL_SOURCE:-../shared/wheels/device}
DATA=${DATA:-$([[ -d data/fusion ]] && echo data || echo ../shared/data)}
PAIRS_PER_SET=${PAIRS_PER_SET:-5}
SETS=${SETS:-"msrs llvip llvip_train"}
LIMIT_MB=${LIMIT_MB:-64}
[[ -d $WHEEL_SOURCE ]] || { echo "pack_transfer.sh: no wheel folder $WHEEL_SOURCE (WHEEL_SOURCE)" >&2; exit 2; }
[[ -d $DATA/fusion ]] || { echo "pack_transfer.sh: no $DATA/fusion (DATA)" >&2; exit 2; }
git check-ignore -q .transfer/x || { echo "pack_transfer.sh: .transfer/ must be git-ignored" >&2; exit 2; }

rm -rf .transfer
mkdir -p .transfer/wheels/fusion .transfer/wheels/detection
for file in "$WHEEL_SOURCE"/*.whl "$WHEEL_SOURCE"/*.tgz; do
    case $(basename "$file") in
        mmengine-*|addict-*|yapf-*|termcolor-*|platformdirs-*|pytorch_msssim-*) cp "$file" .transfer/wheels/fusion/ ;;
        *) if [[ -f $file ]]; then cp "$file" .transfer/wheels/detection/; fi ;;
    esac
done

shopt -s nullglob
list=$(mktemp)
trap 'rm -f "$list"' EXIT
pair() {  # pair SET STEM: both images, relative to DATA
    local files=("$DATA/fusion/$1/vi/$2".* "$DATA/fusion/$1/ir/$2".*)
    ((${#files[@]} == 2)) || { echo "pack_transfer.sh: no single pair $1/$2 in $DATA/fusion" >&2; exit 1; }
    printf '%s\n' "${files[@]#"$DATA"/}" >>"$list"
}
while read -r name; do pair "${name%%/*}" "${name#*/}"; done < <(cut -d'#' -f1 configs/fusion/splits/*.txt | awk NF)
for set in $SETS; do
    while read -r image; do pair "$set" "${image%.*}"; done < <(ls -v "$DATA/fusion/$set/vi" | head -n "$PAIRS_PER_SET")
done
tar czf .transfer/fusion_data.tgz -C "$DATA" -T "$list"

mib() { du -cb "$@" | tail -1 | awk '{ printf "%.1f", $1 / 2^20 }'; }
tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 du -cb 2>/dev/null \
       | awk '$2 == "total" { s += $1 } END { printf "%.1f", s / 2^20 }')  # what travels of the working tree
fusion_call=$(awk "BEGIN { print $tree + $(mib .transfer/wheels/fusion .transfer/fusion_data.tgz) }")
other_call=$(awk "BEGIN { print $tree + $(mib .transfer/wheels) }")
cat <<EOF
$(wc -l <"$list") images in .transfer/fusion_data.tgz ($(mib .transfer/fusion_data.tgz) MiB), wheels \
$(mib .transfer/wheels) MiB
working tree $tree MiB. Two calls, each within $LIMIT_MB MiB with the tree:
  fusion ($fusion_call MiB): carry .transfer/wheels/fusion .transfer/fusion_data.tgz
  the rest ($other_call MiB): carry .transfer/wheels
There, in each call (any scratch folders as /tmp/site and /tmp/data):
  pip install -q --no-index --no-deps --target /tmp/site \$(find .transfer/wheels -name '*.whl')
  find .transfer/wheels -name 'mmcv_site_*.tgz' -exec tar xzf {} -C /tmp/site \\;
  export PYTHONPATH=/tmp/site
then   mkdir -p /tmp/data/kaist/images && tar xzf .transfer/fusion_data.tgz -C /tmp/data
       DATA=/tmp/data STEPS=fusion TIME_BUDGET_MIN=1.5 bash tools/reproduce_gpu.sh
or     STEPS="bench fuse det" bash tools/reproduce_gpu.sh
EOF
if awk "BEGIN { exit !($fusion_call > $LIMIT_MB || $other_call > $LIMIT_MB) }"; then
    echo "pack_transfer.sh: a call would carry more than $LIMIT_MB MiB: lower PAIRS_PER_SET" >&2
    exit 1
fi
