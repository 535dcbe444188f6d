# StyleGAN2 config F on LSUN church (outdoor) 256x256, for GPU users: the
# FFHQ config at 256 (channels min(32768 // r, 512)), no flips. Official
# weights: genforce's stylegan2_church256.pth (--converter genforce-stylegan2).
# Data: LSUN's church_outdoor_train exported from its LMDB to image files,
# centre-cropped and resized to 256x256, under data/lsun/church_outdoor_256/.
_base_ = ['./stylegan2_8xb4_ffhq1024.py']
resolution = 256
model = dict(generator=dict(resolution=resolution),
             discriminator=dict(resolution=resolution))
train_pipeline = [
    dict(type='mmpretrain.LoadImageFromFile'),
    dict(type='mmpretrain.PackInputs'),
]
data = dict(data_root='data/lsun', data_prefix='church_outdoor_256')
train_dataloader = dict(dataset=dict(data, pipeline=train_pipeline))
val_dataloader = dict(dataset=data)
test_dataloader = val_dataloader
val_evaluator = dict(
    real_stats_path='data/lsun/fid_stats_church256_inception_50k.npz',
    dataset_key='lsun-church256-50k')
test_evaluator = val_evaluator
