#!/usr/bin/python3
"""LeNet-5 on Fashion-MNIST (or MNIST) from Python, with the C3 layer chosen on the command line.

The Python twin of examples/lenet5_fashion_mnist.cpp: same network (tn.models.lenet5 is the C++
builder), same data pipeline, same recipe, the same per-epoch report and the same checkpoints
(--checkpoint / --checkpoint-every / --resume).

    PYTHONPATH=build/python /usr/bin/python3 examples/lenet5_fashion_mnist.py --c3 shared_max
"""

import argparse
import resource
import sys
import time

import tapenet as tn

# Training-set pixel mean and standard deviation.
NORMALIZATION = {"fashion-mnist": (0.2860, 0.3530), "mnist": (0.1307, 0.3081)}


def parse_args(argv):
    p = argparse.ArgumentParser(description="Train LeNet-5 on Fashion-MNIST with a selectable C3 layer")
    p.add_argument("--c3", default="lenet5_table", choices=tn.models.conv_variants(), help="C3 variant")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--test-batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--optimizer", default="sgd", choices=["sgd", "adam"])
    p.add_argument("--schedule", default="none", choices=["none", "cosine"],
                   help="learning-rate schedule (cosine: over the epochs)")
    p.add_argument("--activation", default="relu", choices=["relu", "tanh"])
    p.add_argument("--pooling", default="max", choices=["max", "avg"])
    p.add_argument("--dataset", default="fashion-mnist", choices=["fashion-mnist", "mnist"])
    p.add_argument("--data", default=None,
                   help="directory with the IDX files (default: $TAPENET_DATA or the Debian package's)")
    p.add_argument("--train-size", type=int, default=0, help="train on a seeded random subset (0: all)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="threads (0: all cores)")
    p.add_argument("--log", default=None, help="append per-epoch metrics to this .csv or .jsonl file")
    p.add_argument("--progress", default="auto", choices=["auto", "bar", "log", "off"])
    p.add_argument("--checkpoint", default=None, help="save a checkpoint (HDF5) to this file")
    p.add_argument("--checkpoint-every", type=int, default=1,
                   help="epochs between checkpoints (the last epoch always saves)")
    p.add_argument("--resume", default=None,
                   help="continue the run saved in this checkpoint (same command-line options)")
    args = p.parse_args(argv)
    for name in ("epochs", "batch_size", "test_batch_size", "checkpoint_every"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be positive")
    return args


def load(args, train):
    if args.dataset == "mnist":
        if args.data is None:
            sys.exit("error: --dataset mnist needs --data (no Debian package provides MNIST)")
        return tn.data.MNIST(args.data, train=train)
    return tn.data.FashionMNIST(args.data, train=train)


def train_epoch(model, loader, optimizer, title, progress):
    model.train()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    start = time.perf_counter()
    loss_mean, accuracy = tn.metrics.RunningMean(), tn.metrics.Accuracy()
    with tn.metrics.ProgressBar(title, len(loader), mode=progress) as bar:
        for i, (images, labels) in enumerate(loader):
            optimizer.zero_grad()
            logits = model(images)
            loss = tn.nn.functional.cross_entropy(logits, labels)
            loss.backward()
            optimizer.step()
            loss_mean.update(loss.item(), len(labels))
            accuracy.update(logits, labels)
            bar.update(i + 1, accuracy.total, loss_mean.mean(), accuracy.value())
    seconds = time.perf_counter() - start
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    return loss_mean.mean(), accuracy.value(), accuracy.total, seconds, faults


def evaluate(model, loader):
    model.eval()
    loss_mean, accuracy = tn.metrics.RunningMean(), tn.metrics.Accuracy()
    with tn.no_grad():
        for images, labels in loader:
            logits = model(images)
            loss_mean.update(tn.nn.functional.cross_entropy(logits, labels).item(), len(labels))
            accuracy.update(logits, labels)
    model.train()
    return loss_mean.mean(), accuracy.value()


def main(argv=None):
    args = parse_args(argv)
    if args.threads > 0:
        tn.set_num_threads(args.threads)
    tn.manual_seed(args.seed)
    train_set, test_set = load(args, True), load(args, False)
    if args.train_size > 0:
        train_set = tn.data.Subset(train_set, args.train_size, seed=args.seed)
    model = tn.models.lenet5(c3=args.c3, activation=args.activation, pooling=args.pooling, table_seed=args.seed)
    if args.optimizer == "adam":
        optimizer = tn.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    else:
        optimizer = tn.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum,
                                 weight_decay=args.weight_decay)
    schedule = tn.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs) \
        if args.schedule == "cosine" else None
    normalize = tn.data.Normalize(*NORMALIZATION[args.dataset])
    train_loader = tn.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True, seed=args.seed,
                                      transform=normalize)
    test_loader = tn.data.DataLoader(test_set, batch_size=args.test_batch_size, transform=normalize)
    log = tn.metrics.MetricsLog(args.log) if args.log else None

    first_epoch = 1
    if args.resume:
        meta = tn.load_checkpoint(args.resume, model, optimizer, schedule)
        train_loader.load_state_dict(meta["loader"])
        first_epoch = meta["epoch"] + 1
        print(f"resumed from {args.resume} after epoch {first_epoch - 1}")
    print(f"LeNet-5, C3 = {args.c3}: {model.num_parameters()} parameters; {args.dataset}: "
          f"{len(train_set)} train / {len(test_set)} test images; {tn.get_num_threads()} thread(s)", flush=True)
    for epoch in range(first_epoch, args.epochs + 1):
        lr = optimizer.param_groups[0]["lr"]
        train_loss, train_acc, images, seconds, faults = train_epoch(
            model, train_loader, optimizer, f"epoch {epoch}", args.progress)
        test_loss, test_acc = evaluate(model, test_loader)
        if schedule is not None:
            schedule.step()
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(f"epoch {epoch}/{args.epochs}  train loss {train_loss:.4f} acc {100 * train_acc:.2f}%  "
              f"test loss {test_loss:.4f} acc {100 * test_acc:.2f}%  {seconds:.2f} s  {images / seconds:.0f} img/s  "
              f"{faults} page faults  peak RSS {peak_rss / 2**20:.0f} MB", flush=True)
        if log is not None:
            log.append({"c3": args.c3, "epoch": epoch, "lr": lr, "train_loss": train_loss,
                        "train_accuracy": train_acc, "test_loss": test_loss, "test_accuracy": test_acc,
                        "seconds": seconds, "images_per_second": images / seconds, "minor_faults": faults,
                        "peak_rss_bytes": peak_rss})
        if args.checkpoint and (epoch % args.checkpoint_every == 0 or epoch == args.epochs):
            tn.save_checkpoint(args.checkpoint, model, optimizer, schedule,
                               meta={"epoch": epoch, "global_step": epoch * len(train_loader),
                                     "loader": train_loader, "c3": args.c3})


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError) as e:
        sys.exit(f"error: {e}")
