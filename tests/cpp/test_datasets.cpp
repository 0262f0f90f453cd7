#include <catch2/catch.hpp>

#include <cstdlib>
#include <memory>
#include <set>

#include "datasets/cifar.hpp"
#include "datasets/mnist.hpp"
#include "datasets/tensor_dataset.hpp"
#include "datasets/transforms.hpp"
#include "framework/errors.hpp"
#include "framework/factories.hpp"
#include "framework/ops/shape_ops.hpp"
#include "test_datasets_util.hpp"

using namespace tapenet;
using namespace tapenet::datasets;
using namespace tapenet::testing;

namespace {

// A 1x2x3 image with values 1..6 (row-major) in a one-sample data set.
std::shared_ptr<TensorDataset> tiny_image(int64_t channels = 1) {
  Tensor images = Tensor::empty({1, channels, 2, 3});
  for (int64_t i = 0; i < images.numel(); ++i) images.data<float>()[i] = static_cast<float>(i + 1);
  Tensor labels = Tensor::empty({1}, DType::i64);
  labels.data<int64_t>()[0] = 4;
  return std::make_shared<TensorDataset>(images, labels);
}

std::vector<float> values(const Tensor& t) { return {t.data<float>(), t.data<float>() + t.numel()}; }

// The one-sample batch of `ds` through `t` with the randomness of sample `position`.
Tensor transformed(const Dataset& ds, const Transform& t, int64_t position = 0) {
  return ds.get_batch({0}, &t, {7, 0, position}).images;
}

}  // namespace

TEST_CASE("MNIST and FashionMNIST read IDX files, raw or gzipped", "[datasets]") {
  TempDir dir;
  write_idx(dir.file("t10k-images-idx3-ubyte.gz"), sample_images(3), true);
  write_idx(dir.file("t10k-labels-idx1-ubyte"), IdxArray{{3}, {7, 0, 9}}, false);
  const FashionMNIST ds(dir.path.string(), false);
  CHECK(ds.size() == 3);
  CHECK(ds.image_shape() == ImageShape{1, 2, 3});
  const Batch b = ds.get_batch({2, 0});
  CHECK(b.images.shape() == Shape{2, 1, 2, 3});
  CHECK(b.images.dtype() == DType::f32);
  CHECK(b.labels.dtype() == DType::i64);
  CHECK(b.labels.at<int64_t>({0}) == 9);
  CHECK(b.labels.at<int64_t>({1}) == 7);
  CHECK(b.images.at<float>({0, 0, 0, 1}) == (2 * 6 + 1) * 7 % 256 / 255.0f);
  CHECK(b.images.at<float>({1, 0, 1, 2}) == 5 * 7 / 255.0f);
  CHECK_THROWS_AS(ds.get_batch({3}), IndexError);
  CHECK_THROWS_AS(ds.get_batch({-1}), IndexError);
  CHECK(MNIST(dir.path.string(), false).size() == 3);
}

TEST_CASE("missing and mismatched MNIST files are clear errors", "[datasets]") {
  TempDir dir;
  const std::string images = dir.file("train-images-idx3-ubyte");
  CHECK_THROWS_WITH(FashionMNIST(dir.path.string(), true),
                    Catch::Contains(images) && Catch::Contains("dataset-fashion-mnist"));
  CHECK_THROWS_WITH(MNIST(dir.path.string(), true),
                    Catch::Contains(images) && Catch::Contains("pass") && Catch::Contains("no Debian package"));
  write_idx(images, sample_images(3), false);
  write_idx(dir.file("train-labels-idx1-ubyte"), IdxArray{{2}, {1, 2}}, false);
  CHECK_THROWS_WITH(FashionMNIST(dir.path.string(), true),
                    Catch::Contains("3 images but") && Catch::Contains("2 labels"));
  write_idx(dir.file("train-labels-idx1-ubyte"), IdxArray{{3, 1}, {1, 2, 3}}, false);
  CHECK_THROWS_WITH(FashionMNIST(dir.path.string(), true),
                    Catch::Contains("train-labels") && Catch::Contains("1 dimension"));
  // A truncated file is reported by the IDX reader with its name.
  std::string bytes = read_bytes(images);
  write_bytes(images, bytes.substr(0, bytes.size() - 1));
  CHECK_THROWS_WITH(FashionMNIST(dir.path.string(), true), Catch::Contains(images) && Catch::Contains("truncated"));
}

TEST_CASE("FashionMNIST's default root honours TAPENET_DATA", "[datasets]") {
  const char* old = std::getenv("TAPENET_DATA");
  const std::string saved = old ? old : "";
  ::setenv("TAPENET_DATA", "/nonexistent/tapenet-data", 1);
  CHECK(default_fashion_mnist_root() == "/nonexistent/tapenet-data");
  CHECK_THROWS_WITH(FashionMNIST(), Catch::Contains("/nonexistent/tapenet-data/train-images-idx3-ubyte"));
  ::unsetenv("TAPENET_DATA");
  CHECK(default_fashion_mnist_root() == "/usr/share/datasets/fashion-mnist");
  if (old) ::setenv("TAPENET_DATA", saved.c_str(), 1);
}

