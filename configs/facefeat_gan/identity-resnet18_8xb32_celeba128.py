# FaceFeat-GAN's identity encoder E_id at paper resolution: a ResNet-18
# (512-d pooled feature, the spec's embedding size) classifying the CelebA
# identities at 128x128; 8 GPUs x 32 images. Not trained by the gankd team
# (no GPU machine). Caveat: CelebA's train/val/test partitions split images,
# and some people have few images; a face-recognition set (CASIA-WebFace)
# in the same dataset format is the better choice.
_base_ = [
    '../_base_/datasets/celeba_identities_128.py',
    '../_base_/default_runtime.py',
]
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='mmpretrain.ResNet', depth=18, num_stages=4,
                  out_indices=(3, )),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=10177,
              in_channels=512,
              loss=dict(type='mmpretrain.LabelSmoothLoss',
                        label_smooth_val=0.1, loss_weight=1.0)))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, 5))
test_evaluator = val_evaluator
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3,
                                    weight_decay=0.05))
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, begin=0,
                        eta_min=1e-5)]
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256)
