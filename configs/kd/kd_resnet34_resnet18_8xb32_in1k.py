# Hinton KD on ImageNet, ResNet-34 -> ResNet-18 (mmpretrain's models and
# recipe: 8 GPUs x 32, SGD 0.1, 100 epochs, x0.1 at 30/60/90). GPU-sized;
# not run here. Teacher: mmpretrain's ResNet-34 checkpoint (model zoo file
# resnet34_8xb32_in1k_20210831-f257d4e6.pth); gankd never downloads: put it
# at the path below or pass --cfg-options model.teacher_ckpt=PATH.
_base_ = [
    '../_base_/datasets/imagenet_bs32.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='KDDistiller',
    teacher=dict(cfg_path='gankd::_base_/models/resnet34_in1k.py'),
    teacher_ckpt='checkpoints/resnet34_8xb32_in1k_20210831-f257d4e6.pth',
    student=dict(cfg_path='gankd::_base_/models/resnet18_in1k.py'),
    # tau 1 and equal weights, the usual ImageNet setting (CRD, torchdistill)
    distill_loss=dict(type='KLDivergenceLoss', tau=1.0, loss_weight=0.5),
    student_loss_weight=0.5,
)

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))
param_scheduler = dict(type='MultiStepLR', by_epoch=True,
                       milestones=[30, 60, 90], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256)
