# Where the data lies: the repository's data/ folder (data/README.md: data/fusion/<set>/{ir,vi}, data/kaist/images),
# or the folder MSFAM_DATA names (tools/train_fusion.py --data-root DIR sets it). The split lists are the
# repository's own (configs/fusion/splits, pair names only).
data_root = '{{$MSFAM_DATA:{{fileDirname}}/../../../data}}'
splits = '{{fileDirname}}/../splits'
