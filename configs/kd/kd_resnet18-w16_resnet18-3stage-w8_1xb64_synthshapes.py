# Hinton KD on SynthShapes: the baseline student (3-stage ResNet-18 at 1/8
# width) learns from the 1/4-width ResNet-18 teacher, same data and schedule
# as configs/baselines. Train the teacher first:
#   python tools/train.py configs/baselines/resnet18-w16_1xb64_synthshapes.py
_base_ = [
    '../_base_/datasets/synth_shapes_bs64.py',
    '../_base_/schedules/synth_shapes_quick.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='KDDistiller',
    teacher=dict(cfg_path='gankd::_base_/models/resnet18-w16_cifar.py'),
    teacher_ckpt='work_dirs/resnet18-w16_1xb64_synthshapes/epoch_15.pth',
    student=dict(cfg_path='gankd::_base_/models/resnet18-3stage-w8_cifar.py'),
    distill_loss=dict(type='KLDivergenceLoss', tau=4.0, loss_weight=0.9),
    student_loss_weight=0.1,
)
