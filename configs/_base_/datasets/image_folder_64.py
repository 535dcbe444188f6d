# A folder of face images, FFHQ / CelebA-HQ style (flat or nested; every
# .png/.jpg under data_root/data_prefix, sorted by path), resized to 64x64,
# as unconditional image data, e.g. for GAN training. The default is FFHQ's
# official layout (data/ffhq/images1024x1024/00000/00000.png ...); for
# CelebA-HQ set data_root and data_prefix to its folder. No labels: samples
# carry only the image.
dataset_type = 'mmpretrain.CustomDataset'
# Images to [-1, 1] in RGB order, the range gankd generators produce.
data_preprocessor = dict(
    mean=[127.5, 127.5, 127.5],
    std=[127.5, 127.5, 127.5],
    to_rgb=True)

train_pipeline = [
    dict(type='mmpretrain.LoadImageFromFile'),
    # FFHQ/CelebA-HQ images are square and aligned: a plain resize suffices.
    dict(type='mmpretrain.Resize', scale=(64, 64), interpolation='area'),
    dict(type='mmpretrain.PackInputs'),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    drop_last=True,
    dataset=dict(
        type=dataset_type,
        data_root='data/ffhq',
        data_prefix='images1024x1024',
        with_label=False,
        pipeline=train_pipeline),
    sampler=dict(type='InfiniteSampler', shuffle=True),
)
