# Spec §6 check 12 (direction sanity): a network trained where the
# background carries no label information (SynthShapes' random backgrounds:
# colour, gradient, clutter, pixel noise) has a higher lambda, the share of
# its knowledge points on the foreground, than the same network trained
# where a background cue predicts the label (one background colour per
# class). Both are diagnosed on the same images, which carry the cue:
#   python tools/knowledge_points.py configs/knowledge_points/kp-background-cue_resnet18-3stage-w8_synthshapes.py
_base_ = ['./kp_resnet18-3stage-w8_synthshapes.py']

networks = dict(
    _delete_=True,
    noise_bg=dict(
        config='./baseline_resnet18-3stage-w8_1xb64_synthshapes-kp.py'),
    cue_bg=dict(
        config='./cue-background_resnet18-3stage-w8_1xb64_synthshapes-kp.py'),
)
compare = [('noise_bg', 'cue_bg')]
# The final weights decide the check; epoch 3 is where the background
# filter starts (probe.points_cfg.filter_min_epoch).
epochs = [0, 3, 10]
layers = ['backbone.layer3']
images = dict(label_background=True)
