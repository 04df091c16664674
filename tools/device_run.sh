#!/usr/bin/env bash
# The one prepared script for a lent GPU machine: four measured phases, each under its own time budget,
# each writing as it goes under $OUT, so a call that is killed still returns what finished.
#
#   bash tools/prepare_device_carry.sh                        # here, once: .device_wheels/ and .device_data.tgz
#   PHASES=fusion bash tools/device_run.sh                    # call 1 there: carry .device_wheels/base .device_data.tgz
#   PHASES="bench fuse det" bash tools/device_run.sh          # call 2 there: carry .device_wheels
#   bash tools/device_run.sh --dry-run                        # (or DRY_RUN=1) every phase on the CPU, tiny, ~2 min
#
# Two calls because a call carries at most 64 MiB with the working tree (whose tracked files, the shipped
# weights above all, take ~31 MB): the fusion data and the detection wheels do not fit in one. Make the second
# call as soon as the first returns (the machine stays warm ~30 s; a fresh start costs 1-3 minutes). With the
# defaults the first takes ~6 minutes and the second ~5, within 15 minutes of device time with the start.
#
# Phases (PHASES, default "fusion bench fuse det", run in that order, priority first):
#   fusion  tools/train_fusion_all.sh SCHEDULE=gpu (the configs' paper schedules, bf16 autocast) for each of
#           FUSION_PHASES (default "stage1_msfam classifier stage1_nestfuse stage2_msfam_target": the shipped
#           stage 2, whose model selection needs NestFuse's run), one call each so that one failure does not stop
#           the next; budgets STAGE1_MIN (both stage-1 runs), CLASSIFIER_MIN, STAGE2_MIN, EXTRA_MIN (any other
#           phase, e.g. an ablation) in minutes (defaults 1.5, 0.5, 1, 1); each run may take STARTUP_MIN (0.5) more
#           for its start (data indexing, stage 2's first validation) before it is stopped. stage2_msfam (the
#           paper's stage 2, with the classifier) refuses a classifier below the configs' accuracy gate:
#           MIN_CLASSIFIER_ACCURACY (passed through; 0 in the dry run) lets a short run measure it anyway.
#   bench   bench/bench_models.py: msfam and nestfuse at BENCH_SIZE (640x512), batches BENCH_BATCHES ("1 16"),
#           for each of BENCH_DTYPES ("float32 bfloat16"), BENCH_REPEAT timed calls (10), BENCH_BUDGET s (5) each,
#           with its GEMM ceiling (bf16 8192^3; BENCH_CEILING sets the side). Budget BENCH_MIN (1.5).
#   fuse    tools/fuse_dataset.py kaist for each of FUSE_METHODS ("msfam nestfuse") on the synthetic KAIST at
#           FUSE_SIZE (640x512): FUSE_PAIRS_PER_SET x 4 distinct frames (64 x 4) repeated FUSE_REPEAT times (8:
#           2,048 pairs), batch FUSE_BATCH (16), dtype FUSE_DTYPE (float32), workers FUSE_WORKERS (the tool's
#           default); then bench/bench_fuse_dataset.py (end-to-end against model-only pairs/s, same run) on the
#           distinct frames repeated FUSE_BENCH_REPEAT times (2). Budget FUSE_MIN (2.25).
#   det     tools/train_det.py DET_CONFIG (gflv2_visible.py: GFLv2 R50-FPN, random init: nothing is downloaded)
#           on the visible band of the same synthetic KAIST, DET_ITERS iterations (300) of DET_BATCH images (8),
#           for each of DET_VARIANTS ("fp32 amp"; amp = --amp, skipped on the CPU). Budget DET_MIN (2).
# CALL_MIN (default 9): no step runs past this many minutes from the start (the device call's limit is 10).
#
# Environment: OUT (results; default outputs/device_run), WORK (scratch: runs, data, installed packages;
#   default $TMPDIR/device_run, reused by a rerun on the same machine: fusion runs resume), DEVICE (cuda),
#   PYTHON (python3), WHEELS (.device_wheels: every *.whl below it and mmcv_site_*.tgz are installed into
#   WORK/site, as ../shared/wheels/README.md says, when `import mmdet, mmcv.ops` fails; INSTALL=always|never
#   overrides). The fusion data: DATA (a folder holding fusion/ and kaist/images/), else DATA_TAR (a tarball
#   of such a folder, unpacked once into WORK/data; default .device_data.tgz when it exists), else
#   ../shared/data when it exists.
# Dry run: DEVICE=cpu, tiny budgets and data (a 64x64 stand-in of the fusion data, 8 synthetic KAIST frames
#   of 64x64 repeated twice, 2 detector iterations of 2 images), WORK $TMPDIR/device_run_dry,
#   OUT outputs/device_run_dry; any variable above still overrides.
# Outputs (at most 6 files, the device tool returns 8): $OUT/summary.json (machine, software, data, and per
#   phase: status ok|partial|timeout|failed|skipped, wall and budget seconds, every step's command, exit
#   status and seconds, and the results: training progress and speed, benchmark rows, pairs/s, images/s and
#   memory), rewritten after every phase; $OUT/<setup|phase>/log.txt, the output of each step as it runs.
# Exit status: 0 when every phase is ok, 1 otherwise, 2 for a usage error or DEVICE=cuda without a GPU.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"

