# CelebA aligned faces at 128x128 with identity labels (identity_CelebA.txt:
# gt_label = the person, 10,177 identities) and a few binary attributes
# (gt_attrs, in the order of `attributes`): the paper-resolution data of
# FaceFeat-GAN (spec: 128x128 aligned faces of a face-recognition dataset).
# gankd never downloads CelebA: put img_align_celeba/ and the Anno/Eval
# files under data/celeba. Another aligned face set with identities works
# the same with its own identity file (or mmpretrain.CustomDataset with one
# folder per person).
dataset_type = 'AttributeListDataset'
attributes = ['Smiling', 'Mouth_Slightly_Open', 'Eyeglasses', 'Bangs',
              'Black_Hair', 'Blond_Hair', 'Brown_Hair', 'Gray_Hair',
              'Wearing_Hat', 'Heavy_Makeup']
data_preprocessor = dict(
    num_classes=10177,
    mean=[129.0, 108.0, 96.0],  # approximate CelebA RGB statistics
    std=[77.0, 70.0, 69.0],
    to_rgb=True)
train_pipeline = [
    dict(type='mmpretrain.LoadImageFromFile'),
    dict(type='mmpretrain.CenterCrop', crop_size=178),
    dict(type='mmpretrain.Resize', scale=(128, 128), interpolation='area'),
    dict(type='mmpretrain.PackInputs', algorithm_keys=['gt_attrs']),
]
celeba = dict(type=dataset_type, data_root='data/celeba',
              ann_file='list_attr_celeba.txt',
              data_prefix='img_align_celeba',
              identity_file='identity_CelebA.txt',
              partition_file='list_eval_partition.txt',
              attributes=attributes, pipeline=train_pipeline)
train_dataloader = dict(
    batch_size=32, num_workers=4, persistent_workers=True,
    dataset=dict(celeba, split='train'),
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    batch_size=32, num_workers=4, persistent_workers=True,
    dataset=dict(celeba, split='val', test_mode=True),
    sampler=dict(type='DefaultSampler', shuffle=False))
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
