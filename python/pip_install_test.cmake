# CTest python_pip_install: `pip install --no-build-isolation .` of the source tree into a fresh
# `python3 -m venv --system-site-packages` (offline: Debian's setuptools, no index), then import
# tapenet from the venv's python in another directory and run a tiny computation.
# Inputs: PYTHON (the base interpreter), SOURCE_DIR, WORK_DIR.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/elsewhere)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()

run(${PYTHON} -m venv --system-site-packages ${WORK_DIR}/venv)
# Keep the build products out of the source tree: setup.py honours TAPENET_PIP_BUILD_DIR.
set(ENV{TAPENET_PIP_BUILD_DIR} ${WORK_DIR}/pip-build)
set(ENV{PIP_NO_INDEX} 1)
set(ENV{PIP_DISABLE_PIP_VERSION_CHECK} 1)
set(ENV{PYTHONPATH} "")
run(${WORK_DIR}/venv/bin/python -m pip install --no-build-isolation --no-index ${SOURCE_DIR})
execute_process(
  COMMAND ${WORK_DIR}/venv/bin/python -c
    "import tapenet as tn, numpy as np, os; import tapenet.nn.functional as F; \
import sys; assert tn.__file__.startswith(sys.prefix), tn.__file__; \
x = tn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True); (x * x).sum().backward(); \
assert np.allclose(x.grad.numpy(), [[2, 4], [6, 8]]); \
print('pip-installed tapenet', tn.__version__, 'at', os.path.dirname(tn.__file__), 'grad ok')"
  WORKING_DIRECTORY ${WORK_DIR}/elsewhere
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "importing the pip-installed tapenet failed (${rc})")
endif()