usage() { sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
for arg in "$@"; do
    case $arg in
        --dry-run) DRY_RUN=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "device_run.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

DRY_RUN=${DRY_RUN:-0}
PHASES=${PHASES:-"fusion bench fuse det"}
PYTHON=${PYTHON:-python3}
WHEELS=${WHEELS:-.device_wheels}
INSTALL=${INSTALL:-auto}
FUSION_PHASES=${FUSION_PHASES:-"stage1_msfam classifier stage1_nestfuse stage2_msfam_target"}
FUSE_METHODS=${FUSE_METHODS:-"msfam nestfuse"}
DET_CONFIG=${DET_CONFIG:-gflv2_visible.py}
DET_VARIANTS=${DET_VARIANTS:-"fp32 amp"}
if [[ $DRY_RUN == 1 ]]; then
    export CUDA_VISIBLE_DEVICES=""  # every phase on the CPU, also on a machine with a GPU
    DEVICE=${DEVICE:-cpu}; OUT=${OUT:-outputs/device_run_dry}; WORK=${WORK:-${TMPDIR:-/tmp}/device_run_dry}
    CALL_MIN=${CALL_MIN:-30}
    STAGE1_MIN=${STAGE1_MIN:-0.02}; CLASSIFIER_MIN=${CLASSIFIER_MIN:-0.02}; STAGE2_MIN=${STAGE2_MIN:-0.02}
    EXTRA_MIN=${EXTRA_MIN:-0.02}; STARTUP_MIN=${STARTUP_MIN:-3}
    export MIN_CLASSIFIER_ACCURACY=${MIN_CLASSIFIER_ACCURACY:-0}  # a classifier of one step has no accuracy
    BENCH_MIN=${BENCH_MIN:-5}; BENCH_SIZE=${BENCH_SIZE:-64x64}; BENCH_BATCHES=${BENCH_BATCHES:-1}
    BENCH_REPEAT=${BENCH_REPEAT:-1}; BENCH_BUDGET=${BENCH_BUDGET:-1}; BENCH_CEILING=${BENCH_CEILING:-256}
    FUSE_MIN=${FUSE_MIN:-5}; FUSE_SIZE=${FUSE_SIZE:-64x64}; FUSE_PAIRS_PER_SET=${FUSE_PAIRS_PER_SET:-2}
    FUSE_REPEAT=${FUSE_REPEAT:-2}; FUSE_BENCH_REPEAT=${FUSE_BENCH_REPEAT:-1}; FUSE_BATCH=${FUSE_BATCH:-4}
    FUSE_WORKERS=${FUSE_WORKERS:-0}
    DET_MIN=${DET_MIN:-5}; DET_ITERS=${DET_ITERS:-2}; DET_BATCH=${DET_BATCH:-2}; DET_WORKERS=${DET_WORKERS:-0}
    DET_LOG_INTERVAL=${DET_LOG_INTERVAL:-1}
