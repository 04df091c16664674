#!/usr/bin/env bash
# The project's GPU work in one command, over the existing tools, on any machine where the project is installed
# (`make install` or tools/install.sh; README "GPU users"). Every result and log goes under $OUT.
#
#   bash tools/reproduce_gpu.sh                        # every step on the GPU: hours (the paper's schedules)
#   STEPS="bench fuse" bash tools/reproduce_gpu.sh     # some steps only
#   bash tools/reproduce_gpu.sh --dry-run              # every step's commands on the CPU, tiny (~2-3 min)
#
# Steps (STEPS, default "fusion bench fuse det", in this order; every command's exit status is kept and a
# failed command does not stop the next):
#   fusion  tools/train_fusion_all.sh with SCHEDULE=paper (the configs' own schedules) for each of FUSION_PHASES
#           (default "stage1_msfam classifier stage1_nestfuse stage2_msfam_target": the shipped weights'), one
#           call each, work dirs in $OUT/fusion (a rerun resumes them), data from DATA (fusion/ and kaist/images/
#           below it; default: the tool's, $MSFAM_DATA else data/).
#   bench   bench/bench_models.py: msfam and nestfuse at BENCH_SIZE (640x512), batches BENCH_BATCHES ("1 16"),
#           BENCH_REPEAT timed calls (20), once for each of BENCH_DTYPES ("float32 bfloat16"):
#           $OUT/bench/bench_models_<dtype>.json.
#   fuse    bench/bench_fuse_dataset.py: the fused-dataset job (tools/fuse_dataset.py) end to end against the
#           model alone, msfam and nestfuse, on a synthetic KAIST (fusion.datasets.synthetic_kaist: SYN_PAIRS
#           frames (64) in each of its 4 sets, SYN_SIZE (640x512)) repeated FUSE_REPEAT times (8: 2,048 pairs),
#           batch FUSE_BATCH (16), FUSE_WORKERS decoding processes (4), FUSE_DTYPE (float32):
#           $OUT/bench/bench_fuse_dataset.json.
#   det     tools/train_det.py DET_CONFIG (gflv2_visible.py: GFLv2 R50-FPN, random init, nothing downloaded) on
#           the visible band of the same synthetic KAIST (tools/fuse_dataset.py --methods visible), DET_EPOCHS
#           (10) epochs of DET_BATCH (8) images (about 320 iterations), no validation or checkpoints, fp32 and
#           --amp: $OUT/det/{fp32,amp}/ (mmengine's <timestamp>/vis_data/scalars.json: each logged iteration's
#           time and memory).
# Environment: OUT (default outputs/reproduce_gpu), DEVICE (cuda), PYTHON (every step's interpreter; default
#   .venv/bin/python when there, else python3), TIME_BUDGET_MIN (passed to train_fusion_all.sh: minutes each
#   fusion phase may train before it stops and saves; default none, the full schedules; later phases then start
#   from the unfinished networks), STEP_TIMEOUT_MIN (a hard cap in minutes on every command, through
#   `timeout`; default none).
# Outputs: $OUT/steps.tsv (one line a command: step, exit status, seconds, command; status 3 of a fusion phase:
#   stopped on TIME_BUDGET_MIN, no failure; 124: killed at STEP_TIMEOUT_MIN), $OUT/logs/<step>.log (each
#   command's output), $OUT/environment.txt (GPU, Python, torch, OpenMMLab), the tools' own files named above,
#   and the generated data in $OUT/data.
# Exit status: 0 when every command passed, 1 when one failed, 2 for a usage error or DEVICE=cuda without a GPU.
# Dry run (--dry-run or DRY_RUN=1): no GPU visible, DEVICE=cpu, OUT outputs/reproduce_gpu_dry; the fusion step
#   only prints its training commands (train_fusion_all.sh's DRY_RUN: one iteration of the paper's configs takes
#   minutes on a CPU); BENCH_SIZE=64x64, BENCH_BATCHES=2, BENCH_REPEAT=1, SYN_PAIRS=2, SYN_SIZE=64x64,
#   FUSE_REPEAT=2, FUSE_BATCH=4, FUSE_WORKERS=0, DET_EPOCHS=1, DET_BATCH=4; --amp is skipped (it needs a GPU).
#   Any variable above still overrides.
# Untested on a GPU: no GPU run of this script has been made. The dry run is tested (tests/tools/test_reproduce_gpu.py).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"

