"""The benchmark reads a finished run back only when its options and its
config are those it would train now."""
import json

from gankd.apis import benchmark


def test_a_finished_run_is_read_back_until_its_config_changes(
        tmp_path, monkeypatch):
    trained = []
    monkeypatch.setattr(benchmark, '_train',
                        lambda run, seed, options, work, progress, env=None:
                        trained.append(run.config) or 12.0)
    monkeypatch.setattr(benchmark, '_test',
                        lambda run, options, work, env=None: 50.0)
    monkeypatch.setattr(benchmark, '_train_speed', lambda work: 100.0)
    config = tmp_path / 'plain.py'  # trainings are stubs: any config
    config.write_text("model = dict(type='ImageClassifier')\n")
    run = benchmark.Run('plain', str(config), distiller=False)
    work = str(tmp_path / 'work')
    options = {'train_cfg.max_epochs': 2}

    def once(opts):
        return benchmark._train_and_test(run, 0, opts, work,
                                         lambda what, s: None)

    assert once(options) == (50.0, 12.0, 100.0) and len(trained) == 1
    assert once(options) == (50.0, 12.0, 100.0) and len(trained) == 1
    once({'train_cfg.max_epochs': 3})  # other options: trained again
    assert len(trained) == 2
    config.write_text(config.read_text() + '\nextra_field = 1\n')
    once({'train_cfg.max_epochs': 3})  # the config changed: trained again
    assert len(trained) == 3
    record = json.load(open(tmp_path / 'work' / 'result.json'))
    assert record['options'] == {'train_cfg.max_epochs': 3}