TEST_CASE("CIFAR10 reads binary batches", "[datasets]") {
  TempDir dir;
  for (int i = 1; i <= 5; ++i)
    write_cifar_batch(dir.file("data_batch_" + std::to_string(i) + ".bin"), {static_cast<uint8_t>(i), 0});
  std::filesystem::create_directories(dir.path / "cifar-10-batches-bin");
  write_cifar_batch((dir.path / "cifar-10-batches-bin" / "test_batch.bin").string(), {3, 9, 1});
  const CIFAR10 train(dir.path.string(), true);
  CHECK(train.size() == 10);
  CHECK(train.image_shape() == ImageShape{3, 32, 32});
  const Batch b = train.get_batch({2, 1});
  CHECK(b.images.shape() == Shape{2, 3, 32, 32});
  CHECK(b.labels.at<int64_t>({0}) == 2);  // first record of data_batch_2
  CHECK(b.labels.at<int64_t>({1}) == 0);
  CHECK(b.images.at<float>({1, 0, 0, 0}) == 1 / 255.0f);                   // record 1, pixel 0
  CHECK(b.images.at<float>({1, 2, 31, 31}) == (1 + 3071) % 256 / 255.0f);  // last (blue) pixel
  const CIFAR10 test(dir.path.string(), false);
  CHECK(test.size() == 3);
  CHECK(test.get_batch({1}).labels.at<int64_t>({0}) == 9);
}

TEST_CASE("bad CIFAR10 files are clear errors", "[datasets]") {
  TempDir dir;
  CHECK_THROWS_WITH(CIFAR10(dir.path.string(), false),
                    Catch::Contains(dir.file("test_batch.bin")) && Catch::Contains("cifar.html"));
  write_cifar_batch(dir.file("data_batch_1.bin"), {1});
  CHECK_THROWS_WITH(CIFAR10(dir.path.string(), true), Catch::Contains("data_batch_2.bin"));
  write_bytes(dir.file("test_batch.bin"), std::string(3073 + 10, '\0'));
  CHECK_THROWS_WITH(CIFAR10(dir.path.string(), false),
                    Catch::Contains("test_batch.bin") && Catch::Contains("3083 bytes") && Catch::Contains("records"));
  write_bytes(dir.file("test_batch.bin"), "");
  CHECK_THROWS_AS(CIFAR10(dir.path.string(), false), IOError);
  write_cifar_batch(dir.file("test_batch.bin"), {0, 10});
  CHECK_THROWS_WITH(CIFAR10(dir.path.string(), false), Catch::Contains("record 1 has label 10"));
}

TEST_CASE("TensorDataset holds floats or bytes and checks shapes", "[datasets]") {
  const Tensor images = arange(0, 12, 1, DType::f32);
  Tensor labels = Tensor::empty({2}, DType::i64);
  labels.data<int64_t>()[0] = 5;
  labels.data<int64_t>()[1] = 6;
  const TensorDataset floats(reshape(images, {2, 1, 2, 3}), labels);
  CHECK(floats.size() == 2);
  const Batch b = floats.get_batch({1});
  CHECK(values(b.images) == std::vector<float>{6, 7, 8, 9, 10, 11});
  CHECK(b.labels.at<int64_t>({0}) == 6);
  const TensorDataset bytes(std::vector<uint8_t>{0, 255, 51, 1}, {1, 1, 2}, labels);
  CHECK(values(bytes.get_batch({1}).images) == std::vector<float>{51 / 255.0f, 1 / 255.0f});
  CHECK_THROWS_WITH(TensorDataset(images, labels), Catch::Contains("[n, C, H, W]"));
  CHECK_THROWS_WITH(TensorDataset(reshape(images, {3, 1, 2, 2}), labels), Catch::Contains("3 images but 2 labels"));
  CHECK_THROWS_WITH(TensorDataset(reshape(images, {2, 1, 2, 3}), images), Catch::Contains("int64"));
  CHECK_THROWS_AS(TensorDataset(std::vector<uint8_t>(5), {1, 1, 2}, labels), ValueError);
}

TEST_CASE("Subset takes the first n or a seeded random n", "[datasets]") {
  auto base = std::make_shared<TensorDataset>(std::vector<uint8_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, ImageShape{1, 1, 1},
                                              arange(0, 10, 1, DType::i64));
  const auto first = Subset::take(base, 3);
  CHECK(first->indices() == std::vector<int64_t>{0, 1, 2});
  CHECK(first->get_batch({2}).labels.at<int64_t>({0}) == 2);
  const auto random = Subset::take(base, 4, 42);
  CHECK(random->size() == 4);
  CHECK(random->indices() == Subset::take(base, 4, 42)->indices());
  CHECK(random->indices() != Subset::take(base, 4, 43)->indices());
  CHECK(std::set<int64_t>(random->indices().begin(), random->indices().end()).size() == 4);
  const Batch b = random->get_batch({0, 1, 2, 3});
  for (int64_t i = 0; i < 4; ++i) CHECK(b.labels.at<int64_t>({i}) == random->indices()[static_cast<std::size_t>(i)]);
  const Subset picked(base, {9, 0});
  CHECK(picked.get_batch({0}).images.at<float>({0, 0, 0, 0}) == 9 / 255.0f);
  CHECK_THROWS_AS(Subset::take(base, 11), ValueError);
  CHECK_THROWS_AS(Subset(base, {10}), IndexError);
}

