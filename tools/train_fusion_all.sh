#!/usr/bin/env bash
# Train every fusion phase in order: MSFAM stage 1 -> classifier -> MSFAM stage 2 -> NestFuse (stage 1), then
# the ablations (Tables 1-3), each with bf16 autocast; run it again to resume whatever did not finish.
#
#   SCHEDULE=gpu OUT=$OUT DATA=shared/data bash tools/train_fusion_all.sh   # the configs' schedules, time-boxed
#   SCHEDULE=cpu bash tools/train_fusion_all.sh                             # the shortened CPU schedule
#
# SCHEDULE: gpu (default): the configs' own schedules (paper: 10,000 stage-1 iterations, 20 stage-2
#   epochs) under per-phase time budgets STAGE1_MIN, CLASSIFIER_MIN, STAGE2_MIN, EXTRA_MIN (defaults 5, 1, 3, 3);
#   cpu: the schedule of the shipped weights, sized for a 2-core CPU (about 2 h in all): stage 1 1,000
#   iterations of 128x128 crops, classifier 150 iterations, stage 2 200 iterations of 176x176 crops
#   (validated at 100 and 200), every ablation 100 such iterations (validated at the end), Adam with cosine
#   decay from 1e-3 (stage 1, classifier) or 5e-4 (stage 2) to 1 % of it; time budgets are safety caps.
# The ablations' shared schedule (Tables 1-3) includes ablation_full, the full stage 2 (stage2_msfam.py) run
# under it, so every row of the table had the same training.
# PHASES: which phases to run (default: all, in the order above).
# OUT: folder of the work directories (default work_dirs); DATA: the data folder (default ../shared/data);
# DEVICE: cpu, cuda, ... (default: CUDA when available).
set -euo pipefail
cd "$(dirname "$0")/.."
SCHEDULE=${SCHEDULE:-gpu}
OUT=${OUT:-work_dirs}
PHASES=${PHASES:-"stage1_msfam classifier stage2_msfam stage1_nestfuse ablation_full ablation_neither
ablation_no_pushpull ablation_no_constraint ablation_conv5 ablation_no_stage1"}
COMMON=(--amp --no-progress)
if [[ -n "${DATA:-}" ]]; then COMMON+=(--data-root "$DATA"); fi
if [[ -n "${DEVICE:-}" ]]; then COMMON+=(--device "$DEVICE"); fi

case $SCHEDULE in
    gpu)
        STAGE1_OPTS=(); CLASSIFIER_OPTS=(); STAGE2_OPTS=(); ABLATION_OPTS=()
        STAGE1_MIN=${STAGE1_MIN:-5}; CLASSIFIER_MIN=${CLASSIFIER_MIN:-1}
        STAGE2_MIN=${STAGE2_MIN:-3}; EXTRA_MIN=${EXTRA_MIN:-3} ;;
    cpu)
        COSINE=train_cfg.lr_schedule.type=cosine
        STAGE1_OPTS=(train_cfg.max_iters=1000 "train_dataloader.dataset.crop_size=(128,128)" optimizer.lr=1e-3
                     "$COSINE" train_cfg.checkpoint_interval=100 train_dataloader.num_workers=1)
        CLASSIFIER_OPTS=(train_cfg.by_epoch=False train_cfg.max_iters=150 train_cfg.val_interval=75
                         "train_dataloader.dataset.pairs.datasets.0.crop_size=(128,128)"
                         "train_dataloader.dataset.pairs.datasets.1.crop_size=(128,128)"
                         optimizer.lr=1e-3 "$COSINE" train_cfg.checkpoint_interval=25 train_dataloader.num_workers=1
                         val_dataloader.num_workers=0)
        STAGE2_OPTS=(train_cfg.by_epoch=False train_cfg.max_iters=200 train_cfg.val_interval=100
                     "train_dataloader.dataset.crop_size=(176,176)" optimizer.lr=5e-4 "$COSINE"
                     train_cfg.checkpoint_interval=25 train_dataloader.num_workers=1 val_dataloader.num_workers=0)
        ABLATION_OPTS=("${STAGE2_OPTS[@]}" train_cfg.max_iters=100 train_cfg.val_interval=100)
        STAGE1_MIN=${STAGE1_MIN:-30}; CLASSIFIER_MIN=${CLASSIFIER_MIN:-8}
        STAGE2_MIN=${STAGE2_MIN:-20}; EXTRA_MIN=${EXTRA_MIN:-20} ;;
    *) echo "SCHEDULE must be gpu or cpu, got '$SCHEDULE'" >&2; exit 2 ;;
esac
STAGE1=$OUT/stage1_msfam/final.pth

train() {  # train RUN_NAME MINUTES [cfg options ...]: configs/fusion/RUN_NAME.py (ablation_full: stage2_msfam.py)
    local name=$1 minutes=$2 work=$OUT/$1 config=$1
    shift 2
    if [[ $name == ablation_full ]]; then config=stage2_msfam; fi
    if [[ -f $work/final.pth ]] && grep -q '"complete": true' "$work/log.jsonl" 2>/dev/null; then
        echo "$name: complete in $work"; return
    fi
    local extra=()
    if [[ -f $work/last.pth ]]; then extra+=(--resume); fi
    if (($#)); then extra+=(--cfg-options "$@"); fi
    python tools/train_fusion.py "configs/fusion/$config.py" --work-dir "$work" --time-budget "$minutes" \
        "${COMMON[@]}" "${extra[@]}"
}

classifier_checkpoint() {  # the best held-out accuracy; final.pth if it never validated
    if [[ -f $OUT/classifier/best.pth ]]; then echo "$OUT/classifier/best.pth"; else echo "$OUT/classifier/final.pth"; fi
}

for name in $PHASES; do
    case $name in
        stage1_*) train "$name" "$STAGE1_MIN" "${STAGE1_OPTS[@]}" ;;
        classifier) train "$name" "$CLASSIFIER_MIN" "${CLASSIFIER_OPTS[@]}" "task.stage1_checkpoint=$STAGE1" ;;
        stage2_msfam) train "$name" "$STAGE2_MIN" "${STAGE2_OPTS[@]}" "task.stage1_checkpoint=$STAGE1" \
            "task.classifier_checkpoint=$(classifier_checkpoint)" ;;
        ablation_no_stage1) train "$name" "$EXTRA_MIN" "${ABLATION_OPTS[@]}" ;;
        ablation_neither|ablation_conv5|ablation_no_constraint)
            train "$name" "$EXTRA_MIN" "${ABLATION_OPTS[@]}" "task.stage1_checkpoint=$STAGE1" ;;
        ablation_*) train "$name" "$EXTRA_MIN" "${ABLATION_OPTS[@]}" "task.stage1_checkpoint=$STAGE1" \
            "task.classifier_checkpoint=$(classifier_checkpoint)" ;;
        *) echo "unknown phase '$name'" >&2; exit 2 ;;
    esac
done