for arg in "$@"; do
    case $arg in
        --dry-run) DRY_RUN=1 ;;
        -h|--help) sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "reproduce_gpu.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
    esac
done
DRY_RUN=${DRY_RUN:-0}
if [[ -z ${PYTHON:-} ]]; then
    PYTHON=python3
    if [[ -x ${VENV:-.venv}/bin/python ]]; then PYTHON=$(cd "${VENV:-.venv}/bin" && pwd)/python; fi
fi
STEPS=${STEPS:-"fusion bench fuse det"}
FUSION_PHASES=${FUSION_PHASES:-"stage1_msfam classifier stage1_nestfuse stage2_msfam_target"}
BENCH_DTYPES=${BENCH_DTYPES:-"float32 bfloat16"}
FUSE_DTYPE=${FUSE_DTYPE:-float32}
DET_CONFIG=${DET_CONFIG:-gflv2_visible.py}
TIME_BUDGET_MIN=${TIME_BUDGET_MIN:-}
STEP_TIMEOUT_MIN=${STEP_TIMEOUT_MIN:-}
if [[ $DRY_RUN == 1 ]]; then
    export CUDA_VISIBLE_DEVICES=""
    DEVICE=${DEVICE:-cpu}; OUT=${OUT:-outputs/reproduce_gpu_dry}
    BENCH_SIZE=${BENCH_SIZE:-64x64}; BENCH_BATCHES=${BENCH_BATCHES:-2}; BENCH_REPEAT=${BENCH_REPEAT:-1}
    BENCH_EXTRA=(--budget 1 --ceiling-size 256)
    SYN_PAIRS=${SYN_PAIRS:-2}; SYN_SIZE=${SYN_SIZE:-64x64}; FUSE_REPEAT=${FUSE_REPEAT:-2}
    FUSE_BATCH=${FUSE_BATCH:-4}; FUSE_WORKERS=${FUSE_WORKERS:-0}
    DET_EPOCHS=${DET_EPOCHS:-1}; DET_BATCH=${DET_BATCH:-4}; DET_WORKERS=${DET_WORKERS:-0}; DET_LOG_INTERVAL=1
else
    DEVICE=${DEVICE:-cuda}; OUT=${OUT:-outputs/reproduce_gpu}
    BENCH_SIZE=${BENCH_SIZE:-640x512}; BENCH_BATCHES=${BENCH_BATCHES:-"1 16"}; BENCH_REPEAT=${BENCH_REPEAT:-20}
    BENCH_EXTRA=()
    SYN_PAIRS=${SYN_PAIRS:-64}; SYN_SIZE=${SYN_SIZE:-640x512}; FUSE_REPEAT=${FUSE_REPEAT:-8}
    FUSE_BATCH=${FUSE_BATCH:-16}; FUSE_WORKERS=${FUSE_WORKERS:-4}
    DET_EPOCHS=${DET_EPOCHS:-10}; DET_BATCH=${DET_BATCH:-8}; DET_WORKERS=${DET_WORKERS:-}; DET_LOG_INTERVAL=10
fi

usage_error() { echo "reproduce_gpu.sh: $*" >&2; exit 2; }
for step in $STEPS; do
    case $step in
        fusion|bench|fuse|det) ;;
        *) usage_error "unknown step '$step' in STEPS (fusion bench fuse det)" ;;
    esac
done
for name in SYN_PAIRS FUSE_REPEAT FUSE_BATCH FUSE_WORKERS DET_EPOCHS DET_BATCH BENCH_REPEAT; do
    [[ ${!name} =~ ^[0-9]+$ ]] || usage_error "$name must be a whole number, got '${!name}'"
