# SynthShapes for the knowledge-points experiment (configs/knowledge_points):
# the first 20 classes (10 shapes x solid / striped fill, so both the outline
# and the texture inside the object carry the label), 2,000 training and 500
# validation images at 32x32, batch 64. Samples carry `fg_mask`, the
# foreground of the analysis. Sized for 2 CPU cores (README of the method).
_base_ = ['./synth_shapes_bs64.py']

data_preprocessor = dict(num_classes=20)
train_dataloader = dict(
    dataset=dict(num_samples=2000, num_classes=20))
val_dataloader = dict(
    dataset=dict(num_samples=500, num_classes=20))
test_dataloader = dict(
    dataset=dict(num_samples=500, num_classes=20, split='test'))
