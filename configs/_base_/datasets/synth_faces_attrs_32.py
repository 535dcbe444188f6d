# SynthFaces (embedded, procedural) for attribute prediction at 32x32:
# 512 identities, 10 attributes (gt_attrs, order in gankd/datasets/README.md),
# 10k train / 2k val / 2k test images rendered on the fly.
dataset_type = 'SynthFaces'
data_preprocessor = dict(
    num_classes=512,  # identities (gt_label); attributes are in gt_attrs
    # RGB statistics measured on 2,000 training images
    mean=[130.2, 135.3, 128.9],
    std=[66.6, 50.5, 49.3],
    # SynthFaces gives BGR images, like mmcv's LoadImageFromFile
    to_rgb=True)

# No flips: a horizontal flip would negate yaw and lighting.
train_pipeline = [
    dict(type='mmpretrain.PackInputs', algorithm_keys=['gt_attrs']),
]
test_pipeline = train_pipeline

train_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        num_samples=10000,
        split='train',
        seed=0,
        img_size=32,
        num_identities=512,
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)

val_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        num_samples=2000,
        split='val',
        seed=0,
        img_size=32,
        num_identities=512,
        pipeline=test_pipeline,
        test_mode=True),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
# Per-attribute accuracy (sign accuracy and MAE for yaw and lighting).
val_evaluator = dict(type='AttributeMetric')

# The test loader is the val loader on the test split.
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
test_evaluator = val_evaluator
