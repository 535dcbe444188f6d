# The independent identity classifier used ONLY to evaluate FaceFeat-GAN
# (spec section 6, check 4): another architecture (WRN-16-2, pre-activation,
# 128-d feature) and another seed than E_id, same 10 identities. Never used
# in training.
_base_ = [
    '../_base_/datasets/synth_faces_ids10_32.py',
    '../_base_/default_runtime.py',
]
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='gankd.WideResNet', arch='wrn_16_2'),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)))

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
randomness = dict(seed=1)
