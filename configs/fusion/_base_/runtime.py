# What every fusion phase shares: seed, device, autocast, logging, and the folder of the runs.
seed = 0
device = None  # 'cpu', 'cuda', 'cuda:1'; None: CUDA when available (tools/train_fusion.py --device)
amp = dict(enabled=False, dtype='bfloat16')  # tools/train_fusion.py --amp enables it
# The folder of the phases' work directories: tools/train_fusion.py writes <work_root>/<config name> unless
# --work-dir says otherwise, and later phases read earlier phases' networks from there (stage 2: the stage-1
# network, the classifier run). MSFAM_WORK_ROOT overrides it (tools/train_fusion_all.sh sets it to its OUT).
work_root = '{{$MSFAM_WORK_ROOT:work_dirs}}'
train_cfg = dict(log_interval=10, time_budget=None)  # time_budget: tools/train_fusion.py --time-budget
