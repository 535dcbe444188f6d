# SynthShapes (embedded, procedural), batch 64: 100 classes at 32x32, 10k train / 2k val
# / 2k test images rendered on the fly, each a function of (seed, split,
# index). Samples carry the object's foreground mask as `fg_mask`.
dataset_type = 'SynthShapes'
data_preprocessor = dict(
    num_classes=100,
    # RGB statistics of 2,000 training images, measured on the first draft of
    # the data and kept so the calibration runs reproduce exactly; the
    # current defaults give (123.6, 128.3, 124.8) / (74.3, 73.7, 74.3).
    mean=[124.2, 128.6, 124.7],
    std=[72.6, 72.0, 72.6],
    # SynthShapes gives BGR images, like mmcv's LoadImageFromFile
    to_rgb=True)

# No augmentation by default: the dataset already varies scale, rotation,
# position and colour per image, and random flips would make a resumed run
# differ from an unbroken one.
train_pipeline = [
    dict(type='mmpretrain.PackInputs', algorithm_keys=['fg_mask']),
]
test_pipeline = train_pipeline

train_dataloader = dict(
    batch_size=64,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        num_samples=10000,
        split='train',
        seed=0,
        img_size=32,
        num_classes=100,
        # Rendered once per worker, then read from memory (40 MB at 10k).
        cache=True,
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)

val_dataloader = dict(
    batch_size=64,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        num_samples=2000,
        split='val',
        seed=0,
        img_size=32,
        num_classes=100,
        pipeline=test_pipeline,
        test_mode=True),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, 5))

# The test loader is the val loader on the test split.
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
test_evaluator = val_evaluator