TEST_CASE("Normalize and Pad give exact values", "[datasets][transforms]") {
  const auto ds = tiny_image(2);  // channel 0: 1..6, channel 1: 7..12
  const Tensor n = transformed(*ds, Normalize({1, 7}, {2, 0.5f}));
  CHECK(values(n) == std::vector<float>{0, 0.5f, 1, 1.5f, 2, 2.5f, 0, 2, 4, 6, 8, 10});
  CHECK(values(transformed(*ds, Normalize({1}, {1}))).back() == 11);
  CHECK_THROWS_WITH(
      ds->get_batch({0}, std::make_shared<Normalize>(std::vector<float>{0, 0, 0}, std::vector<float>{1, 1, 1}).get()),
      Catch::Contains("[2, 2, 3]"));
  CHECK_THROWS_AS(Normalize({0}, {0}), ValueError);
  CHECK_THROWS_AS(Normalize({0, 1}, {1}), ValueError);

  const Tensor p = transformed(*tiny_image(), Pad(1));
  CHECK(p.shape() == Shape{1, 1, 4, 5});
  CHECK(values(p) == std::vector<float>{0, 0, 0, 0, 0,  //
                                        0, 1, 2, 3, 0,  //
                                        0, 4, 5, 6, 0,  //
                                        0, 0, 0, 0, 0});
  CHECK_THROWS_AS(Pad(-1), ValueError);
}

TEST_CASE("RandomCrop and RandomHorizontalFlip give exact, seeded values", "[datasets][transforms]") {
  const auto ds = tiny_image();
  // Each crop is one window of the zero-padded image; every offset occurs over many samples.
  const std::vector<float> padded = values(transformed(*ds, Pad(1)));  // 4x5
  std::set<std::pair<int, int>> offsets;
  for (int64_t pos = 0; pos < 200; ++pos) {
    const std::vector<float> c = values(transformed(*ds, RandomCrop(2, 1), pos));
    bool matched = false;
    for (int top = 0; top <= 2; ++top)
      for (int left = 0; left <= 3; ++left) {
        const std::vector<float> w{padded[top * 5 + left], padded[top * 5 + left + 1], padded[(top + 1) * 5 + left],
                                   padded[(top + 1) * 5 + left + 1]};
        if (w == c && !matched) {
          offsets.insert({top, left});
          matched = true;
        }
      }
    CHECK(matched);
    CHECK(c == values(transformed(*ds, RandomCrop(2, 1), pos)));  // same position, same crop
  }
  CHECK(offsets.size() >= 10);  // 12 windows, some identical in value
  CHECK_THROWS_WITH(ds->get_batch({0}, std::make_shared<RandomCrop>(5).get()),
                    Catch::Contains("5x5") && Catch::Contains("[1, 2, 3]"));

  CHECK(values(transformed(*ds, RandomHorizontalFlip(1.0))) == std::vector<float>{3, 2, 1, 6, 5, 4});
  CHECK(values(transformed(*ds, RandomHorizontalFlip(0.0))) == std::vector<float>{1, 2, 3, 4, 5, 6});
  int flipped = 0;
  for (int64_t pos = 0; pos < 200; ++pos)
    flipped += transformed(*ds, RandomHorizontalFlip(), pos).data<float>()[0] == 3;
  CHECK(flipped > 60);
  CHECK(flipped < 140);
  CHECK_THROWS_AS(RandomHorizontalFlip(1.5), ValueError);
}

TEST_CASE("Compose chains transforms and their shapes", "[datasets][transforms]") {
  const auto ds = tiny_image();
  const Compose c({std::make_shared<Pad>(1), std::make_shared<RandomHorizontalFlip>(1.0),
                   std::make_shared<Normalize>(std::vector<float>{1}, std::vector<float>{0.5f})});
  CHECK(c.output_shape({1, 2, 3}) == ImageShape{1, 4, 5});
  const Tensor t = transformed(*ds, c);
  CHECK(t.shape() == Shape{1, 1, 4, 5});
  CHECK(values(t)[6] == (3 - 1) / 0.5f);  // row 1, col 1 of the flipped padded image is pixel 3
  CHECK(values(t)[0] == -2);              // padding 0 normalised
  CHECK(c.repr() == "Compose(Pad(padding=1), RandomHorizontalFlip(p=1), Normalize(mean=[1], std=[0.5]))");
}

TEST_CASE("the real Fashion-MNIST test split loads when installed", "[datasets]") {
  if (!std::filesystem::exists(default_fashion_mnist_root() + "/t10k-images-idx3-ubyte.gz")) return;
  const FashionMNIST test(default_fashion_mnist_root(), false);
  CHECK(test.size() == 10000);
  CHECK(test.image_shape() == ImageShape{1, 28, 28});
  for (int64_t label : test.labels()) REQUIRE((label >= 0 && label <= 9));
}
