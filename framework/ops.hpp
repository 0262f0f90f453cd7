#pragma once
/// \file Every differentiable op family.
#include "framework/ops/activation.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/dropout.hpp"
#include "framework/ops/linear.hpp"
#include "framework/ops/loss.hpp"
#include "framework/ops/matmul.hpp"
#include "framework/ops/normalization.hpp"
#include "framework/ops/pooling.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/ops/shape_ops.hpp"
#include "framework/ops/softmax.hpp"
#include "framework/ops/unary.hpp"
