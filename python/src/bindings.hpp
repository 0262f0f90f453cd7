#pragma once
/// \file The binding entry points, one per topic, called from module.cpp.
#include <pybind11/pybind11.h>

namespace tapenet::python {

void bind_tensor(pybind11::module_& m);      // tensor_bindings.cpp: tn.Tensor
void bind_functional(pybind11::module_& m);  // functional_bindings.cpp: free functions, factories, F.*
void bind_autograd(pybind11::module_& m);    // autograd_bindings.cpp: no_grad, gradcheck, seeds, threads
/// layer_bindings.cpp: submodule _C._nn (Module, layers, ConnectionTable, summary) and the layer
/// functions of _C._functional (after bind_functional).
void bind_nn(pybind11::module_& m);
/// module_bindings.cpp: Module, Parameter, ConnectionTable, summary into the _nn submodule.
void bind_modules(pybind11::module_& nn);
void bind_optim(pybind11::module_& m);  // optim_bindings.cpp: submodule _C._optim (optimizers, gradient clipping)
void bind_lr_scheduler(pybind11::module_& m);  // scheduler_bindings.cpp: submodule _C._lr_scheduler (LR schedules)
void bind_data(pybind11::module_& m);  // data_bindings.cpp: submodule _C._data (data sets, transforms, DataLoader)
void bind_models(pybind11::module_& m);  // model_bindings.cpp: submodule _C._models (conv variants, LeNet-5)
void bind_train(pybind11::module_& m);  // train_bindings.cpp: submodule _C._metrics (metrics, ProgressBar, MetricsLog)
void bind_checkpoint(pybind11::module_& m);  // checkpoint_bindings.cpp: save_checkpoint, load_checkpoint
void bind_study(pybind11::module_& m);  // study_bindings.cpp: submodule _C._study (the channel study)

}  // namespace tapenet::python