else
    DEVICE=${DEVICE:-cuda}; OUT=${OUT:-outputs/device_run}; WORK=${WORK:-${TMPDIR:-/tmp}/device_run}
    CALL_MIN=${CALL_MIN:-9}
    STAGE1_MIN=${STAGE1_MIN:-1.5}; CLASSIFIER_MIN=${CLASSIFIER_MIN:-0.5}; STAGE2_MIN=${STAGE2_MIN:-1}
    EXTRA_MIN=${EXTRA_MIN:-1}; STARTUP_MIN=${STARTUP_MIN:-0.5}
    BENCH_MIN=${BENCH_MIN:-1.5}; BENCH_SIZE=${BENCH_SIZE:-640x512}; BENCH_BATCHES=${BENCH_BATCHES:-"1 16"}
    BENCH_REPEAT=${BENCH_REPEAT:-10}; BENCH_BUDGET=${BENCH_BUDGET:-5}; BENCH_CEILING=${BENCH_CEILING:-}
    FUSE_MIN=${FUSE_MIN:-2.25}; FUSE_SIZE=${FUSE_SIZE:-640x512}; FUSE_PAIRS_PER_SET=${FUSE_PAIRS_PER_SET:-64}
    FUSE_REPEAT=${FUSE_REPEAT:-8}; FUSE_BENCH_REPEAT=${FUSE_BENCH_REPEAT:-2}; FUSE_BATCH=${FUSE_BATCH:-16}
    FUSE_WORKERS=${FUSE_WORKERS:-}
    DET_MIN=${DET_MIN:-2}; DET_ITERS=${DET_ITERS:-300}; DET_BATCH=${DET_BATCH:-8}; DET_WORKERS=${DET_WORKERS:-}
    DET_LOG_INTERVAL=${DET_LOG_INTERVAL:-10}
fi
FUSE_DTYPE=${FUSE_DTYPE:-float32}
BENCH_DTYPES=${BENCH_DTYPES:-"float32 bfloat16"}

for phase in $PHASES; do
    case $phase in fusion|bench|fuse|det) ;;
        *) echo "device_run.sh: unknown phase '$phase' in PHASES (phases: fusion bench fuse det)" >&2; exit 2 ;;
    esac
done
for name in CALL_MIN STAGE1_MIN CLASSIFIER_MIN STAGE2_MIN EXTRA_MIN STARTUP_MIN BENCH_MIN FUSE_MIN DET_MIN \
            BENCH_REPEAT BENCH_BUDGET FUSE_PAIRS_PER_SET FUSE_REPEAT FUSE_BENCH_REPEAT FUSE_BATCH DET_ITERS DET_BATCH \
            DET_LOG_INTERVAL; do
    if [[ ! ${!name} =~ ^[0-9]+([.][0-9]+)?$ ]]; then
        echo "device_run.sh: $name must be a number, got '${!name}'" >&2; exit 2
    fi
done
for name in FUSE_PAIRS_PER_SET FUSE_REPEAT FUSE_BENCH_REPEAT FUSE_BATCH DET_ITERS DET_BATCH; do
    if [[ ! ${!name} =~ ^[1-9][0-9]*$ ]]; then echo "device_run.sh: $name must be a whole number >= 1" >&2; exit 2; fi
done
for name in FUSE_WORKERS DET_WORKERS; do
    if [[ ! ${!name} =~ ^[0-9]*$ ]]; then echo "device_run.sh: $name must be a whole number or empty" >&2; exit 2; fi
done
if [[ ! $FUSE_SIZE =~ ^[0-9]+x[0-9]+$ ]]; then
    echo "device_run.sh: FUSE_SIZE must be WxH, e.g. 640x512; got '$FUSE_SIZE'" >&2; exit 2
fi
if ! command -v "$PYTHON" >/dev/null; then
    echo "device_run.sh: no Python interpreter '$PYTHON' (set PYTHON)" >&2; exit 2
