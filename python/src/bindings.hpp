#pragma once
/// \file The binding entry points, one per topic, called from module.cpp.
#include <pybind11/pybind11.h>

namespace tapenet::python {

void bind_tensor(pybind11::module_& m);      // tensor_bindings.cpp: tn.Tensor
void bind_functional(pybind11::module_& m);  // functional_bindings.cpp: free functions, factories, F.*
void bind_autograd(pybind11::module_& m);    // autograd_bindings.cpp: no_grad, gradcheck, seeds, threads

}  // namespace tapenet::python
