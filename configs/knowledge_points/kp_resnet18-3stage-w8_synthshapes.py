# The knowledge-points experiment on SynthShapes (Cheng et al., CVPR 2020;
# spec methods/kd_knowledge_points.md): teacher T, baseline B and student S,
# same architecture, 3 seeds each; S and B diagnosed at two layers over the
# checkpoint list. One command trains what is missing and analyses:
#   python tools/knowledge_points.py configs/knowledge_points/kp_resnet18-3stage-w8_synthshapes.py
# Sized for <= 45 minutes on 2 CPU cores (README.md, "Cost").

# The networks. `config`: training config (relative to this file or
# `gankd::`); `teacher`: the network whose final weights of the same seed
# are this one's teacher_ckpt; `analyse`: diagnose it; `checkpoint_prefix`:
# where the classifier sits in the checkpoints ('student.' for a
# distiller's student, whose classifier config is then model.student).
networks = dict(
    teacher=dict(
        config='./teacher_resnet18-3stage-w8_1xb64_synthshapes-kp.py',
        analyse=False),
    baseline=dict(
        config='./baseline_resnet18-3stage-w8_1xb64_synthshapes-kp.py'),
    student=dict(
        config='./student_resnet18-3stage-w8_1xb64_synthshapes-kp.py',
        teacher='teacher', checkpoint_prefix='student.'),
)
# Hypotheses compare the first network of each pair with the second, on the
# images valid for both (spec §2.7).
compare = [('student', 'baseline')]
seeds = [0, 1, 2]
# Checkpoint list C (epochs; 0 = initial weights), within S's phase 1. The
# paper's list has 15 points over 150 epochs; 5 over 10 here.
epochs = [0, 1, 3, 6, 10]
# Diagnosed layers: the top conv stage (where S mimics T) and the one below.
layers = ['backbone.layer3', 'backbone.layer2']

# Candidate images: the first `num_candidates` training images (the code
# draws 500 and keeps the first 50 valid: points_cfg.max_images).
images = dict(type='SynthShapes', split='train', seed=0, img_size=32,
              num_classes=20, num_candidates=10)

# Probe settings (KnowledgePointsProbe; defaults = official code, README of
# plugins/gankd_knowledge_points). Changed here, and why:
probe = dict(
    relu=True,
    sigma_cfg=dict(
        grid=16,          # official G; 2x2-pixel cells at 32x32
        noise_batch=16,   # official 96: 6x cheaper, noisier gradient
        images_per_batch=10),
    points_cfg=dict(
        max_images=8,       # official 50
        filter_min_epoch=3,  # official 40 of 150 epochs: ~1/4 of the run
    ),
    mask_cfg=dict(source='dataset'),  # SynthShapes fg_mask
)
# Entropy-map grids: this many images per (network, layer, checkpoint).
grid_images = 8
