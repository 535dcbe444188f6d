# SynthFaces restoration triplets at 32x32 for reference-based restorers
# (ENTED): ground truth, a reference of the same person (SynthFaces' paired
# mode: other pose, expression and lighting; never the ground truth) and
# the degraded input, made by the blind degradation model of ENTED's spec
# 2.3 (GFPGAN's): blur sigma 0.1-10, downsample x1-8, noise 0-20 grey
# levels, JPEG quality 60-100, back to 32x32. Training draws new
# degradations every time; val and test draws are fixed by (seed, sample).
faces = dict(type='SynthFaces', img_size=32, num_identities=512, seed=0,
             paired=True)
degradations = [
    dict(type='RandomGaussianBlur', sigma_range=(0.1, 10.0)),
    dict(type='RandomDownsample', scale_range=(1.0, 8.0)),
    dict(type='RandomGaussianNoise', std_range=(0.0, 20.0)),
    dict(type='RandomJPEG', quality_range=(60, 100)),
]
train_pipeline = degradations + [
    dict(type='ResizeLike'),
    dict(type='PackRestorationInputs'),
]
test_seed = 0
test_pipeline = [dict(step, seed=test_seed) for step in degradations] + [
    dict(type='ResizeLike'),
    dict(type='PackRestorationInputs'),
]

train_dataloader = dict(
    batch_size=16,
    num_workers=1,
    persistent_workers=True,
    drop_last=True,
    dataset=dict(type='ReferencePairDataset', reference='paired',
                 dataset=dict(faces, split='train', num_samples=20000,
                              cache=True),
                 pipeline=train_pipeline),
    sampler=dict(type='InfiniteSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=50,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(type='ReferencePairDataset', reference='paired',
                 seed=test_seed, test_mode=True,
                 dataset=dict(faces, split='val', num_samples=500,
                              cache=True),
                 pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
test_dataloader = dict(
    val_dataloader,
    dataset=dict(val_dataloader['dataset'],
                 dataset=dict(faces, split='test', num_samples=1000)))
val_evaluator = dict(type='ImageQualityMetric')
test_evaluator = val_evaluator
