#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>

#include "datasets/dataloader.hpp"
#include "datasets/tensor_dataset.hpp"
#include "framework/errors.hpp"
#include "framework/factories.hpp"
#include "framework/parallel.hpp"

using namespace tapenet;
using namespace tapenet::datasets;

namespace {

// n one-channel 4x4 images; every pixel of image k is k / 255, its label is k.
std::shared_ptr<TensorDataset> numbered(int64_t n) {
  std::vector<uint8_t> pixels;
  for (int64_t k = 0; k < n; ++k) pixels.insert(pixels.end(), 16, static_cast<uint8_t>(k));
  return std::make_shared<TensorDataset>(std::move(pixels), ImageShape{1, 4, 4}, arange(0, double(n), 1, DType::i64));
}

std::vector<int64_t> labels_of(DataLoader& loader) {
  std::vector<int64_t> seen;
  for (auto& [images, labels] : loader)
    seen.insert(seen.end(), labels.data<int64_t>(), labels.data<int64_t>() + labels.numel());
  return seen;
}

std::vector<std::vector<float>> epoch_images(DataLoader& loader) {
  std::vector<std::vector<float>> out;
  while (auto batch = loader.next())
    out.emplace_back(batch->images.data<float>(), batch->images.data<float>() + batch->images.numel());
  return out;
}

// Restores the thread count at scope exit.
struct ThreadsGuard {
  int saved = get_num_threads();
  ~ThreadsGuard() { set_num_threads(saved); }
};

// A data set of 64x64 images (large enough for get_batch to split a batch across threads) whose
// sample `bad` throws.
class Faulty : public Dataset {
 public:
  explicit Faulty(int64_t bad) : bad_(bad) {}
  int64_t size() const override { return 10; }
  ImageShape image_shape() const override { return {1, 64, 64}; }
  int64_t read(int64_t index, float* out) const override {
    if (index == bad_) throw ValueError("sample " + std::to_string(index) + " is broken");
    std::fill(out, out + 64 * 64, 0.0f);
    return index;
  }

 private:
  int64_t bad_;
};

}  // namespace

