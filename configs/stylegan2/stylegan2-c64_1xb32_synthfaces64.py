# StyleGAN2 on SynthFaces 64x64: the 32x32 CPU config one resolution up
# (channels 64, 64, 64, 32, 16 at 4 ... 64), same recipe. About 4x the cost
# per image of the 32x32 config (docs/benchmarks/generators.md); not trained
# to completion here.
_base_ = ['./stylegan2-c64_1xb32_synthfaces32.py']
resolution = 64
model = dict(
    generator=dict(resolution=resolution, fmaps_base=1024),
    discriminator=dict(resolution=resolution, fmaps_base=1024))
data = dict(img_size=resolution)
train_dataloader = dict(dataset=data)
val_dataloader = dict(dataset=data)
test_dataloader = dict(dataset=data)
max_iters = 20000
train_cfg = dict(max_iters=max_iters, val_interval=2000)
default_hooks = dict(checkpoint=dict(interval=2000))
custom_hooks = [dict(type='GANSampleGridHook', interval=2000, num_samples=64)]
