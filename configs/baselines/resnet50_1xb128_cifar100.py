# mmpretrain's CIFAR ResNet-50 (23.7 M params) on CIFAR-100: a teacher-size
# baseline. Same data and schedule as resnet18_1xb128_cifar100.py.
_base_ = ['./resnet18_1xb128_cifar100.py']

model = dict(
    backbone=dict(depth=50),
    head=dict(in_channels=2048))
