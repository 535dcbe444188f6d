# CelebA aligned faces with their 40 binary attributes (list_attr_celeba.txt)
# and official train/val/test partition, center-cropped and resized to
# 64x64, in the same gt_attrs contract as SynthFaces (gankd never downloads
# CelebA: put img_align_celeba/ and the Anno/Eval files under data/celeba).
dataset_type = 'AttributeListDataset'
data_preprocessor = dict(
    mean=[129.0, 108.0, 96.0],  # approximate CelebA RGB statistics
    std=[77.0, 70.0, 69.0],
    to_rgb=True)

train_pipeline = [
    dict(type='mmpretrain.LoadImageFromFile'),
    dict(type='mmpretrain.CenterCrop', crop_size=178),
    dict(type='mmpretrain.Resize', scale=(64, 64), interpolation='area'),
    dict(type='mmpretrain.PackInputs', algorithm_keys=['gt_attrs']),
]
test_pipeline = train_pipeline

train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        data_root='data/celeba',
        ann_file='list_attr_celeba.txt',
        data_prefix='img_align_celeba',
        partition_file='list_eval_partition.txt',
        split='train',
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        data_root='data/celeba',
        ann_file='list_attr_celeba.txt',
        data_prefix='img_align_celeba',
        partition_file='list_eval_partition.txt',
        split='val',
        pipeline=test_pipeline,
        test_mode=True),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='AttributeMetric')
# The test loader is the val loader on the test split.
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
test_evaluator = val_evaluator