done
[[ $DET_WORKERS =~ ^[0-9]*$ ]] || usage_error "DET_WORKERS must be a whole number or empty, got '$DET_WORKERS'"
for name in SYN_SIZE BENCH_SIZE; do
    [[ ${!name} =~ ^[0-9]+x[0-9]+$ ]] || usage_error "$name must be WxH, e.g. 640x512; got '${!name}'"
done
for name in TIME_BUDGET_MIN STEP_TIMEOUT_MIN; do
    [[ ${!name} =~ ^([0-9]+([.][0-9]+)?)?$ ]] || usage_error "$name must be a number of minutes, got '${!name}'"
done
command -v "$PYTHON" >/dev/null || usage_error "no Python interpreter '$PYTHON' (set PYTHON)"
if [[ $DEVICE == cuda* ]] && ! "$PYTHON" -c "import torch, sys; sys.exit(not torch.cuda.is_available())"; then
    usage_error "DEVICE=$DEVICE but torch sees no GPU (--dry-run runs every step on the CPU)"
fi

mkdir -p "$OUT/logs" "$OUT/bench" "$OUT/data"
OUT=$(cd "$OUT" && pwd)
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
printf 'step\texit_status\tseconds\tcommand\n' >"$OUT/steps.tsv"
FAILED=0

ALSO_OK=""  # exit statuses besides 0 that are no failure
record() {  # record NAME STATUS SECONDS COMMAND
    printf '%s\t%s\t%s\t%s\n' "$@" >>"$OUT/steps.tsv"
    echo "$1: exit status $2 after $3 s (log: $OUT/logs/$1.log)"
    if [[ " 0 skipped $ALSO_OK " != *" $2 "* ]]; then FAILED=1; fi
}

run() {  # run NAME CMD...: CMD with its output in $OUT/logs/NAME.log, recorded in $OUT/steps.tsv
    local name=$1 rc=0 start=$SECONDS
    shift
    local cap=()
    if [[ -n $STEP_TIMEOUT_MIN ]]; then cap=(timeout -s INT -k 60 "${STEP_TIMEOUT_MIN}m"); fi
    echo "== $name: $*" >"$OUT/logs/$name.log"
    "${cap[@]}" "$@" >>"$OUT/logs/$name.log" 2>&1 </dev/null || rc=$?
    record "$name" "$rc" $((SECONDS - start)) "$*"
}

