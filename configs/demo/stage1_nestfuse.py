# The demo's NestFuse (tools/demo.py, when no weights are shipped): trained like the demo's MSFAM stage 1, as
# configs/fusion/stage1_nestfuse.py is like configs/fusion/stage1_msfam.py.
_base_ = ['./stage1_msfam.py']
phase = 'demo_stage1_nestfuse'
task = dict(model=dict(type='nestfuse'))
