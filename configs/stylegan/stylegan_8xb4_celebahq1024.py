# StyleGAN on CelebA-HQ 1024x1024, for GPU users: the FFHQ config on
# CelebA-HQ's 30k images (data/celebahq/images1024x1024/*.png). Official
# weights: genforce's stylegan_celebahq1024.pth (--converter genforce-stylegan).
_base_ = ['./stylegan_8xb4_ffhq1024.py']
data = dict(data_root='data/celebahq', data_prefix='images1024x1024')
train_dataloader = dict(dataset=data)
val_dataloader = dict(dataset=dict(data, indices=30000))
test_dataloader = val_dataloader
val_evaluator = dict(
    real_stats_path='data/celebahq/fid_stats_inception_30k.npz',
    dataset_key='celebahq1024-30k')
test_evaluator = val_evaluator
