# Knowledge points, network T: the teacher. The paper fine-tunes an
# ImageNet-pretrained network; nothing is pretrained here, so T gets what
# pretraining gives, more data: twice B's training images (the same 2,000
# and 2,000 more) for the same 10 epochs. Same architecture as B and S.
_base_ = [
    '../_base_/models/resnet18-3stage-w8_cifar.py',
    '../_base_/datasets/synth_shapes_kp.py',
    '../_base_/schedules/synth_shapes_quick.py',
    '../_base_/default_runtime.py',
]

model = dict(head=dict(num_classes=20))
train_dataloader = dict(dataset=dict(num_samples=4000))
train_cfg = dict(max_epochs=10, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=1),
                     logger=dict(interval=10))
