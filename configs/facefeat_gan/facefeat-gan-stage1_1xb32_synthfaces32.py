# FaceFeat-GAN stage 1 on SynthFaces 32x32: the feature GANs {G_k, D_k}
# learn the distribution of (pose, expression, lighting, appearance)
# features given an identity embedding. Needs E_id and the attribute
# predictor (configs/facefeat_gan/README.md).
_base_ = [
    '../_base_/datasets/synth_faces_ids10_32.py',
    '../_base_/models/facefeat_gan_synthfaces32.py',
    '../_base_/default_runtime.py',
]
model = dict(stage='features')
train_dataloader = dict(batch_size=32, drop_last=True,
                        sampler=dict(type='InfiniteSampler', shuffle=True))
# spec: Adam 2e-4, betas (0.5, 0.999)
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
    discriminator=dict(optimizer=dict(type='Adam', lr=2e-4,
                                      betas=(0.5, 0.999))))
param_scheduler = []
train_cfg = dict(type='IterBasedTrainLoop', max_iters=2000)
val_cfg = None
val_dataloader = None
val_evaluator = None
test_cfg = None
test_dataloader = None
test_evaluator = None
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=100, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=500,
                    max_keep_ckpts=1, save_last=True))
log_processor = dict(by_epoch=False)
