# StyleGAN2 (config F's architecture at small width) on SynthFaces 32x32: the
# CPU config. Trains on 2 cores in under 30 minutes to faces a person
# recognises; see README.md for the grids, the score curve and the commands.
#
# The recipe is StyleGAN2-ADA's for 32x32 data (its 'cifar' settings): two
# mapping layers, no path length, no style mixing, small R1, EMA with ramp-up.
_base_ = [
    '../_base_/datasets/synth_faces_32.py',
    '../_base_/default_runtime.py',
]

# Channels min(fmaps_base // r, fmaps_max): 64, 64, 32, 16 at 4, 8, 16, 32.
# fused_modulate=False: on CPU scaling the activations beats a grouped conv
# with per-sample weights (same result).
generator = dict(
    type='StyleGAN2Generator',
    resolution=32,
    z_space_dim=128,
    w_space_dim=128,
    mapping_layers=2,
    mapping_fmaps=128,
    fmaps_base=512,
    fmaps_max=64,
    fused_modulate=False)
model = dict(
    type='UnconditionalGAN',
    generator=generator,
    discriminator=dict(
        type='StyleGAN2Discriminator',
        resolution=32,
        fmaps_base=512,
        fmaps_max=64),
    r1_gamma=0.05,
    r1_interval=16,
    pl_weight=0.0,
    style_mixing_prob=0.0,
    ema_half_life_kimg=10.0,
    ema_rampup=0.05)
# G and D in their own DDP wrappers when distributed (gankd's runner adds
# device_ids=None on CPU).
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel',
                         broadcast_buffers=False,
                         find_unused_parameters=False)

# Adam (0, 0.99), lr 0.0025, with StyleGAN2's lazy-regularisation adjustment
# for D (R1 every 16 iterations).
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=0.0025, betas=(0.0, 0.99))),
    discriminator=dict(
        optimizer=dict(type='Adam', lr=0.0025, betas=(0.0, 0.99)),
        lazy_reg_interval=16))
param_scheduler = []

max_iters = 4000
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=1000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

# The FID-style score: Fréchet distance between features of 2k real val
# images and 2k EMA samples, features from the SynthFaces attribute predictor
# (train it first: configs/attribute_predictor/README.md). Real statistics are
# computed once and cached next to the predictor checkpoint.
predictor = 'configs/attribute_predictor/resnet18-w16_1xb128_synthfaces32.py'
predictor_ckpt = ('work_dirs/resnet18-w16_1xb128_synthfaces32/'
                  'best_attr_mean_acc_epoch_10.pth')
val_evaluator = dict(
    type='FrechetDistanceMetric',
    feature_extractor=dict(type='ClassifierFeatureExtractor',
                           config=predictor, checkpoint=predictor_ckpt))
test_evaluator = val_evaluator

default_hooks = dict(
    # validation scalars by iteration (mmengine's default is the epoch: 0)
    logger=dict(type='LoggerHook', interval=100, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1000,
                    max_keep_ckpts=1, save_last=True,
                    save_best='fid/distance', rule='less'))
custom_hooks = [dict(type='GANSampleGridHook', interval=1000, num_samples=64)]
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