fi
mkdir -p "$OUT" "$WORK"
OUT=$(cd "$OUT" && pwd); WORK=$(cd "$WORK" && pwd)
SUMMARY=$OUT/summary.json
HELPER=("$PYTHON" "$REPO/tools/device_run.py")
# train_fusion_all.sh runs `python`: make it this interpreter (a wrapper: a link would lose a virtualenv)
mkdir -p "$WORK/bin"; rm -f "$WORK/bin/python"  # never write through an old link
printf '#!/bin/sh\nexec "%s" "$@"\n' "$(command -v "$PYTHON")" >"$WORK/bin/python"
chmod +x "$WORK/bin/python"; export PATH="$WORK/bin:$PATH"
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.3f\", $* }"; }     # floating-point arithmetic (bash has none)
calc_int() { awk "BEGIN { printf \"%d\", $* }"; }
CALL_END=$(calc "$(now) + $CALL_MIN * 60")

# run_step PHASE NAME LIMIT_S CMD...: run CMD (output to PHASE's log) under `timeout` for at most LIMIT_S
# seconds, and no later than the phase's and the call's end; record it in WORK/PHASE/steps.jsonl.
run_step() {
    local phase=$1 name=$2 limit=$3 rc=0 start
    shift 3
    limit=$(calc_int "($limit < $PHASE_END - $(now)) ? $limit : $PHASE_END - $(now)")
    limit=$(calc_int "($limit < $CALL_END - $(now)) ? $limit : $CALL_END - $(now)")
    if ((limit < 3)); then
        echo "== $name: not run, no time left" >>"$OUT/$phase/log.txt"
        "${HELPER[@]}" step --steps "$WORK/$phase/steps.jsonl" --name "$name" --skipped time -- "$@"
        return 0
    fi
    echo "== $name (at most $limit s): $*" >>"$OUT/$phase/log.txt"
    start=$(now)
    timeout -s INT -k 30 "$limit" "$@" >>"$OUT/$phase/log.txt" 2>&1 || rc=$?
    echo "== $name: exit status $rc after $(calc "$(now) - $start") s" >>"$OUT/$phase/log.txt"
    "${HELPER[@]}" step --steps "$WORK/$phase/steps.jsonl" --name "$name" --rc "$rc" \
        --wall "$(calc "$(now) - $start")" -- "$@"
}

skip_step() {  # skip_step PHASE NAME REASON CMD...: a step that does not apply here
    local phase=$1 name=$2 reason=$3
    shift 3
    echo "== $name: not run, $reason" >>"$OUT/$phase/log.txt"
    "${HELPER[@]}" step --steps "$WORK/$phase/steps.jsonl" --name "$name" --skipped n/a --note "$reason" -- "$@"
}

# ---------------------------------------------------------------------------------------------- setup
imports() { "$PYTHON" -c "import $1" >/dev/null 2>&1; }