TEST_CASE("DataLoader batch counts with and without drop_last", "[dataloader]") {
  const auto ds = numbered(10);
  for (int64_t prefetch : {0, 2}) {
    DataLoader keep(ds, DataLoaderOptions(4).prefetch(prefetch));
    CHECK(keep.size() == 3);
    std::vector<int64_t> sizes;
    for (auto& [images, labels] : keep) {
      sizes.push_back(labels.numel());
      CHECK(images.shape() == Shape{labels.numel(), 1, 4, 4});
    }
    CHECK(sizes == std::vector<int64_t>{4, 4, 2});
    DataLoader drop(ds, DataLoaderOptions(4).drop_last(true).prefetch(prefetch));
    CHECK(drop.size() == 2);
    CHECK(labels_of(drop) == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
  }
  CHECK(DataLoader(ds, DataLoaderOptions(10).drop_last(true)).size() == 1);
  CHECK(DataLoader(ds, DataLoaderOptions(11).drop_last(true)).size() == 0);
  CHECK_THROWS_AS(DataLoader(ds, DataLoaderOptions(0)), ValueError);
  CHECK_THROWS_AS(DataLoader(ds, DataLoaderOptions(1).prefetch(-1)), ValueError);
  CHECK_THROWS_WITH(DataLoader(ds, DataLoaderOptions(1).transform(std::make_shared<RandomCrop>(5))),
                    Catch::Contains("RandomCrop"));
}

TEST_CASE("DataLoader visits every sample once per epoch in an order set by (seed, epoch)", "[dataloader]") {
  const auto ds = numbered(23);
  DataLoader loader(ds, DataLoaderOptions(5).shuffle(true).seed(3));
  const std::vector<int64_t> e0 = labels_of(loader);
  CHECK(loader.epoch() == 1);  // a full iteration advances the epoch
  const std::vector<int64_t> e1 = labels_of(loader);
  CHECK(std::set<int64_t>(e0.begin(), e0.end()).size() == 23);
  CHECK(std::set<int64_t>(e1.begin(), e1.end()).size() == 23);
  CHECK(e0.size() == 23);
  CHECK(e0 != e1);
  CHECK(e0 == loader.order(0));
  loader.set_epoch(0);
  CHECK(labels_of(loader) == e0);
  DataLoader same(ds, DataLoaderOptions(7).shuffle(true).seed(3).prefetch(0));
  same.set_epoch(1);
  CHECK(labels_of(same) == e1);  // the order does not depend on the batch size or prefetch
  DataLoader other(ds, DataLoaderOptions(5).shuffle(true).seed(4));
  CHECK(labels_of(other) != e0);
  DataLoader plain(ds, DataLoaderOptions(5));
  CHECK(labels_of(plain) == plain.order(0));
  CHECK(plain.order(0) == plain.order(5));
}

TEST_CASE("DataLoader state resumes the data order mid-epoch", "[dataloader]") {
  const auto ds = numbered(20);
  DataLoader loader(ds, DataLoaderOptions(3).shuffle(true).seed(9));
  loader.set_epoch(2);
  const std::vector<int64_t> full = labels_of(loader);
  loader.set_epoch(2);
  loader.next();
  loader.next();
  CHECK(loader.state() == LoaderState{2, 2});
  DataLoader resumed(ds, DataLoaderOptions(3).shuffle(true).seed(9));
  resumed.set_state(loader.state());
  const std::vector<int64_t> rest = labels_of(resumed);
  CHECK(rest == std::vector<int64_t>(full.begin() + 6, full.end()));
  CHECK(resumed.state() == LoaderState{3, 0});
  CHECK_THROWS_AS(resumed.set_state({0, 8}), ValueError);
  CHECK_THROWS_AS(resumed.set_epoch(-1), ValueError);
}

TEST_CASE("DataLoader batches are bit-identical for any thread count and prefetch", "[dataloader]") {
  ThreadsGuard guard;
  // 3x8x8 images: batches of 64 are split across threads when there are several.
  std::vector<uint8_t> pixels(100 * 3 * 8 * 8);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 37 % 251);
  const auto ds =
      std::make_shared<TensorDataset>(std::move(pixels), ImageShape{3, 8, 8}, arange(0, 100, 1, DType::i64));
  const auto transform = std::make_shared<Compose>(std::vector<TransformPtr>{
      std::make_shared<RandomCrop>(6, 2), std::make_shared<RandomHorizontalFlip>(),
      std::make_shared<Normalize>(std::vector<float>{0.5f, 0.4f, 0.3f}, std::vector<float>{0.2f, 0.25f, 0.3f})});
  const auto run = [&](int threads, int64_t prefetch) {
    set_num_threads(threads);
    DataLoader loader(ds, DataLoaderOptions(64).shuffle(true).seed(5).transform(transform).prefetch(prefetch));
    loader.set_epoch(3);
    return epoch_images(loader);
  };
  const auto one = run(1, 0);
  CHECK(one.size() == 2);
  CHECK(one[0].size() == 64 * 3 * 6 * 6);
  CHECK(run(2, 2) == one);
  CHECK(run(2, 1) == one);
}

TEST_CASE("DataLoader shuts down cleanly mid-epoch", "[dataloader]") {
  const auto ds = numbered(200);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t prefetch : {1, 2, 8}) {
    auto loader = std::make_unique<DataLoader>(ds, DataLoaderOptions(2).prefetch(prefetch));
    CHECK(loader->next().has_value());
    loader.reset();  // the worker is blocked on a full queue: must not hang
    DataLoader never_used(ds, DataLoaderOptions(2).prefetch(prefetch));
  }
  DataLoader loader(ds, DataLoaderOptions(2));
  loader.next();
  loader.set_epoch(4);  // also discards the prefetched batches
  CHECK(loader.next()->labels.at<int64_t>({0}) == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

TEST_CASE("DataLoader rethrows assembly errors to the consumer", "[dataloader]") {
  const auto ds = std::make_shared<Faulty>(5);
  for (int64_t prefetch : {0, 2}) {
    DataLoader loader(ds, DataLoaderOptions(4).prefetch(prefetch));
    CHECK(loader.next().has_value());
    CHECK_THROWS_WITH(loader.next(), Catch::Contains("sample 5 is broken"));
    CHECK(loader.state().position == 1);
    CHECK_THROWS_AS(loader.next(), ValueError);  // retried, fails again
    loader.set_state({0, 2});
    CHECK(loader.next()->labels.at<int64_t>({1}) == 9);
  }
}
