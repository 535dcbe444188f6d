# Hinton KD, the CIFAR-100 resnet32x4 -> resnet8x4 pair of the CRD benchmark
# (tau 4, KD weight 0.9, CE weight 0.1, batch 64, SGD 0.05, 240 epochs,
# x0.1 at 150/180/210). GPU-sized; not run here. Teacher: train
#   configs/baselines/resnet32x4_1xb64_cifar100.py
_base_ = [
    '../_base_/datasets/cifar100_bs64.py',
    '../_base_/schedules/cifar100_bs128.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='KDDistiller',
    teacher=dict(cfg_path='gankd::_base_/models/resnet32x4_cifar100.py'),
    teacher_ckpt='work_dirs/resnet32x4_1xb64_cifar100/epoch_240.pth',
    student=dict(cfg_path='gankd::_base_/models/resnet8x4_cifar100.py'),
    distill_loss=dict(type='KLDivergenceLoss', tau=4.0, loss_weight=0.9),
    student_loss_weight=0.1,
)
auto_scale_lr = dict(base_batch_size=64)