install_packages() {  # OpenMMLab and the rest from the carried wheels (see ../shared/wheels/README.md)
    local site=$WORK/site wheels=() archives=()
    if [[ $INSTALL == never ]] || { [[ $INSTALL == auto ]] && imports "mmdet, mmcv.ops"; }; then
        echo "install: skipped (INSTALL=$INSTALL; mmdet and mmcv.ops import: $(imports "mmdet, mmcv.ops" && echo yes || echo no))"
        return 0
    fi
    if [[ ! -d $WHEELS ]]; then
        echo "install: no wheel folder '$WHEELS' (WHEELS) and mmdet does not import: the phases that need it will" \
             "fail; make it with tools/prepare_device_carry.sh and name it in the call's carry" >&2
        return 1
    fi
    mapfile -t wheels < <(find "$WHEELS" -name '*.whl' | sort)
    mapfile -t archives < <(find "$WHEELS" -name 'mmcv_site_*.tgz' | sort)
    echo "install: ${#wheels[@]} wheels and ${#archives[@]} mmcv archives from $WHEELS into $site"
    rm -rf "$site"; mkdir -p "$site"
    if ((${#wheels[@]})); then
        "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$site" "${wheels[@]}" \
            || { echo "install: pip failed" >&2; return 1; }
    fi
    for archive in "${archives[@]}"; do
        tar xzf "$archive" -C "$site" || { echo "install: could not unpack $archive" >&2; return 1; }
    done
    export PYTHONPATH="$REPO:$site${PYTHONPATH#"$REPO"}"
    echo "install: done; mmengine imports: $(imports mmengine && echo yes || echo no), mmdet and mmcv.ops:" \
         "$(imports "mmdet, mmcv.ops" && echo yes || echo no)"
}

prepare_data() {  # sets DATA to the fusion data: DATA, else DATA_TAR (extracted once), else ../shared/data
    if [[ $DRY_RUN == 1 && -z ${DATA:-} ]]; then
        DATA=$WORK/fusion_data
        if [[ ! -f $DATA/device_data.json ]]; then "${HELPER[@]}" tiny-fusion-data "$DATA" || return 1; fi
    elif [[ -z ${DATA:-} && -f ${DATA_TAR:-.device_data.tgz} ]]; then
        local tarball=${DATA_TAR:-.device_data.tgz} stamp
        stamp=$(stat -c '%s %Y' "$tarball")
        DATA=$WORK/data
        if [[ $(cat "$DATA/.stamp" 2>/dev/null) != "$stamp" ]]; then
            echo "data: extracting $tarball into $DATA"
            rm -rf "$DATA"; mkdir -p "$DATA"
            tar xzf "$tarball" -C "$DATA" || { echo "data: could not unpack $tarball" >&2; return 1; }
            echo "$stamp" >"$DATA/.stamp"
        fi
    elif [[ -n ${DATA_TAR:-} ]]; then
        echo "data: DATA_TAR '$DATA_TAR' not found" >&2; return 1
    elif [[ -z ${DATA:-} && -d ../shared/data/fusion ]]; then
        DATA=$(cd ../shared/data && pwd)
    fi
    if [[ -z ${DATA:-} || ! -d $DATA/fusion ]]; then
        echo "data: no fusion data (DATA='${DATA:-}'): set DATA to a folder holding fusion/ and kaist/images/, or" \
             "carry the tarball of tools/prepare_device_carry.sh (DATA_TAR, default .device_data.tgz)" >&2
        DATA=""; return 1
    fi
    mkdir -p "$DATA/kaist/images" 2>/dev/null || true  # stage 1 reads it; empty is fine
    echo "data: $DATA"
}

mkdir -p "$OUT/setup"
SETUP_LOG=$OUT/setup/log.txt
SETUP_OK=1
{
    echo "device_run.sh: PHASES='$PHASES' DEVICE=$DEVICE DRY_RUN=$DRY_RUN OUT=$OUT WORK=$WORK CALL_MIN=$CALL_MIN"
    command -v nvidia-smi >/dev/null && nvidia-smi || true
    install_packages || SETUP_OK=0
} >>"$SETUP_LOG" 2>&1
DATA_MANIFEST=()
if [[ " $PHASES " == *" fusion "* ]]; then
    if prepare_data >>"$SETUP_LOG" 2>&1; then
        if [[ -f $DATA/device_data.json ]]; then DATA_MANIFEST=(--data-manifest "$DATA/device_data.json"); fi
    else
        SETUP_OK=0
    fi
fi
"${HELPER[@]}" environment --summary "$SUMMARY" --device "$DEVICE" --phases "$PHASES" \
    $([[ $DRY_RUN == 1 ]] && echo --dry-run) "${DATA_MANIFEST[@]}" >>"$SETUP_LOG" 2>&1
if [[ $DEVICE == cuda* ]] && ! "$PYTHON" -c "import torch, sys; sys.exit(not torch.cuda.is_available())"; then
    echo "device_run.sh: DEVICE=$DEVICE but torch sees no GPU here (DRY_RUN=1 runs every phase on the CPU)" \
        | tee -a "$SETUP_LOG" >&2
    exit 2
fi

# ---------------------------------------------------------------------------------------------- phases
phase_fusion() {
    local name minutes
    if [[ -z ${DATA:-} ]]; then
        echo "fusion: no data (see ../setup/log.txt)"
        "${HELPER[@]}" step --steps "$WORK/fusion/steps.jsonl" --name data --rc 1 -- prepare_data
        return 0
    fi
    for name in $FUSION_PHASES; do
        case $name in
            stage1_*) minutes=$STAGE1_MIN ;;
            classifier) minutes=$CLASSIFIER_MIN ;;
            stage2_*) minutes=$STAGE2_MIN ;;
            *) minutes=$EXTRA_MIN ;;
        esac
        run_step fusion "$name" "$(calc "($minutes + $STARTUP_MIN) * 60")" \
            env SCHEDULE=gpu OUT="$WORK/fusion" DATA="$DATA" DEVICE="$DEVICE" PHASES="$name" \
            STAGE1_MIN="$STAGE1_MIN" CLASSIFIER_MIN="$CLASSIFIER_MIN" STAGE2_MIN="$STAGE2_MIN" EXTRA_MIN="$EXTRA_MIN" \
            bash tools/train_fusion_all.sh
    done
}

