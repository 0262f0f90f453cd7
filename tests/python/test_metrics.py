"""tn.metrics against NumPy / torch: top-k counts, accuracy, confusion matrix; progress output
captured from file objects; MetricsLog files read back with the csv and json modules."""
import csv
import io
import json
import math

import numpy as np
import pytest
import torch

import tapenet as tn


def torch_topk_correct(logits, labels, k):
    top = torch.topk(torch.from_numpy(logits), k, dim=1).indices
    return int((top == torch.from_numpy(labels)[:, None]).any(dim=1).sum())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_count_correct_matches_torch_topk(rng, dtype):
    logits = rng.standard_normal((64, 10)).astype(dtype)
    labels = rng.integers(0, 10, 64)
    for k in (1, 3, 5, 10):
        expected = torch_topk_correct(logits, labels, k)
        assert tn.metrics.count_correct(logits, labels, k) == expected
        assert tn.metrics.count_correct(tn.tensor(logits), tn.tensor(labels), k=k) == expected


def test_count_correct_ties_and_errors():
    ties = np.ones((1, 3), dtype=np.float32)
    assert tn.metrics.count_correct(ties, [0]) == 1  # the first maximum, as argmax
    assert tn.metrics.count_correct(ties, [2]) == 0
    assert tn.metrics.count_correct(ties, [2], k=3) == 1
    logits = np.zeros((4, 3), dtype=np.float32)
    with pytest.raises(ValueError, match=r"count_correct: k = 4 out of range \[1, 3\]"):
        tn.metrics.count_correct(logits, [0, 1, 2, 0], k=4)
    with pytest.raises(ValueError, match=r"count_correct: label 3 of sample 1 out of range \[0, 3\)"):
        tn.metrics.count_correct(logits, [0, 3, 2, 0])
    with pytest.raises(ValueError, match=r"count_correct.*\[4, 3\] float32 and labels \[2\] int64"):
        tn.metrics.count_correct(logits, [0, 1])


def test_running_mean_and_accuracy_over_batches(rng):
    mean, top1, top3 = tn.metrics.RunningMean(), tn.metrics.Accuracy(), tn.metrics.Accuracy(k=3)
    losses, sizes, hits1, hits3 = [], [], 0, 0
    for n in (64, 64, 17):
        logits = rng.standard_normal((n, 10)).astype(np.float32)
        labels = rng.integers(0, 10, n)
        loss = float(rng.random())
        mean.update(loss, n)
        top1.update(logits, labels)
        top3.update(tn.tensor(logits), tn.tensor(labels))
        losses.append(loss)
        sizes.append(n)
        hits1 += torch_topk_correct(logits, labels, 1)
        hits3 += torch_topk_correct(logits, labels, 3)
    assert mean.mean() == pytest.approx(np.average(losses, weights=sizes))
    assert mean.count == 145
    assert (top1.correct, top1.total, top3.correct, top3.k) == (hits1, 145, hits3, 3)
    assert top1.value() == pytest.approx(hits1 / 145)
    top1.reset()
    assert (top1.value(), top1.total) == (0.0, 0)
    with pytest.raises(ValueError, match="negative count"):
        mean.update(1.0, -2)


def test_confusion_matrix_matches_bincount(rng):
    c = 5
    cm = tn.metrics.ConfusionMatrix(c)
    logits = rng.standard_normal((200, c))
    labels = rng.integers(0, c, 200)
    predictions = rng.integers(0, c, 50)
    more_labels = rng.integers(0, c, 50)
    cm.update(logits, labels)  # float64 logits: argmax
    cm.update(predictions, more_labels)  # int64 predictions
    truth = np.concatenate([labels, more_labels])
    pred = np.concatenate([logits.argmax(axis=1), predictions])
    expected = np.bincount(truth * c + pred, minlength=c * c).reshape(c, c)
    m = cm.matrix()
    assert isinstance(m, tn.Tensor) and m.dtype == tn.int64
    np.testing.assert_array_equal(np.asarray(m), expected)
    assert cm.at(2, 3) == expected[2, 3]
    assert cm.total == 250 and cm.num_classes == c
    assert cm.accuracy() == pytest.approx(np.trace(expected) / 250)
    np.testing.assert_allclose(cm.recall(), np.diag(expected) / expected.sum(axis=1))
    table = cm.to_string([f"class{i}" for i in range(c)])
    assert table.startswith("true \\ predicted") and "class4" in table and "recall" in table
    assert str(cm).splitlines()[1].startswith("0 ")
    cm.reset()
    assert cm.recall() == [0.0] * c
    with pytest.raises(ValueError, match=r"ConfusionMatrix.update: prediction 7 of sample 0 out of range \[0, 5\)"):
        cm.update([7], [0])
    with pytest.raises(ValueError, match=r"logits \[1, 3\] do not have 5 classes"):
        cm.update(np.zeros((1, 3)), [0])
    with pytest.raises(IndexError):
        cm.at(5, 0)


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_bar_logs_plain_lines_to_a_pipe():
    out, clock = io.StringIO(), Clock()
    bar = tn.metrics.ProgressBar("epoch 1", 4, stream=out, log_every=2, clock=clock)
    assert bar.mode == "log"  # StringIO is no terminal
    for b in range(1, 5):
        clock.now = b
        bar.update(b, 32 * b, 1.0 / b, accuracy=0.25 * b)
    clock.now = 5.0
    bar.finish("val acc 91.00%")
    assert out.getvalue().splitlines() == [
        "epoch 1  batch 2/4  loss 0.5000  acc 50.00%  32 img/s  eta 0:02",
        "epoch 1  batch 4/4  loss 0.2500  acc 100.00%  26 img/s  time 0:05  val acc 91.00%",
    ]


