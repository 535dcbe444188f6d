# SynthFaces (embedded, procedural) for attribute prediction at 64x64: the
# 32x32 piece with the image size, batch and measured statistics changed.
_base_ = ['./synth_faces_attrs_32.py']

data_preprocessor = dict(std=[67.6, 51.6, 50.4])

train_dataloader = dict(batch_size=64, dataset=dict(img_size=64))
val_dataloader = dict(batch_size=64, dataset=dict(img_size=64))
test_dataloader = dict(batch_size=64, dataset=dict(img_size=64))
