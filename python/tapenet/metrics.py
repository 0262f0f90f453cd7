"""tapenet.metrics: running loss and accuracy, top-k counts, a confusion matrix, a per-epoch
progress bar and a per-run metrics file (the C++ classes of tapenet::train).

    import tapenet as tn
    loss_mean, acc = tn.metrics.RunningMean(), tn.metrics.Accuracy()
    log = tn.metrics.MetricsLog("runs/lenet/metrics.csv")          # or .jsonl
    with tn.metrics.ProgressBar(f"epoch {epoch}", len(loader)) as bar:
        for i, (images, labels) in enumerate(loader):
            logits = model(images)
            ...
            loss_mean.update(float(loss), len(labels))
            acc.update(logits, labels)
            bar.update(i + 1, acc.total, loss_mean.mean(), acc.value())
    log.append({"epoch": epoch, "train_loss": loss_mean.mean(), "train_acc": acc.value()})

On a terminal the bar is redrawn in place; on a pipe or a file (or io.StringIO) it writes plain log
lines instead. See "Metrics, progress and run logs" in docs/TRAINING.md.
"""

from . import _C

_metrics = _C._metrics
Accuracy = _metrics.Accuracy
ConfusionMatrix = _metrics.ConfusionMatrix
MetricsLog = _metrics.MetricsLog
ProgressBar = _metrics.ProgressBar
RunningMean = _metrics.RunningMean
count_correct = _metrics.count_correct

__all__ = [
    "Accuracy",
    "ConfusionMatrix",
    "MetricsLog",
    "ProgressBar",
    "RunningMean",
    "count_correct",
]
