#!/usr/bin/env bash
# Train every fusion phase in order with bf16 autocast, each phase one config into one work directory; run it
# again to resume whatever did not finish. The configs hold everything else (configs/fusion/README.md).
#
#   SCHEDULE=cpu bash tools/train_fusion_all.sh                          # the shipped weights' schedule (2-core CPU)
#   SCHEDULE=paper OUT=/scratch/runs DATA=/data bash tools/train_fusion_all.sh   # the paper's schedules (a GPU)
#
# SCHEDULE   paper (default): configs/fusion/<phase>.py, the paper's schedules, each run to completion;
#            cpu: configs/fusion/cpu/<phase>.py, the schedule the shipped weights were trained with.
#            gpu: the former name of paper, still accepted (it no longer implies time budgets).
# PHASES     the phases to run, in the order given (default: PHASE_ORDER below; stage2_msfam, the paper's stage 2,
#            runs only when named). Each trains <schedule's folder>/<phase>.py into OUT/<phase>.
# OUT        the folder of the work directories, relative to the repository root unless absolute (default:
#            $MSFAM_WORK_ROOT, else work_dirs). Exported as MSFAM_WORK_ROOT, from which the configs read the
#            earlier phases' networks (configs/fusion/_base_/runtime.py).
# DATA       the data folder, relative to the repository root unless absolute (default: $MSFAM_DATA, else the
#            repository's data/; data/README.md).
# DEVICE     cpu, cuda, cuda:1, ... (default: CUDA when available).
# TIME_BUDGET_MIN  minutes of wall time each phase may spend before it stops cleanly and saves (default: none).
#            A phase that stops before completing ends the script with status 3 (later phases would read its
#            unfinished network); running it again resumes that phase.
# MIN_CLASSIFIER_ACCURACY  the least validation balanced accuracy of the Semantic Constraint classifier that the
#            stage-2 phases (stage2_*, ablation_*) accept (default: the task's gate, 0.90; 0 accepts any).
# CFG_OPTIONS  further KEY=VALUE overrides (space-separated) passed to every phase run, as --cfg-options.
# PYTHON     the interpreter (default python). DRY_RUN=1: print the commands instead of running them.
#
# A phase is complete when OUT/<phase> holds final.pth and its log.jsonl records the end of the schedule: it is
# skipped. A phase with OUT/<phase>/last.pth is resumed (--resume).
set -euo pipefail
cd "$(dirname "$0")/.."

# The phases in training order: stage 1, the classifier and NestFuse before the stage-2 phases that read them.
PHASE_ORDER=(stage1_msfam classifier stage1_nestfuse stage2_msfam_target
             ablation_full ablation_neither ablation_no_pushpull ablation_no_constraint ablation_conv5
             ablation_no_stage1 ablation_literal_pushpull ablation_no_warm_start ablation_feature_fit
             ablation_unbounded_constraint ablation_l1_max ablation_target_contrast ablation_pushpull_target
             ablation_frozen_decoder ablation_pushpull_target_frozen)

SCHEDULE=${SCHEDULE:-paper}
case $SCHEDULE in
    paper|gpu) CONFIGS=configs/fusion ;;
    cpu) CONFIGS=configs/fusion/cpu ;;
    *) echo "SCHEDULE must be paper or cpu, got '$SCHEDULE'" >&2; exit 2 ;;
esac
for old in STAGE1_MIN CLASSIFIER_MIN STAGE2_MIN EXTRA_MIN STAGE2_ITERS; do
    if [[ -n ${!old:-} ]]; then
        echo "warning: $old is no longer read (schedules live in $CONFIGS; TIME_BUDGET_MIN caps every phase)" >&2
    fi
done
OUT=${OUT:-${MSFAM_WORK_ROOT:-work_dirs}}
export MSFAM_WORK_ROOT=$OUT
PYTHON=${PYTHON:-python}

read -r -d '' -a PHASE_LIST <<< "${PHASES:-${PHASE_ORDER[*]}}" || true
read -r -d '' -a EXTRA_OPTIONS <<< "${CFG_OPTIONS:-}" || true
for phase in "${PHASE_LIST[@]}"; do
    if [[ ! $phase =~ ^[a-z][a-z0-9_]*$ || ! -f $CONFIGS/$phase.py ]]; then
        echo "unknown phase '$phase' (a phase is the name of a config in $CONFIGS)" >&2; exit 2
    fi
done

COMMON=(--amp --no-progress)
if [[ -n ${DATA:-} ]]; then COMMON+=(--data-root "$DATA"); fi
if [[ -n ${DEVICE:-} ]]; then COMMON+=(--device "$DEVICE"); fi
if [[ -n ${TIME_BUDGET_MIN:-} ]]; then COMMON+=(--time-budget "$TIME_BUDGET_MIN"); fi

complete() {  # complete WORK_DIR: the run there exported its network at the end of its schedule
    [[ -f $1/final.pth ]] && grep -q '"complete": true' "$1/log.jsonl" 2>/dev/null
}

for phase in "${PHASE_LIST[@]}"; do
    work=$OUT/$phase
    if complete "$work"; then echo "$phase: complete in $work"; continue; fi
    cmd=("$PYTHON" tools/train_fusion.py "$CONFIGS/$phase.py" --work-dir "$work" "${COMMON[@]}")
    if [[ -f $work/last.pth ]]; then cmd+=(--resume); fi
    options=("${EXTRA_OPTIONS[@]}")
    if [[ -n ${MIN_CLASSIFIER_ACCURACY:-} && ($phase == stage2_* || $phase == ablation_*) ]]; then
        options+=("task.min_classifier_accuracy=$MIN_CLASSIFIER_ACCURACY")
    fi
    if ((${#options[@]})); then cmd+=(--cfg-options "${options[@]}"); fi
    if [[ -n ${DRY_RUN:-} ]]; then
        echo "MSFAM_WORK_ROOT=$(printf '%q' "$OUT") $(printf '%q ' "${cmd[@]}" | sed 's/ $//')"
        continue
    fi
    "${cmd[@]}"
    if ! complete "$work"; then
        echo "$phase: stopped before the end of its schedule; run this again to resume it" >&2
        exit 3
    fi
done
