"""tapenet from several Python threads at once: every thread records on its own tape, the GIL is
released during the work, and results stay correct."""
import threading

import numpy as np

import tapenet as tn
import tapenet.nn.functional as F


def test_independent_graphs_on_concurrent_threads():
    rng = np.random.default_rng(3)
    data = [(rng.standard_normal((64, 32)), rng.standard_normal((32, 8)), rng.integers(0, 8, 64)) for _ in range(4)]
    results, errors = {}, []

    def work(i):
        try:
            x_np, w_np, y = data[i]
            for _ in range(20):
                x = tn.tensor(x_np)
                w = tn.tensor(w_np, requires_grad=True)
                loss = F.cross_entropy(x @ w, y)
                loss.backward()
            results[i] = (loss.item(), w.grad.numpy().copy())
        except Exception as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for i, (x_np, w_np, y) in enumerate(data):
        x, w = tn.tensor(x_np), tn.tensor(w_np, requires_grad=True)
        loss = F.cross_entropy(x @ w, y)
        loss.backward()
        assert results[i][0] == loss.item()
        np.testing.assert_array_equal(results[i][1], w.grad.numpy())


def test_no_grad_is_per_thread():
    seen = {}
    x = tn.tensor([1.0], requires_grad=True)
    ready, release = threading.Event(), threading.Event()

    def other():
        ready.wait()
        seen["other"] = (x * 2.0).requires_grad
        release.set()

    t = threading.Thread(target=other)
    t.start()
    with tn.no_grad():
        ready.set()
        release.wait()
        seen["main"] = (x * 2.0).requires_grad
    t.join()
    assert seen == {"other": True, "main": False}
