# SynthFaces (embedded, procedural) as unconditional image data at 64x64,
# e.g. for GAN training: 50k training images rendered on the fly. Labels
# (identity, gt_attrs) ride along for conditional models and probes.
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
    num_workers=2,
    persistent_workers=True,
    drop_last=True,
    dataset=dict(
        type=dataset_type,
        num_samples=50000,
        split='train',
        seed=0,
        img_size=64,
        num_identities=512,
        pipeline=train_pipeline),
    sampler=dict(type='InfiniteSampler', shuffle=True),
)
