# The latent encoder of the SynthFaces StyleGAN2 (wp space): E(x) -> wp,
# trained on the frozen generator's own samples (code MSE + image MSE of
# G(E(x))). It gives the encoder-only inverter and the starting codes of the
# hybrid inverter (LatentInverter with init='encoder'). Needs the generator
# trained by configs/stylegan2 (iter_4000.pth). Train with
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/inversion/encoder_stylegan2-c64_synthfaces32.py
# and load the result with dict(config=<this file>, checkpoint=
# 'work_dirs/encoder_stylegan2-c64_synthfaces32/iter_5000.pth').
_base_ = ['../_base_/default_runtime.py']

generator = dict(
    config='configs/stylegan2/stylegan2-c64_1xb32_synthfaces32.py',
    checkpoint='work_dirs/stylegan2-c64_1xb32_synthfaces32/iter_4000.pth')
model = dict(
    type='LatentEncoderTrainer',
    generator=generator,
    # wp (8 layers x 128 at 32x32): the space the hybrid inverter optimises,
    # and the most expressive one for real (unseen) images. Channels
    # 32 (32x32) -> 64 -> 128 -> 256 (4x4): cheap next to the generator.
    encoder=dict(type='LatentEncoder', resolution=32, space='wp',
                 code_dim=128, num_layers=8, channels=32, max_channels=256),
    # untruncated samples: the encoder must cover the whole face space the
    # generator can draw, not only the typical faces
    truncation_psi=None,
    # the code term anchors E(x) to the generator's wp manifold (codes the
    # generator was trained on); the image term aims at what is evaluated
    # (pixels). The perceptual term (InversionLoss perceptual=...) is left
    # to the hybrid inverter's optimisation: it would add a feature net's
    # forward and backward to every iteration.
    code_weight=1.0,
    pixel_weight=1.0,
    noise_mode='const')  # the inverters render with the stored noise
# a plain module per network under DDP (the frozen generator stays plain)
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel',
                         broadcast_buffers=False,
                         find_unused_parameters=False)

# Fresh generator samples every batch: more seeds than iterations x batch.
train_dataloader = dict(
    batch_size=32,
    num_workers=0,  # a seed is an int: no work to hand off
    dataset=dict(type='LatentSeedDataset', num_samples=1_000_000),
    sampler=dict(type='InfiniteSampler', shuffle=True))

# Held-out real faces: 500 SynthFaces test images (never seen by the GAN or
# the encoder); the score is the PSNR of G(E(x)) against x.
val_dataloader = dict(
    batch_size=100,
    num_workers=0,
    dataset=dict(type='SynthFaces', num_samples=500, split='test', seed=0,
                 img_size=32, num_identities=512, cache=True,
                 pipeline=[dict(type='mmpretrain.PackInputs')],
                 test_mode=True),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='ReconstructionPSNR')
test_dataloader = val_dataloader
test_evaluator = val_evaluator

# Adam at 1e-3 (standard for a small conv encoder; no schedule for a short
# run). max_iters: about 15 minutes on 2 CPU threads. Measured (batch 32,
# OMP_NUM_THREADS=1, shared machine): 0.175 s/iteration for this generator,
# 0.164 for the PGGAN; validation 0.2 s per 100 images. 5000 iterations
# take ~15 minutes at that rate and less with 2 free threads.
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3, betas=(0.9, 0.99)))
param_scheduler = []
max_iters = 5000
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=1000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1000,
                    max_keep_ckpts=1, save_last=True,
                    save_best='psnr/mean', rule='greater'))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
