"""How far a linear head on one layer's pooled features can go: a trained
classifier's feature map at LAYER, average-pooled, standardised, and a
logistic regression (scikit-learn) fitted on the config's training split,
scored on its test split.

Residual KD's deployed head reads exactly such features (S + A imitate the
teacher's feature map at ``teacher_layer``; GAP, BatchNorm, linear), so the
probe of the teacher at that layer bounds what the head can reach from a
perfect imitation.

    python tools/analysis/linear_probe.py \\
        configs/baselines/resnet18-w16_1xb64_synthshapes.py \\
        work_dirs/resnet18-w16_1xb64_synthshapes/epoch_15.pth \\
        --layers backbone.layer3 backbone.layer4

Both splits are read through the test pipeline (no augmentation). The
classifier runs in inference mode, in batches.
"""
import argparse
import time

import numpy as np
import torch
from mmengine.dataset import pseudo_collate

from gankd.apis.config import build_model
from gankd.config import load_config
from gankd.errors import report_user_errors
from gankd.models.predictors.frozen_classifier import load_state_dict_strict
from gankd.models.recorders import ModuleOutputsRecorder
from gankd.registry import DATASETS, scope_config_types
from gankd.utils.checkpoint import load_training_checkpoint


def pooled_features(classifier, dataset, layers, batch_size=250):
    """``{layer: [len(dataset), C]}`` average-pooled outputs, and the
    labels ``[len(dataset)]``."""
    recorders = {name: ModuleOutputsRecorder(name) for name in layers}
    for recorder in recorders.values():
        recorder.prepare(classifier)
    feats = {name: [] for name in layers}
    labels = []
    with torch.inference_mode():
        for start in range(0, len(dataset), batch_size):
            batch = pseudo_collate([dataset[i] for i in range(
                start, min(start + batch_size, len(dataset)))])
            data = classifier.data_preprocessor(batch, False)
            for recorder in recorders.values():
                recorder.__enter__()
            classifier.extract_feat(data['inputs'])
            for name, recorder in recorders.items():
                recorder.__exit__(None, None, None)
                out = recorder.get_record_data()
                out = out[-1] if isinstance(out, (tuple, list)) else out
                feats[name].append(out.float().mean((2, 3)).numpy())
            labels += [int(s.gt_label) for s in data['data_samples']]
    return {k: np.concatenate(v) for k, v in feats.items()}, np.array(labels)


def load_classifier(config: str, checkpoint: str):
    """The config's classifier as the Runner builds it (with its data
    preprocessor), its trained weights loaded strictly, in eval mode."""
    cfg = load_config(config)
    classifier = build_model(cfg)
    load_state_dict_strict(classifier, checkpoint,
                           load_training_checkpoint(checkpoint))
    return cfg, classifier.eval()


def _dataset(cfg, split: str):
    dataset = cfg[f'{split}_dataloader']['dataset'].to_dict()
    dataset['pipeline'] = cfg.test_dataloader.dataset.pipeline
    return DATASETS.build(scope_config_types(dataset))


@report_user_errors
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='the classifier config')
    parser.add_argument('checkpoint', help='its trained weights')
    parser.add_argument('--layers', nargs='+', required=True,
                        help='module paths, e.g. backbone.layer3')
    parser.add_argument('--C', type=float, default=1.0,
                        help='inverse L2 strength of the logistic '
                        'regression (default: 1.0)')
    args = parser.parse_args(argv)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    cfg, classifier = load_classifier(args.config, args.checkpoint)
    started = time.perf_counter()
    train, y_train = pooled_features(classifier, _dataset(cfg, 'train'),
                                     args.layers)
    test, y_test = pooled_features(classifier, _dataset(cfg, 'test'),
                                   args.layers)
    print(f'features of {len(y_train)} + {len(y_test)} images in '
          f'{time.perf_counter() - started:.0f} s')
    print('| layer | channels | linear probe top-1 (%) |\n|---|---|---|')
    for name in args.layers:
        probe = make_pipeline(StandardScaler(), LogisticRegression(
            C=args.C, max_iter=2000))
        probe.fit(train[name], y_train)
        top1 = 100 * (probe.predict(test[name]) == y_test).mean()
        print(f'| {name} | {train[name].shape[1]} | {top1:.2f} |',
              flush=True)


if __name__ == '__main__':
    main()
