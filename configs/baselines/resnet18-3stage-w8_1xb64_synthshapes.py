# Student-size baseline on SynthShapes, trained from scratch on labels: the
# reference every distillation method must beat.
_base_ = [
    '../_base_/models/resnet18-3stage-w8_cifar.py',
    '../_base_/datasets/synth_shapes_bs64.py',
    '../_base_/schedules/synth_shapes_quick.py',
    '../_base_/default_runtime.py',
]
