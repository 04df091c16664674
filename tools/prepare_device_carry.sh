#!/usr/bin/env bash
# Prepare, on this machine, the git-ignored folders that tools/device_run.sh needs on a lent GPU machine,
# which has torch but no OpenMMLab packages, no package registry and no ../shared:
#
#   bash tools/prepare_device_carry.sh
#
# .device_wheels/base/       mmengine and what it needs, pytorch_msssim (~0.8 MB): the fusion, bench and
#                            fuse phases
# .device_wheels/detection/  mmdet, the CUDA build of mmcv (mmcv_site_cp312.tgz), pycocotools, shapely,
#                            terminaltables (~11.6 MB): the det phase
# .device_data.tgz           the fusion data the fusion phase reads, packed to fit beside .device_wheels/base:
#                            a call carries at most 64 MiB with the working tree, and the tracked files take
#                            about half of that (see fusion/jobs/device_run/packing.py; device_data.json inside
#                            lists what was left out)
#
# Environment: SHARED (default ../shared: wheels/device/ and data/), PYTHON (default python3, with mmengine:
#   use the project's virtualenv), DATA_MAX_MB (the tarball's size; default what is left of 64 MiB).
# It prints the device calls to make: one for the fusion phase, one for the others.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
PYTHON=${PYTHON:-python3}
SOURCE=$SHARED/wheels/device
if [[ ! -d $SOURCE ]]; then
    echo "prepare_device_carry.sh: no wheel folder $SOURCE (set SHARED to the folder holding wheels/device)" >&2
    exit 2
fi
if ! git check-ignore -q .device_wheels/x || ! git check-ignore -q .device_data.tgz; then
    echo "prepare_device_carry.sh: .device_wheels/ and .device_data.tgz must be git-ignored (see .gitignore)" >&2
    exit 2
fi

rm -rf .device_wheels
mkdir -p .device_wheels/base .device_wheels/detection
for file in "$SOURCE"/*; do
    case $(basename "$file") in
        mmengine-*|addict-*|yapf-*|termcolor-*|platformdirs-*|pytorch_msssim-*) cp "$file" .device_wheels/base/ ;;
        *.whl|*.tgz) cp "$file" .device_wheels/detection/ ;;
    esac
done
chmod -R u+w .device_wheels
echo "wheels: $(du -sh .device_wheels/base | cut -f1) in .device_wheels/base, $(du -sh .device_wheels/detection | cut -f1) in .device_wheels/detection"

MANIFEST=$(mktemp)
trap 'rm -f "$MANIFEST"' EXIT
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"  # tools/device_run.py imports fusion
"$PYTHON" tools/device_run.py pack-data --data "$SHARED/data" --out .device_data.tgz --carry .device_wheels/base \
    ${DATA_MAX_MB:+--budget-mb "$DATA_MAX_MB"} >"$MANIFEST"
MANIFEST=$MANIFEST "$PYTHON" - <<'EOF'
import json, os
m = json.load(open(os.environ["MANIFEST"]))
sets = ", ".join(f"{name} {s['packed']}/{s['pairs']}" for name, s in m["sets"].items())
print(f"data: .device_data.tgz, {m['tarball_bytes'] / 2**20:.1f} MiB: the {m['named_pairs']} pairs of the splits; "
      f"pairs of {sets}; KAIST images {m['kaist_images']['packed']}/"
      f"{m['kaist_images']['packed'] + m['kaist_images']['left_out']}"
      + ("" if m["complete"] else " (a subset: the 64 MiB a call carries holds no more)"))
EOF
cat <<'EOF'
device calls (the run tool; each call's timeout_s leaves time for the start-up):
  1. command: PHASES=fusion MIN_CLASSIFIER_ACCURACY=0 bash tools/device_run.sh
     carry: [".device_wheels/base", ".device_data.tgz"]        timeout_s: 480
  2. command: PHASES="bench fuse det" bash tools/device_run.sh
     carry: [".device_wheels"]                                  timeout_s: 480
EOF
