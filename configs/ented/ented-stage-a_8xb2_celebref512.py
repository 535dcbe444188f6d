# ENTED stage A at 512x512 for GPU users: the VQ auto-encoder of the clean
# faces of the same folder (data/celebref/<id>/*.png), 200k iterations
# (spec 3), whose LQ encoder and dictionary stage B starts from
# (ented-stage-b_8xb2_celebref512.py).
_base_ = ['./ented-stage-b_8xb2_celebref512.py']

model = dict(stage='A', init_from=None)
# mmpretrain builds its dataset's pipeline in its own scope: gankd's
# transform is named with its scope.
clean = [
    dict(type='mmpretrain.LoadImageFromFile'),
    dict(type='gankd.PackRestorationInputs', degraded_key='img',
         reference_key=None),
]
train_dataloader = dict(dataset=dict(
    _delete_=True, type='mmpretrain.CustomDataset', data_root='data/celebref',
    with_label=True, pipeline=clean))
val_dataloader = dict(dataset=dict(
    _delete_=True, type='mmpretrain.CustomDataset',
    data_root='data/celebref_test', with_label=True, pipeline=clean,
    test_mode=True))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=200000)