phase_bench() {
    local dtype ceiling=()
    if [[ -n $BENCH_CEILING ]]; then ceiling=(--ceiling-size "$BENCH_CEILING"); fi
    for dtype in $BENCH_DTYPES; do
        # shellcheck disable=SC2086  # BENCH_BATCHES is a list
        run_step bench "bench_models_$dtype" "$(calc "$BENCH_MIN * 60")" \
            "$PYTHON" bench/bench_models.py --methods msfam,nestfuse --sizes "$BENCH_SIZE" --batches $BENCH_BATCHES \
            --repeat "$BENCH_REPEAT" --budget "$BENCH_BUDGET" --device "$DEVICE" --dtype "$dtype" "${ceiling[@]}" \
            --json "$WORK/bench/bench_models_$dtype.json"
    done
}

synthetic_kaist() {  # synthetic_kaist PHASE: the shared synthetic KAIST (WORK/synthetic_kaist, list "bench")
    run_step "$1" synthetic_kaist 600 "${HELPER[@]}" synthetic-kaist "$WORK/synthetic_kaist" \
        --pairs-per-set "$FUSE_PAIRS_PER_SET" --size "$FUSE_SIZE" --repeat "$FUSE_REPEAT"
}

phase_fuse() {
    local method workers=()
    if [[ -n $FUSE_WORKERS ]]; then workers=(--workers "$FUSE_WORKERS"); fi
    synthetic_kaist fuse
    for method in $FUSE_METHODS; do
        run_step fuse "fuse_dataset_$method" "$(calc "$FUSE_MIN * 60")" \
            "$PYTHON" tools/fuse_dataset.py kaist --root "$WORK/synthetic_kaist/kaist" --split bench \
            --out "$WORK/fuse/kaist_fused" --methods "$method" --device "$DEVICE" --dtype "$FUSE_DTYPE" \
            --batch-size "$FUSE_BATCH" "${workers[@]}" --no-progress
    done
    run_step fuse bench_fuse_dataset "$(calc "$FUSE_MIN * 60")" \
        "$PYTHON" bench/bench_fuse_dataset.py --root "$WORK/synthetic_kaist/source" --split synthetic-all \
        --repeat "$FUSE_BENCH_REPEAT" --methods "$(echo $FUSE_METHODS | tr ' ' ,)" --batch-size "$FUSE_BATCH" \
        --workers "${FUSE_WORKERS:-4}" --device "$DEVICE" --dtype "$FUSE_DTYPE" --json "$WORK/fuse/bench_fuse_dataset.json"
}

