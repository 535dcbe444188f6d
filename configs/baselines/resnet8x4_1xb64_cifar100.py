# CIFAR-100 resnet8x4 trained on labels (the CRD benchmark recipe: batch 64,
# SGD 0.05, 240 epochs, x0.1 at 150/180/210): the teacher/student pair of
# configs/{kd,sskd,residual_kd}/*_cifar100.py. GPU-sized; not run here.
_base_ = [
    '../_base_/models/resnet8x4_cifar100.py',
    '../_base_/datasets/cifar100_bs64.py',
    '../_base_/schedules/cifar100_bs128.py',
    '../_base_/default_runtime.py',
]
auto_scale_lr = dict(base_batch_size=64)
