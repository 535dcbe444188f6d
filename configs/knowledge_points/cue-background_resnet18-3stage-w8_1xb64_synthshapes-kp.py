# Spec §6 check 12: the baseline network B of the knowledge-points
# experiment, trained where the background predicts the label (SynthShapes'
# label_background: one background colour per class). Compared with B
# trained on the usual backgrounds, which carry no label information, by
# kp-background-cue_resnet18-3stage-w8_synthshapes.py.
_base_ = ['./baseline_resnet18-3stage-w8_1xb64_synthshapes-kp.py']

train_dataloader = dict(dataset=dict(label_background=True))
val_dataloader = dict(dataset=dict(label_background=True))
test_dataloader = dict(dataset=dict(label_background=True))
