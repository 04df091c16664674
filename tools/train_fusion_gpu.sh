#!/usr/bin/env bash
# Train MSFAM's phases in order in one call (stage 1 -> classifier -> stage 2, then any extra configs), each
# with bf16 autocast and a wall-time budget that stops cleanly and saves; run it again to resume them all.
#
#   OUT=$OUT DATA=shared/data bash tools/train_fusion_gpu.sh [ablation_neither stage1_nestfuse ...]
#
# OUT: folder of the work directories (default work_dirs); DATA: the data folder (default ../shared/data);
# STAGE1_MIN, CLASSIFIER_MIN, STAGE2_MIN, EXTRA_MIN: minutes for each phase (defaults 5, 1, 3, 3);
# DEVICE: cpu, cuda, ... (default: CUDA when available). Extra configs run after stage 2 with its inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-work_dirs}
DATA_ARGS=()
if [[ -n "${DATA:-}" ]]; then DATA_ARGS=(--data-root "$DATA"); fi
DEVICE_ARGS=()
if [[ -n "${DEVICE:-}" ]]; then DEVICE_ARGS=(--device "$DEVICE"); fi
STAGE1=$OUT/stage1_msfam/final.pth

train() {  # train CONFIG_NAME MINUTES [--cfg-options ...]
    local name=$1 minutes=$2 work=$OUT/$1
    shift 2
    local resume=()
    if [[ -f $work/last.pth ]]; then resume=(--resume); fi
    python tools/train_fusion.py "configs/fusion/$name.py" --work-dir "$work" --amp --time-budget "$minutes" \
        --no-progress "${resume[@]}" "${DATA_ARGS[@]}" "${DEVICE_ARGS[@]}" "$@"
}

train stage1_msfam "${STAGE1_MIN:-5}"
train classifier "${CLASSIFIER_MIN:-1}" --cfg-options "task.stage1_checkpoint=$STAGE1"
CLASSIFIER=$OUT/classifier/best.pth  # the best held-out accuracy; final.pth if it never validated
if [[ ! -f $CLASSIFIER ]]; then CLASSIFIER=$OUT/classifier/final.pth; fi
train stage2_msfam "${STAGE2_MIN:-3}" --cfg-options "task.stage1_checkpoint=$STAGE1" \
    "task.classifier_checkpoint=$CLASSIFIER"
for name in "$@"; do
    case $name in
        stage1_*) train "$name" "${EXTRA_MIN:-3}" ;;
        ablation_no_stage1) train "$name" "${EXTRA_MIN:-3}" ;;
        ablation_neither|ablation_conv5|ablation_no_constraint)
            train "$name" "${EXTRA_MIN:-3}" --cfg-options "task.stage1_checkpoint=$STAGE1" ;;
        *) train "$name" "${EXTRA_MIN:-3}" --cfg-options "task.stage1_checkpoint=$STAGE1" \
               "task.classifier_checkpoint=$CLASSIFIER" ;;
    esac
done
