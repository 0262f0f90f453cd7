"""tn.study: the channel study from Python on tiny data (the C++ tests cover resume bit for bit)."""
import json

import numpy as np
import pytest

import tapenet as tn
from test_data import write_mnist


def band_images(n):
    """n 28x28 images whose label (i % 10) is a bright band at rows 2*label..2*label+3."""
    labels = np.arange(n) % 10
    images = (np.arange(n)[:, None, None] * 7 + np.arange(28)[None, :, None] * 3 + np.arange(28)[None, None, :]) % 40
    for i, label in enumerate(labels):
        images[i, 2 * label:2 * label + 4, :] = 200
    return images.astype(np.uint8), labels.astype(np.uint8)


@pytest.fixture
def tiny_config(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    write_mnist(str(root), "train", *band_images(64), gz=False)
    write_mnist(str(root), "test", *band_images(32), gz=False)
    return {"name": "tiny", "dataset": "mnist", "data": str(root), "seeds": [1], "batch_size": 16,
            "variants": ["dense", "shared_max", "lenet5_table"], "target_accuracy": 0.2,
            "networks": {"lenet5": {"epochs": 2, "lr": 0.05}}}


def test_presets():
    presets = tn.study.presets()
    assert list(presets) == ["default", "full", "smoke"]
    assert "minutes" in presets["default"] and "about 2 hours" in presets["full"]
    smoke = tn.study.config("smoke")
    assert smoke["name"] == "smoke"
    assert smoke["variants"] == ["dense", "shared_sum"]
    assert smoke["networks"]["lenet5"]["lr"] == 0.01
    default = tn.study.config("default")
    assert len(default["variants"]) == 12 and default["seeds"] == [1, 2]
    assert list(default["networks"]) == ["lenet5", "allconv"]


def test_config_errors(tmp_path):
    with pytest.raises(ValueError, match=r"'epoch' is not a known key"):
        tn.study.config({"epoch": 3})
    with pytest.raises(ValueError, match=r"'networks\.lenet5\.lr' must be a positive number, got 0"):
        tn.study.config({"networks": {"lenet5": {"lr": 0}}})
    with pytest.raises(ValueError, match=r"unknown preset \"quick\" \(valid: default, full, smoke\)"):
        tn.study.run("quick", output=tmp_path / "out")
    with pytest.raises(OSError, match="missing.json"):
        tn.study.config(tmp_path / "missing.json")
    with pytest.raises(TypeError, match="preset name"):
        tn.study.config(3)
    path = tmp_path / "study.json"
    path.write_text(json.dumps({"seeds": [7], "variants": ["maxout"]}))
    assert tn.study.config(path)["seeds"] == [7]
    assert tn.study.config(str(path))["variants"] == ["maxout"]


def test_run_writes_every_output_and_skips_finished_runs(tmp_path, tiny_config, capfd):
    out = tmp_path / "study"
    result = tn.study.run(tiny_config, output=out, progress="log")
    assert result["runs"] == 3 and result["finished"] == 3 and not result["interrupted"]
    assert result["plot_note"] == ""
    for name in ["config.json", "results.csv", "summary.json", "report.md", "accuracy_curves.png", "loss_curves.png",
                 "accuracy_vs_parameters.png", "gap_vs_train_size.png"]:
        assert (out / name).stat().st_size > 0, name
    for run_id in ["lenet5-dense-n64-s1", "lenet5-shared_max-n64-s1", "lenet5-lenet5_table-n64-s1"]:
        assert (out / "runs" / run_id / "checkpoint.h5").exists()
    groups = {g["variant"]: g for g in result["summary"]["groups"]}
    assert groups["dense"]["parameters"] == 61706
    assert groups["lenet5_table"]["swapped_parameters"] == 1516
    assert groups["shared_max"]["swapped_parameters"] == 416
    assert groups["shared_max"]["macs"] == groups["dense"]["macs"]  # one conv per input channel, then the max
    rows = (out / "results.csv").read_text().splitlines()
    assert len(rows) == 1 + 3 * 2
    assert rows[0].startswith("run_id,network,variant,train_size,seed,lr,epochs,parameters")
    report = (out / "report.md").read_text()
    assert "![accuracy_curves.png](accuracy_curves.png)" in report
    assert "| lenet5_table | 0.05 | 60806 | 1516 |" in report
    printed = capfd.readouterr().out
    assert "run 3/3 lenet5 lenet5_table n=64 seed 1 epoch 2/2" in printed
    assert "study: 3/3 runs done" in printed

    again = tn.study.run(tiny_config, output=out, progress="off", plots=False)
    assert again["already_done"] == 3 and again["finished"] == 3
    assert again["summary"]["groups"] == result["summary"]["groups"]

    changed = dict(tiny_config, seeds=[2])
    with pytest.raises(ValueError, match=r"config\.json.*another configuration.*'seeds'"):
        tn.study.run(changed, output=out, progress="off")
    with pytest.raises(ValueError, match="progress must be"):
        tn.study.run(tiny_config, output=out, progress="loud")
