# FaceFeat-GAN's non-identity feature extractor E_k at paper resolution: a
# ResNet-18 + gankd's MultiAttributeHead on CelebA's expression and
# appearance attributes at 128x128 (the spec's 3DMM pose/expression
# regressor is not available offline: CelebA has no pose labels, so this
# config has expression + appearance features only). Not trained by the
# gankd team (no GPU machine).
_base_ = [
    '../_base_/datasets/celeba_identities_128.py',
    '../_base_/default_runtime.py',
]
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='mmpretrain.ResNet', depth=18, num_stages=4,
                  out_indices=(3, )),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='gankd.MultiAttributeHead', in_channels=512,
              attributes=[f'{name}:binary' for name in [
                  'Smiling', 'Mouth_Slightly_Open', 'Eyeglasses', 'Bangs',
                  'Black_Hair', 'Blond_Hair', 'Brown_Hair', 'Gray_Hair',
                  'Wearing_Hat', 'Heavy_Makeup']]))
val_evaluator = dict(type='AttributeMetric')
test_evaluator = val_evaluator
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3,
                                    weight_decay=0.05))
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, begin=0,
                        eta_min=1e-5)]
train_cfg = dict(by_epoch=True, max_epochs=10, val_interval=2)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256)
