# PGGAN on LSUN bedroom 256x256, for GPU users (official weights: genforce's
# pggan_bedroom256.pth, --converter genforce-pggan). Data: bedroom_train
# exported from LMDB, centre-cropped to 256x256, under data/lsun/bedroom_256/.
_base_ = ['./pggan_8xb4_celebahq1024.py']
resolution = 256
model = dict(generator=dict(resolution=resolution),
             discriminator=dict(resolution=resolution))
train_pipeline = [
    dict(type='mmpretrain.LoadImageFromFile'),
    dict(type='mmpretrain.PackInputs'),
]
data = dict(data_root='data/lsun', data_prefix='bedroom_256')
train_dataloader = dict(dataset=dict(data, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data, indices=50000))
test_dataloader = val_dataloader
val_evaluator = dict(
    real_stats_path='data/lsun/fid_stats_bedroom256_inception_50k.npz',
    dataset_key='lsun-bedroom256-50k')
test_evaluator = val_evaluator