phase_det() {
    local frames epochs per_epoch limit variant amp options workers=()
    synthetic_kaist det
    # DET_ITERS iterations as whole epochs over the first `limit` frames of the synthetic list
    frames=$((4 * FUSE_PAIRS_PER_SET * FUSE_REPEAT))
    epochs=$(((DET_ITERS * DET_BATCH + frames - 1) / frames))
    per_epoch=$(((DET_ITERS + epochs - 1) / epochs))
    limit=$((per_epoch * DET_BATCH < frames ? per_epoch * DET_BATCH : frames))
    if [[ -n $FUSE_WORKERS ]]; then workers=(--workers "$FUSE_WORKERS"); fi
    run_step det fuse_visible 300 \
        "$PYTHON" tools/fuse_dataset.py kaist --root "$WORK/synthetic_kaist/kaist" --split bench \
        --out "$WORK/det/kaist_fused" --methods visible --limit "$limit" "${workers[@]}" --no-progress
    options=(model.backbone.init_cfg=None "train_cfg.max_epochs=$epochs" "train_dataloader.batch_size=$DET_BATCH"
             train_dataloader.dataset.ann_file=annotations/bench.json
             "train_dataloader.dataset.pipeline.2.scale=(${FUSE_SIZE%x*},${FUSE_SIZE#*x})"
             val_cfg=None val_dataloader=None val_evaluator=None test_cfg=None test_dataloader=None
             test_evaluator=None default_hooks.checkpoint=None "default_hooks.logger.interval=$DET_LOG_INTERVAL"
             randomness.seed=0)
    if [[ -n $DET_WORKERS ]]; then
        options+=("train_dataloader.num_workers=$DET_WORKERS")
        if ((DET_WORKERS == 0)); then options+=(train_dataloader.persistent_workers=False); fi
    fi
    for variant in $DET_VARIANTS; do
        amp=()
        if [[ $variant == amp ]]; then amp=(--amp); fi
        mkdir -p "$WORK/det/$variant"
        printf '{"variant": "%s", "config": "%s", "batch_size": %d, "epochs": %d, "frames": %d, "image_size": "%s"}\n' \
            "$variant" "$DET_CONFIG" "$DET_BATCH" "$epochs" "$limit" "$FUSE_SIZE" >"$WORK/det/$variant/settings.json"
        local command=("$PYTHON" tools/train_det.py "$DET_CONFIG" --work-dir "$WORK/det/$variant"
                       --data-root "$WORK/det/kaist_fused" "${amp[@]}" --cfg-options "${options[@]}")
        if [[ $variant == amp && $DEVICE == cpu ]]; then
            skip_step det "train_det_$variant" "mixed precision (mmengine's AmpOptimWrapper) needs a GPU" "${command[@]}"
        else
            run_step det "train_det_$variant" "$(calc "$DET_MIN * 60")" "${command[@]}"
        fi
    done
}

FAILED=0
if [[ $SETUP_OK != 1 ]]; then FAILED=1; fi
for phase in $PHASES; do
    mkdir -p "$OUT/$phase"
    case $phase in
        fusion) budget=0; for name in $FUSION_PHASES; do
                    case $name in stage1_*) m=$STAGE1_MIN ;; classifier) m=$CLASSIFIER_MIN ;;
                                  stage2_*) m=$STAGE2_MIN ;; *) m=$EXTRA_MIN ;; esac
                    budget=$(calc "$budget + ($m + $STARTUP_MIN) * 60")
                done ;;
        bench) budget=$(calc "$BENCH_MIN * 60") ;;
        fuse) budget=$(calc "$FUSE_MIN * 60") ;;
        det) budget=$(calc "$DET_MIN * 60") ;;
    esac
    if [[ $phase == fusion ]]; then
        rm -f "$WORK/fusion/steps.jsonl"  # the runs themselves stay: a rerun resumes them
    else
        rm -rf "${WORK:?}/$phase"
    fi
    mkdir -p "$WORK/$phase"
    PHASE_START=$(now)
    PHASE_END=$(calc "$PHASE_START + $budget")
    echo "== phase $phase (budget $budget s) =="
    set +e
    ( set -e; "phase_$phase" >>"$OUT/$phase/log.txt" 2>&1 )
    rc=$?
    set -e
    line=$("${HELPER[@]}" phase --summary "$SUMMARY" --work "$WORK/$phase" --name "$phase" \
           --wall "$(calc "$(now) - $PHASE_START")" --budget "$budget" --rc "$rc" 2>&1) \
        || line="$phase: could not be recorded in $SUMMARY: $line"
    echo "$line" | tee -a "$OUT/$phase/log.txt"
    if [[ $line != "$phase: ok "* ]]; then FAILED=1; fi
done
echo "summary: $SUMMARY"
exit "$FAILED"
