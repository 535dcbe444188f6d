# Attribute predictor for SynthFaces at 32x32: the "off-the-shelf" predictor
# that InterFaceGAN-style probes use to label generated faces.
# A CIFAR-style ResNet-18 at 1/4 width (16 stem/base channels, 128-d
# feature) + global average pooling + gankd's MultiAttributeHead (one linear
# layer for all 10 attributes). Trains in a few minutes on 2 CPU cores.
_base_ = [
    '../_base_/models/resnet18-w16_cifar.py',
    '../_base_/datasets/synth_faces_attrs_32.py',
    '../_base_/default_runtime.py',
]

# The SynthShapes teacher's network with the classification head replaced.
model = dict(
    head=dict(
        _delete_=True,
        type='gankd.MultiAttributeHead',
        in_channels=128,
        # SynthFaces' metainfo['attributes'] in gt_attrs order, written
        # 'name:type[:num_classes]' (see MultiAttributeHead).
        attributes=[
            'yaw:continuous', 'smile:binary', 'mouth_open:binary',
            'eyeglasses:binary', 'hair_color:categorical:5',
            'long_hair:binary', 'aged:binary', 'skin_tone:categorical:3',
            'background:categorical:6', 'lighting:continuous'
        ],
        loss_weights=dict(binary=1.0, categorical=1.0, continuous=2.0),
        continuous_loss='smooth_l1'))

# Schedule: AdamW + linear warm-up + cosine, 10 epochs of 10k images.
# (SGD 0.1 with the same budget learns the global attributes but leaves
# smile, mouth_open and aged at chance: small features need Adam here.)
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=0.003, weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, eta_min=1e-4,
         convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=10, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)

default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=5, max_keep_ckpts=1,
                    save_best='attr/mean_acc', rule='greater'))
