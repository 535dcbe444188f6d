# SynthFaces (embedded, procedural) as unconditional image data at 32x32, for
# GAN training: 50k training images rendered on the fly (kept in memory after
# the first pass), and 2k validation (and 2k test) images, the "real" set of
# the FID-style score. Labels (identity, gt_attrs) ride along for probes.
dataset_type = 'SynthFaces'
# Images to [-1, 1] in RGB order, the range gankd generators produce.
data_preprocessor = dict(
    mean=[127.5, 127.5, 127.5],
    std=[127.5, 127.5, 127.5],
    to_rgb=True)

train_pipeline = [
    dict(type='mmpretrain.PackInputs', algorithm_keys=['gt_attrs']),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=1,
    persistent_workers=True,
    drop_last=True,
    dataset=dict(
        type=dataset_type,
        num_samples=50000,
        split='train',
        seed=0,
        img_size=32,
        num_identities=512,
        cache=True,
        pipeline=train_pipeline),
    sampler=dict(type='InfiniteSampler', shuffle=True),
)

val_dataloader = dict(
    batch_size=100,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        num_samples=2000,
        split='val',
        seed=0,
        img_size=32,
        num_identities=512,
        cache=True,
        pipeline=train_pipeline,
        test_mode=True),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
test_dataloader = dict(
    val_dataloader,
    dataset=dict(val_dataloader['dataset'], split='test'))
