# SynthFaces 32x32 with few people and many images each, for identity-
# preserving synthesis (FaceFeat-GAN, spec section 6): 10 identities,
# 2,000 training images (about 200 per identity; gt_label = identity,
# gt_attrs = the 10 attributes), 500 val and 500 test images of the same
# people with fresh poses, expressions and lighting. Identity classifiers
# (E_id and the evaluator) train on it; the GAN configs reuse the dataset.
dataset_type = 'SynthFaces'
data_preprocessor = dict(
    num_classes=10,
    # RGB statistics of SynthFaces 32x32 (the attribute predictor's)
    mean=[130.2, 135.3, 128.9],
    std=[66.6, 50.5, 49.3],
    to_rgb=True)

# No flips: a flip negates yaw and lighting.
train_pipeline = [
    dict(type='mmpretrain.PackInputs', algorithm_keys=['gt_attrs']),
]
test_pipeline = train_pipeline

faces = dict(type=dataset_type, seed=0, img_size=32, num_identities=10,
             cache=True)
train_dataloader = dict(
    batch_size=128,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(faces, num_samples=2000, split='train',
                 pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=128,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(faces, num_samples=500, split='val', pipeline=test_pipeline,
                 test_mode=True),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
test_evaluator = val_evaluator
