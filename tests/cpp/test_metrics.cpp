#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "framework/errors.hpp"
#include "framework/factories.hpp"
#include "framework/train/metrics.hpp"

using namespace tapenet;
using namespace tapenet::train;
using Catch::Contains;

namespace {

// 4 samples, 4 classes. Row i ranks its classes as listed in the comment (best first).
Tensor four_logits(DType dtype) {
  std::vector<double> v = {
      0.1, 0.9, 0.3, 0.2,   // 1, 2, 3, 0
      2.0, -1.0, 0.5, 1.0,  // 0, 3, 2, 1
      0.0, 0.0, 0.0, 1.0,   // 3, then the tie 0, 1, 2 in index order
      5.0, 4.0, 3.0, 2.0,   // 0, 1, 2, 3
  };
  if (dtype == DType::f64) return from_vector(v, {4, 4});
  return from_vector(std::vector<float>(v.begin(), v.end()), {4, 4});
}

Tensor labels_of(std::vector<int64_t> v) {
  const auto n = static_cast<int64_t>(v.size());
  return from_vector(v, {n});
}

}  // namespace

TEST_CASE("RunningMean weights each value by its count", "[metrics]") {
  RunningMean m;
  CHECK(m.mean() == 0.0);
  CHECK(m.count() == 0);
  m.update(2.0, 3);  // three samples of mean 2
  m.update(6.0);     // one sample of 6
  CHECK(m.mean() == Approx(3.0));
  CHECK(m.count() == 4);
  m.update(100.0, 0);
  CHECK(m.mean() == Approx(3.0));
  REQUIRE_THROWS_WITH(m.update(1.0, -1), Contains("negative count -1"));
  m.reset();
  CHECK(m.mean() == 0.0);
  CHECK(m.count() == 0);
}

TEST_CASE("count_correct counts labels among the k largest logits", "[metrics]") {
  for (DType dtype : {DType::f32, DType::f64}) {
    Tensor x = four_logits(dtype);
    Tensor y = labels_of({2, 0, 1, 3});  // ranks 1, 0, 2 (tie after class 0), 3
    CHECK(count_correct(x, y, 1) == 1);
    CHECK(count_correct(x, y, 2) == 2);
    CHECK(count_correct(x, y, 3) == 3);
    CHECK(count_correct(x, y, 4) == 4);
  }
  // Ties: the lower class index ranks first, as argmax picks the first maximum.
  Tensor ties = from_vector(std::vector<float>{1, 1, 1}, {1, 3});
  CHECK(count_correct(ties, labels_of({0}), 1) == 1);
  CHECK(count_correct(ties, labels_of({1}), 1) == 0);
  CHECK(count_correct(ties, labels_of({1}), 2) == 1);
  // NaN ranks above every number.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor with_nan = from_vector(std::vector<float>{3, nan, 1}, {1, 3});
  CHECK(count_correct(with_nan, labels_of({1}), 1) == 1);
  CHECK(count_correct(with_nan, labels_of({0}), 1) == 0);
  CHECK(count_correct(with_nan, labels_of({0}), 2) == 1);
  // An empty batch.
  CHECK(count_correct(zeros({0, 5}), labels_of({}), 1) == 0);
}

TEST_CASE("count_correct rejects bad shapes, dtypes, k and labels", "[metrics]") {
  Tensor x = four_logits(DType::f32);
  Tensor y = labels_of({0, 1, 2, 3});
  REQUIRE_THROWS_AS(count_correct(x, labels_of({0, 1}), 1), ValueError);
  REQUIRE_THROWS_WITH(count_correct(x, labels_of({0, 1}), 1),
                      Contains("count_correct") && Contains("[4, 4] float32") && Contains("labels [2] int64"));
  REQUIRE_THROWS_WITH(count_correct(zeros({4}), y, 1), Contains("count_correct") && Contains("[4] float32"));
  REQUIRE_THROWS_WITH(count_correct(zeros({4, 4}, DType::i64), y, 1), Contains("[4, 4] int64"));
  REQUIRE_THROWS_WITH(count_correct(x, zeros({4}), 1), Contains("labels [4] float32"));
  REQUIRE_THROWS_WITH(count_correct(x, y, 0), Contains("count_correct: k = 0 out of range [1, 4]"));
  REQUIRE_THROWS_WITH(count_correct(x, y, 5), Contains("k = 5") && Contains("[4, 4]"));
  REQUIRE_THROWS_WITH(count_correct(x, labels_of({0, 4, 1, 1}), 1),
                      Contains("count_correct: label 4 of sample 1 out of range [0, 4)"));
  REQUIRE_THROWS_WITH(count_correct(x, labels_of({0, 1, -1, 1}), 1), Contains("label -1 of sample 2"));
}

