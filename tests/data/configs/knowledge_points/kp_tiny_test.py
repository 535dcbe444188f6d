# A tiny knowledge-points experiment for tests (seconds on one core): 16x16
# images, 2 epochs of 64 images, 3 checkpoints, 4 sigma iterations.
networks = dict(
    teacher=dict(config='./tiny_classifier_test.py', analyse=False),
    baseline=dict(config='./tiny_classifier_test.py'),
    student=dict(config='./tiny_student_test.py', teacher='teacher',
                 checkpoint_prefix='student.'),
)
compare = [('student', 'baseline')]
seeds = [0]
epochs = [0, 1, 2]
layers = ['backbone.layer2', 'backbone.layer1']
images = dict(type='SynthShapes', split='train', seed=0, img_size=16,
              num_classes=4, num_candidates=4)
probe = dict(
    relu=True,
    sigma_cfg=dict(grid=4, noise_batch=4, iterations=6, escalation_iter=3,
                   images_per_batch=4, optimizer='Adam', lr=0.05),
    points_cfg=dict(max_images=3, filter_min_epoch=None, threshold=0.02),
    mask_cfg=dict(source='dataset', downsample='any'),
)
grid_images = 2
