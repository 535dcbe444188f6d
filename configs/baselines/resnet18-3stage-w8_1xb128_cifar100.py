# The SynthShapes-size model (resnet18-3stage-w8) on CIFAR-100, for comparison with the
# embedded benchmark. Same data and schedule as resnet18_1xb128_cifar100.py.
_base_ = [
    '../_base_/models/resnet18-3stage-w8_cifar.py',
    '../_base_/datasets/cifar100_bs64.py',
    '../_base_/schedules/cifar100_bs128.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(batch_size=128)