TEST_CASE("Accuracy accumulates top-k hits over batches", "[metrics]") {
  Accuracy top1, top3(3);
  CHECK(top1.value() == 0.0);
  Tensor x = four_logits(DType::f32);
  Tensor y = labels_of({2, 0, 1, 3});
  top1.update(x, y);
  top3.update(x, y);
  top1.update(x, labels_of({1, 0, 3, 0}));  // all four right
  CHECK(top1.correct() == 5);
  CHECK(top1.total() == 8);
  CHECK(top1.value() == Approx(5.0 / 8.0));
  CHECK(top3.correct() == 3);
  CHECK(top3.value() == Approx(0.75));
  CHECK(top3.k() == 3);
  REQUIRE_THROWS_AS(top1.update(x, labels_of({0})), ValueError);
  CHECK(top1.total() == 8);  // a failed update adds nothing
  top1.reset();
  CHECK(top1.total() == 0);
  CHECK(top1.value() == 0.0);
  REQUIRE_THROWS_WITH(Accuracy(0), Contains("k must be at least 1"));
}

TEST_CASE("ConfusionMatrix counts (truth, prediction) pairs from logits or predictions", "[metrics]") {
  ConfusionMatrix cm(4);
  cm.update(four_logits(DType::f64), labels_of({2, 0, 1, 3}));  // predictions 1, 0, 3, 0
  cm.update(labels_of({2, 2, 1}), labels_of({2, 1, 1}));
  CHECK(cm.at(2, 1) == 1);
  CHECK(cm.at(0, 0) == 1);
  CHECK(cm.at(1, 3) == 1);
  CHECK(cm.at(3, 0) == 1);
  CHECK(cm.at(2, 2) == 1);
  CHECK(cm.at(1, 2) == 1);
  CHECK(cm.at(1, 1) == 1);
  CHECK(cm.total() == 7);
  CHECK(cm.accuracy() == Approx(3.0 / 7.0));
  Tensor m = cm.matrix();
  REQUIRE(m.shape() == Shape{4, 4});
  REQUIRE(m.dtype() == DType::i64);
  const std::vector<int64_t> expected = {1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0};
  CHECK(std::vector<int64_t>(m.data<int64_t>(), m.data<int64_t>() + 16) == expected);
  const std::vector<double> recall = cm.recall();
  REQUIRE(recall.size() == 4);
  CHECK(recall[0] == Approx(1.0));
  CHECK(recall[1] == Approx(1.0 / 3.0));
  CHECK(recall[2] == Approx(0.5));
  CHECK(recall[3] == 0.0);
  cm.reset();
  CHECK(cm.total() == 0);
  CHECK(cm.accuracy() == 0.0);
  CHECK(cm.recall() == std::vector<double>(4, 0.0));  // empty rows: 0, not NaN
}

TEST_CASE("ConfusionMatrix rejects bad input and leaves its counts unchanged", "[metrics]") {
  ConfusionMatrix cm(3);
  cm.update(labels_of({0, 1}), labels_of({0, 1}));
  REQUIRE_THROWS_WITH(cm.update(labels_of({0, 3}), labels_of({0, 0})),
                      Contains("ConfusionMatrix.update: prediction 3 of sample 1 out of range [0, 3)"));
  REQUIRE_THROWS_WITH(cm.update(labels_of({0, 1}), labels_of({5, 0})), Contains("label 5 of sample 0"));
  REQUIRE_THROWS_WITH(cm.update(zeros({2, 4}), labels_of({0, 0})), Contains("[2, 4]") && Contains("3 classes"));
  REQUIRE_THROWS_WITH(cm.update(zeros({2}), labels_of({0, 0})),
                      Contains("ConfusionMatrix.update") && Contains("got [2] float32"));
  REQUIRE_THROWS_WITH(cm.update(labels_of({0}), labels_of({0, 0})), Contains("labels [2] int64"));
  CHECK(cm.total() == 2);
  REQUIRE_THROWS_AS(cm.at(3, 0), IndexError);
  REQUIRE_THROWS_WITH(ConfusionMatrix(0), Contains("num_classes must be at least 1"));
  REQUIRE_THROWS_WITH(cm.to_string({"a"}), Contains("1 class names for 3 classes"));
}

TEST_CASE("ConfusionMatrix::to_string lays out counts and recall", "[metrics]") {
  ConfusionMatrix cm(2);
  cm.update(labels_of({0, 0, 1, 1}), labels_of({0, 1, 1, 1}));  // (truth, predicted): (0, 0), (1, 0), (1, 1) twice
  CHECK(cm.to_string() ==
        "true \\ predicted  0  1   recall\n"
        "0                 1  0  100.00%\n"
        "1                 1  2   66.67%\n");
  CHECK(cm.to_string({"cat", "dog"}) ==
        "true \\ predicted  cat  dog   recall\n"
        "cat                 1    0  100.00%\n"
        "dog                 1    2   66.67%\n");
}