{
    echo "reproduce_gpu.sh: STEPS='$STEPS' DEVICE=$DEVICE DRY_RUN=$DRY_RUN PYTHON=$PYTHON $(date -Is)"
    git -C "$REPO" describe --always --dirty 2>/dev/null || true
    if command -v nvidia-smi >/dev/null; then nvidia-smi || true; fi
    "$PYTHON" - <<'EOF' || true
import importlib, platform, sys
print("python", sys.version.split()[0], platform.platform())
for name in ("torch", "mmengine", "mmcv", "mmdet", "pytorch_msssim", "cv2", "numpy"):
    try:
        module = importlib.import_module(name)
        print(name, getattr(module, "__version__", "?"), module.__file__)
    except Exception as error:
        print(name, "not importable:", error)
import torch
print("cuda", torch.version.cuda, "available:", torch.cuda.is_available(),
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
try:
    from mmcv.ops import nms  # noqa: F401
    print("mmcv.ops: imports")
except Exception as error:
    print("mmcv.ops: not importable:", error)
EOF
} >"$OUT/environment.txt" 2>&1

if [[ " $STEPS " == *" fusion "* ]]; then
    # train_fusion_all.sh exits with 3 when a phase stopped on TIME_BUDGET_MIN: asked for, so no failure
    if [[ -n $TIME_BUDGET_MIN ]]; then ALSO_OK=3; fi
    for phase in $FUSION_PHASES; do
        settings=(SCHEDULE=paper "OUT=$OUT/fusion" "DEVICE=$DEVICE" "PHASES=$phase" "PYTHON=$PYTHON")
        if [[ -n ${DATA:-} ]]; then settings+=("DATA=$DATA"); fi
        if [[ -n $TIME_BUDGET_MIN ]]; then settings+=("TIME_BUDGET_MIN=$TIME_BUDGET_MIN"); fi
        if [[ $DRY_RUN == 1 ]]; then settings+=(DRY_RUN=1); fi  # it prints its command instead
        run "fusion_$phase" env -u DRY_RUN "${settings[@]}" bash tools/train_fusion_all.sh
    done
    ALSO_OK=""
fi

if [[ " $STEPS " == *" bench "* ]]; then
    for dtype in $BENCH_DTYPES; do
        # shellcheck disable=SC2086  # BENCH_BATCHES is a list
        run "bench_models_$dtype" "$PYTHON" bench/bench_models.py --methods msfam,nestfuse --sizes "$BENCH_SIZE" \
            --batches $BENCH_BATCHES --repeat "$BENCH_REPEAT" --device "$DEVICE" --dtype "$dtype" "${BENCH_EXTRA[@]}" \
            --json "$OUT/bench/bench_models_$dtype.json"
    done
fi

SYN=$OUT/data/synthetic_kaist
if [[ " $STEPS " == *" fuse "* || " $STEPS " == *" det "* ]]; then
    rm -rf "$SYN" "$OUT/data/kaist_fused"
    run synthetic_kaist "$PYTHON" -c "import sys; from fusion.datasets.synthetic_kaist import make_synthetic_kaist as \
make; make(sys.argv[1], pairs_per_set=int(sys.argv[2]), width=int(sys.argv[3]), height=int(sys.argv[4]))" \
        "$SYN" "$SYN_PAIRS" "${SYN_SIZE%x*}" "${SYN_SIZE#*x}"
fi

if [[ " $STEPS " == *" fuse "* ]]; then
    run bench_fuse_dataset "$PYTHON" bench/bench_fuse_dataset.py --root "$SYN" --split synthetic-all \
        --repeat "$FUSE_REPEAT" --methods msfam,nestfuse --batch-size "$FUSE_BATCH" --workers "$FUSE_WORKERS" \
        --device "$DEVICE" --dtype "$FUSE_DTYPE" --json "$OUT/bench/bench_fuse_dataset.json"
fi

if [[ " $STEPS " == *" det "* ]]; then
    run fuse_visible "$PYTHON" tools/fuse_dataset.py kaist --root "$SYN" --split synthetic-all \
        --out "$OUT/data/kaist_fused" --methods visible --workers "$FUSE_WORKERS" --no-progress
    options=(model.backbone.init_cfg=None "train_cfg.max_epochs=$DET_EPOCHS" "train_dataloader.batch_size=$DET_BATCH"
             train_dataloader.dataset.ann_file=annotations/synthetic-all.json
             "train_dataloader.dataset.pipeline.2.scale=(${SYN_SIZE%x*},${SYN_SIZE#*x})"
             val_cfg=None val_dataloader=None val_evaluator=None test_cfg=None test_dataloader=None
             test_evaluator=None default_hooks.checkpoint=None "default_hooks.logger.interval=$DET_LOG_INTERVAL"
             randomness.seed=0)
    if [[ -n $DET_WORKERS ]]; then
        options+=("train_dataloader.num_workers=$DET_WORKERS")
        if ((DET_WORKERS == 0)); then options+=(train_dataloader.persistent_workers=False); fi
    fi
    for variant in fp32 amp; do
        amp=()
        if [[ $variant == amp ]]; then amp=(--amp); fi
        command=("$PYTHON" tools/train_det.py "$DET_CONFIG" --work-dir "$OUT/det/$variant"
                 --data-root "$OUT/data/kaist_fused" "${amp[@]}" --cfg-options "${options[@]}")
        if [[ $variant == amp && $DEVICE == cpu ]]; then
            echo "== train_det_$variant: not run (mixed precision needs a GPU): ${command[*]}" \
                >"$OUT/logs/train_det_$variant.log"
            record "train_det_$variant" skipped 0 "${command[*]}"
        else
            run "train_det_$variant" "${command[@]}"
        fi
    done
fi

echo "steps: $OUT/steps.tsv"
exit "$FAILED"
