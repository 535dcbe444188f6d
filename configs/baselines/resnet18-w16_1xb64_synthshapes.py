# Teacher-size baseline on SynthShapes (mmpretrain classifier, unchanged).
_base_ = [
    '../_base_/models/resnet18-w16_cifar.py',
    '../_base_/datasets/synth_shapes_bs64.py',
    '../_base_/schedules/synth_shapes_quick.py',
    '../_base_/default_runtime.py',
]
