# StyleGAN on FFHQ 1024x1024 (Karras et al., "A Style-Based Generator
# Architecture for GANs", CVPR 2019), for GPU users. The generator and
# discriminator are the official architecture at the official widths
# (z = w = 512, 8 mapping layers, channels min(16384 // r, 512), fused
# up/down-sampling convolutions from 128 on), so official weights load:
#   python tools/generate.py configs/stylegan/stylegan_8xb4_ffhq1024.py \
#       stylegan_ffhq1024.pth --converter genforce-stylegan --out grid.png
# Training differs from the paper: gankd trains at full resolution from the
# start with StyleGAN2's recipe (non-saturating loss, lazy R1 gamma 10,
# style mixing 0.9, EMA); progressive growing is not implemented.
_base_ = ['../stylegan2/stylegan2_8xb4_ffhq1024.py']
model = dict(
    generator=dict(_delete_=True, type='StyleGANGenerator',
                   resolution={{_base_.resolution}}),
    discriminator=dict(_delete_=True, type='StyleGANDiscriminator',
                       resolution={{_base_.resolution}}),
    pl_weight=0.0)
