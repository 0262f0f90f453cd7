#pragma once
/// \file Glue shared by the tn.nn binding files (module_bindings.cpp, layer_bindings.cpp):
/// Python modules handed to C++ owners, 2-D size arguments, the optional-tensor convention.
#include <memory>
#include <string>

#include "convert.hpp"
#include "framework/module.hpp"
#include "layers/options.hpp"

namespace tapenet::python {

/// A shared_ptr for a C++ owner (Sequential, a parent module) that also keeps the Python object
/// alive: pybind11 2.10 has no smart_holder, so a Python subclass owned only through its C++
/// holder would lose its Python half (its forward, its __dict__). The returned pointer aliases the
/// module and owns a reference to the Python object, which in turn owns the module.
/// `calls_forward`: the owner calls the child's forward from C++ (Sequential), so a Python subclass
/// of a C++ layer overriding forward (which C++ cannot see) is refused with TypeError.
std::shared_ptr<Module> module_for_cpp_owner(py::handle obj, bool calls_forward);

/// PyTorch's `_pair`: an int for both dimensions or a sequence of two ints. TypeError / ValueError.
nn::Size2d size2d_from_py(py::handle obj, const char* what);
/// (h, w) as a Python tuple.
py::tuple size2d_to_py(const nn::Size2d& s);

/// None -> an undefined tensor, otherwise a Tensor (array-likes converted to `like`'s dtype when
/// `like` is defined).
Tensor optional_tensor(py::handle obj, const Tensor& like = Tensor());

/// An undefined tensor as None, otherwise the Tensor.
py::object tensor_or_none(const Tensor& t);

}  // namespace tapenet::python
