# StyleGAN2 config F on FFHQ 1024x1024 (Karras et al., "Analyzing and
# Improving the Image Quality of StyleGAN", CVPR 2020), for GPU users.
# The generator and discriminator are the official architecture at the
# official widths, so official weights load through the converters:
#   python tools/generate.py configs/stylegan2/stylegan2_8xb4_ffhq1024.py \
#       stylegan2_ffhq1024.pth --converter genforce-stylegan2 --out grid.png
# Training: bash tools/dist_train.sh configs/stylegan2/stylegan2_8xb4_ffhq1024.py 8
# (not run by the gankd team: no GPU machine; see README.md).
_base_ = [
    '../_base_/datasets/image_folder_64.py',
    '../_base_/schedules/stylegan2_8xb4.py',
    '../_base_/default_runtime.py',
]
resolution = 1024
model = dict(
    type='UnconditionalGAN',
    # z = w = 512, 8 mapping layers (lr x 0.01), channels min(32768 // r, 512)
    generator=dict(type='StyleGAN2Generator', resolution=resolution,
                   fmaps_base=32 << 10, fmaps_max=512),
    discriminator=dict(type='StyleGAN2Discriminator', resolution=resolution,
                       fmaps_base=32 << 10, fmaps_max=512),
    r1_gamma=10.0, r1_interval=16,
    pl_weight=2.0, pl_interval=4, pl_batch_shrink=2,
    style_mixing_prob=0.9,
    ema_half_life_kimg=10.0)

# FFHQ's official layout (data/ffhq/images1024x1024/00000/00000.png, ...);
# images are already 1024x1024; x-flips as the paper's FFHQ runs.
train_pipeline = [
    dict(type='mmpretrain.LoadImageFromFile'),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs'),
]
test_pipeline = [
    dict(type='mmpretrain.LoadImageFromFile'),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))

# FID against 50k real images with Inception features. gankd never downloads
# weights: put torchvision's inception_v3 ImageNet weights at this path (the
# score is then comparable across gankd runs, not to published TF FIDs).
val_dataloader = dict(
    batch_size=8,
    num_workers=4,
    dataset=dict(type='mmpretrain.CustomDataset', data_root='data/ffhq',
                 data_prefix='images1024x1024', with_label=False,
                 indices=50000, pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='FrechetDistanceMetric',
    feature_extractor=dict(
        type='InceptionFeatureExtractor',
        weights='data/inception/inception_v3_google-0cc3c7bd.pth'),
    real_stats_path='data/ffhq/fid_stats_inception_50k.npz',
    dataset_key='ffhq1024-50k')
test_evaluator = val_evaluator

default_hooks = dict(
    # validation scalars by iteration (mmengine's default is the epoch: 0)
    logger=dict(type='LoggerHook', interval=100, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=10000,
                    max_keep_ckpts=3, save_last=True,
                    save_best='fid/distance', rule='less'))
# each process draws its own latents
randomness = dict(seed=0, diff_rank_seed=True)
