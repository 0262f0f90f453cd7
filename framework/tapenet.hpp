#pragma once
/// \file Umbrella header: everything a C++ training program needs from the framework layer.
#include "framework/connection_table.hpp"
#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/module.hpp"
#include "framework/ops.hpp"
#include "framework/parallel.hpp"
#include "framework/random.hpp"
#include "framework/summary.hpp"
#include "framework/tape.hpp"
#include "framework/tensor.hpp"
