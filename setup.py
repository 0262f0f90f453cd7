"""Builds the tapenet._C extension with CMake for pip / setuptools.

    python3 -m venv --system-site-packages /tmp/v
    /tmp/v/bin/python -m pip install --no-build-isolation .

Only the `_C` target is built (tests, examples and benchmarks off), for the interpreter running
this script. Metadata lives in pyproject.toml. Environment:
  TAPENET_PIP_BUILD_DIR  where setuptools and CMake build (default: build-pip/ in the source tree)
  TAPENET_CMAKE_ARGS     extra CMake configure arguments (space-separated)
"""

import os
import shlex
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
BUILD_BASE = Path(os.environ.get("TAPENET_PIP_BUILD_DIR") or ROOT / "build-pip").resolve()


class CMakeExtension(Extension):
    """An extension whose sources CMake knows (setuptools compiles nothing itself)."""

    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    """Configures the tapenet CMake project and builds the `_C` target into the package dir."""

    def build_extension(self, ext):
        out_dir = Path(self.get_ext_fullpath(ext.name)).resolve().parent
        cmake_dir = BUILD_BASE / "cmake"
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(cmake_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            "-DTAPENET_BUILD_TESTS=OFF", "-DTAPENET_BUILD_EXAMPLES=OFF", "-DTAPENET_BUILD_BENCH=OFF",
            "-DTAPENET_BUILD_PYTHON=ON",
            f"-DPython_EXECUTABLE={sys.executable}",
            f"-DTAPENET_PYTHON_MODULE_DIR={out_dir}",
        ] + shlex.split(os.environ.get("TAPENET_CMAKE_ARGS", ""))
        subprocess.run(configure, check=True)
        jobs = str(os.cpu_count() or 1)
        subprocess.run(["cmake", "--build", str(cmake_dir), "--target", "_C", "-j", jobs], check=True)


setup(
    ext_modules=[CMakeExtension("tapenet._C")],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": str(BUILD_BASE)}},
)
