# PGGAN's generator and discriminator on SynthFaces 32x32, trained with the
# StyleGAN2 CPU recipe of configs/stylegan2/stylegan2-c64_1xb32_synthfaces32.py
# (non-saturating loss, lazy R1, EMA) at full resolution from the start:
# progressive growing and WGAN-GP, the paper's training, are not implemented.
# Channels 64, 64, 32, 16 at 4, 8, 16, 32; z = 128.
_base_ = ['../stylegan2/stylegan2-c64_1xb32_synthfaces32.py']
model = dict(
    generator=dict(_delete_=True, type='PGGANGenerator', resolution=32,
                   z_space_dim=128, fmaps_base=512, fmaps_max=64),
    discriminator=dict(_delete_=True, type='PGGANDiscriminator',
                       resolution=32, fmaps_base=512, fmaps_max=64))
# the toRGB / fromRGB layers of lower levels of detail are unused at lod 0
model_wrapper_cfg = dict(find_unused_parameters=True)
