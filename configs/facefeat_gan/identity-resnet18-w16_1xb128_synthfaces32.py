# FaceFeat-GAN's identity encoder E_id on SynthFaces 32x32: a classifier of
# the 10 training identities (CIFAR ResNet-18 at 1/4 width, the attribute
# predictor's network); its 128-d pooled feature, L2-normalised, is the
# identity embedding f_id. Frozen in every FaceFeat-GAN stage.
_base_ = [
    '../_base_/models/resnet18-w16_cifar.py',
    '../_base_/datasets/synth_faces_ids10_32.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=10))

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=0.003, weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, eta_min=1e-4,
         convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=5)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=20, max_keep_ckpts=1))
randomness = dict(seed=0)
