# ENTED stage A [proposed, spec 2.3]: the VQ auto-encoder of clean 32x32
# SynthFaces, which learns the dictionary of high-quality code words
# (64 codes) that stage B puts in place of the degraded input's features.
# L1 + perceptual (the SynthFaces attribute predictor's features: train it
# first, configs/attribute_predictor/README.md) + VQ + adversarial.
_base_ = [
    '../_base_/models/ented_synthfaces32.py',
    '../_base_/default_runtime.py',
]

predictor = 'configs/attribute_predictor/resnet18-w16_1xb128_synthfaces32.py'
predictor_ckpt = ('work_dirs/resnet18-w16_1xb128_synthfaces32/'
                  'best_attr_mean_acc_epoch_10.pth')
model = dict(
    stage='A',
    losses=dict(perceptual=dict(
        net=dict(type='ClassifierFeatures', config=predictor,
                 checkpoint=predictor_ckpt, out_indices=(0, 1, 2)),
        weight=1.0, num_scales=2, style_weight=1000.0)))

# Clean faces: the auto-encoder's input is its target.
faces = dict(type='SynthFaces', img_size=32, num_identities=512, seed=0)
pack = [dict(type='PackRestorationInputs', degraded_key='img',
             reference_key=None)]
train_dataloader = dict(
    batch_size=16, num_workers=1, persistent_workers=True, drop_last=True,
    dataset=dict(faces, split='train', num_samples=20000, cache=True,
                 pipeline=pack),
    sampler=dict(type='InfiniteSampler', shuffle=True))
val_dataloader = dict(
    batch_size=50, num_workers=1, persistent_workers=True,
    dataset=dict(faces, split='val', num_samples=500, cache=True,
                 pipeline=pack, test_mode=True),
    sampler=dict(type='DefaultSampler', shuffle=False))
test_dataloader = val_dataloader
val_evaluator = dict(type='ImageQualityMetric')
test_evaluator = val_evaluator

# Budget: 30 minutes on 2 quiet cores. An iteration costs 0.48 CPU
# seconds on one thread (tools/analysis/time_train_iterations.py, see
# README.md): 3,200 iterations are 26 minutes, leaving the rest for
# building the data (20k faces) and four validations.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=3200,
                 val_interval=800)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=100, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=800,
                    max_keep_ckpts=1, save_last=True))
log_processor = dict(by_epoch=False)
custom_hooks = [dict(type='RestorationGridHook', num_samples=8)]