def test_progress_bar_redraws_on_a_terminal():
    out, clock = FakeTerminal(), Clock()
    with tn.metrics.ProgressBar("e", 2, stream=out, width=4, min_interval_seconds=0, clock=clock) as bar:
        assert bar.mode == "bar"
        clock.now = 1.0
        bar.update(1, 10, 0.5)  # no accuracy
        clock.now = 2.0
        bar.update(2, 20, 0.25, 0.75)
    assert out.getvalue() == (
        "\re [==> ] 1/2  loss 0.5000  10 img/s  eta 0:01"
        "\re [====] 2/2  loss 0.2500  acc 75.00%  10 img/s  eta 0:00"
        "\re [====] 2/2  loss 0.2500  acc 75.00%  10 img/s  time 0:02\n"
    )


def test_progress_bar_narrows_to_the_columns():
    out, clock = FakeTerminal(), Clock()
    bar = tn.metrics.ProgressBar("e", 2, stream=out, columns=50, min_interval_seconds=0, clock=clock)
    clock.now = 1.0
    bar.update(1, 10, 0.5)
    assert out.getvalue() == "\re [====>   ] 1/2  loss 0.5000  10 img/s  eta 0:01"
    assert len(out.getvalue()) - 1 < 50


def test_progress_bar_defaults_to_sys_stdout(capsys):
    bar = tn.metrics.ProgressBar("epoch 3", 1)
    bar.update(1, 8, 0.125)
    bar.finish()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("epoch 3  batch 1/1  loss 0.1250") and "time 0:00" in lines[0]
    silent = tn.metrics.ProgressBar("x", 1, mode="off")
    silent.update(1, 1, 0.0)
    silent.finish()
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="mode must be"):
        tn.metrics.ProgressBar("x", 1, mode="fancy")
    with pytest.raises(ValueError, match="batches_done 2 of 1"):
        bar.update(2, 1, 0.0)


def test_metrics_log_csv_round_trip_and_append(tmp_path):
    path = tmp_path / "run" / "metrics.csv"
    log = tn.metrics.MetricsLog(path)
    assert log.format == "csv" and log.path == str(path)
    rows = [
        {"epoch": 1, "loss": 0.1 + 0.2, "acc": np.float32(0.5), "note": 'a,"b"'},
        {"epoch": np.int64(2), "loss": 1 / 3, "acc": 1.0, "note": "line\nbreak"},
    ]
    log.append(rows[0])
    tn.metrics.MetricsLog(str(path)).append(rows[1])  # a resumed run appends below the header
    with open(path, newline="") as f:
        read = list(csv.DictReader(f))
    assert [r["epoch"] for r in read] == ["1", "2"]
    assert [float(r["loss"]) for r in read] == [0.1 + 0.2, 1 / 3]  # exact round trip
    assert [r["note"] for r in read] == ['a,"b"', "line\nbreak"]
    assert path.read_text().count("epoch,loss") == 1

    before = path.read_bytes()
    with pytest.raises(ValueError, match="'epoch,loss,acc,note'.*'epoch,val_acc'"):
        log.append({"epoch": 3, "val_acc": 0.9})
    assert path.read_bytes() == before
    with pytest.raises(TypeError, match="value of 'x' must be an int, float or str"):
        log.append({"epoch": 3, "loss": 0.0, "acc": 0.0, "note": "n", "x": [1]})
    with pytest.raises(ValueError, match="metrics.txt"):
        tn.metrics.MetricsLog(tmp_path / "metrics.txt")


def test_metrics_log_json_lines(tmp_path):
    path = tmp_path / "metrics.jsonl"
    log = tn.metrics.MetricsLog(path)
    log.append({"epoch": 1, "loss": 0.25, "acc": 2.0, "note": 'tab\t"quote"'})
    log.append({"zeta": math.nan, "alpha": math.inf})
    lines = path.read_text().splitlines()
    first, second = json.loads(lines[0]), json.loads(lines[1])
    assert list(first) == ["epoch", "loss", "acc", "note"]  # insertion order
    assert first == {"epoch": 1, "loss": 0.25, "acc": 2.0, "note": 'tab\t"quote"'}
    assert isinstance(first["acc"], float)
    assert list(second.items()) == [("zeta", None), ("alpha", None)]
    (tmp_path / "not-a-dir").write_text("")
    with pytest.raises(OSError, match="not-a-dir"):
        tn.metrics.MetricsLog(tmp_path / "not-a-dir" / "m.jsonl").append({"a": 1})
