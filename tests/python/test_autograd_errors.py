"""Misuse of backward raises RuntimeError (graph freed, non-scalar without gradient) or
ValueError (gradient of the wrong shape); retain_graph allows a second pass that accumulates."""
import numpy as np
import pytest

import tapenet as tn


def make():
    x = tn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    return x, (x * x).sum()


def test_backward_twice_raises_mentioning_retain_graph():
    x, loss = make()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]  # the failed call did not add anything


def test_backward_through_freed_intermediate_raises():
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        (y * 2.0).sum().backward()


def test_retain_graph_allows_twice_and_grads_add():
    x, loss = make()
    loss.backward(retain_graph=True)
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    loss.backward()
    assert x.grad.tolist() == [4.0, 8.0, 12.0]


def test_retain_graph_positional():
    x, loss = make()
    loss.backward(None, True)
    loss.backward(None, True)
    loss.backward()
    assert x.grad.tolist() == [6.0, 12.0, 18.0]


def test_non_scalar_backward_without_gradient_raises():
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    with pytest.raises(RuntimeError):
        y.backward()


def test_non_scalar_backward_with_gradient():
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.backward(tn.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 40.0]


def test_one_element_non_0d_backward_without_gradient():
    x = tn.tensor([[3.0]], requires_grad=True)
    (x * x).backward()
    assert x.grad.tolist() == [[6.0]]


def test_gradient_of_wrong_shape_raises_value_error():
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    with pytest.raises(ValueError) as e:
        y.backward(tn.tensor([1.0, 2.0, 3.0]))
    assert "3" in str(e.value) and "2" in str(e.value)


def test_gradient_of_wrong_dtype_raises_value_error():
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError):
        (x * 2.0).backward(tn.tensor(np.array([1.0, 1.0])))


def test_backward_of_tensor_without_grad_raises():
    with pytest.raises(RuntimeError):
        tn.tensor([1.0]).sum().backward()


def test_backward_inside_no_grad_still_works():
    x, loss = make()
    with tn.no_grad():
        loss.backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
