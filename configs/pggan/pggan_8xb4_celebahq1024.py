# PGGAN on CelebA-HQ 1024x1024 (Karras et al., "Progressive Growing of GANs",
# ICLR 2018), for GPU users. The generator and discriminator are the official
# architecture at the official widths (z = 512, channels min(16384 // r,
# 512)), so official weights load:
#   python tools/generate.py configs/pggan/pggan_8xb4_celebahq1024.py \
#       pggan_celebahq1024.pth --converter genforce-pggan --out grid.png
# Training differs from the paper: gankd trains at full resolution (lod 0)
# from the start with the non-saturating loss and lazy R1 instead of growing
# progressively with WGAN-GP; progressive growing is not implemented.
_base_ = ['../stylegan2/stylegan2_8xb4_ffhq1024.py']
model = dict(
    generator=dict(_delete_=True, type='PGGANGenerator',
                   resolution={{_base_.resolution}}),
    discriminator=dict(_delete_=True, type='PGGANDiscriminator',
                       resolution={{_base_.resolution}}),
    pl_weight=0.0, style_mixing_prob=0.0)
# the per-resolution toRGB / fromRGB layers of lower levels of detail are
# unused at lod 0
model_wrapper_cfg = dict(find_unused_parameters=True)
data = dict(data_root='data/celebahq', data_prefix='images1024x1024')
train_dataloader = dict(dataset=data)
val_dataloader = dict(dataset=dict(data, indices=30000))
test_dataloader = val_dataloader
val_evaluator = dict(
    real_stats_path='data/celebahq/fid_stats_inception_30k.npz',
    dataset_key='celebahq1024-30k')
test_evaluator = val_evaluator
