#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "datasets/idx.hpp"
#include "datasets/mnist.hpp"

using namespace tapenet;
using namespace tapenet::datasets;

namespace {

// A scratch directory removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("tapenet-idx-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

IdxArray sample_images(int64_t n) {
  IdxArray a{{n, 2, 3}, {}};
  for (int64_t i = 0; i < n * 6; ++i) a.data.push_back(static_cast<uint8_t>(i * 7 % 256));
  return a;
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("IDX files round-trip raw and gzipped", "[idx]") {
  TempDir dir;
  const IdxArray a = sample_images(4);
  for (bool gz : {false, true}) {
    const std::string path = dir.file(gz ? "a.gz" : "a");
    write_idx(path, a, gz);
    const IdxArray b = read_idx(path);
    CHECK(b.dims == a.dims);
    CHECK(b.data == a.data);
  }
  // The gzipped file really is compressed (gzip magic 1f 8b).
  std::ifstream in(dir.file("a.gz"), std::ios::binary);
  CHECK(in.get() == 0x1f);
}

TEST_CASE("bad IDX files are refused with the file name and the problem", "[idx]") {
  TempDir dir;
  CHECK_THROWS_WITH(read_idx(dir.file("missing")), Catch::Contains("missing") && Catch::Contains("cannot open"));
  write_bytes(dir.file("magic"), std::string("\x01\x02\x08\x01\x00\x00\x00\x01\x05", 9));
  CHECK_THROWS_WITH(read_idx(dir.file("magic")), Catch::Contains("bad magic"));
  write_bytes(dir.file("float"), std::string("\x00\x00\x0d\x01\x00\x00\x00\x01\x05", 9));
  CHECK_THROWS_WITH(read_idx(dir.file("float")), Catch::Contains("not unsigned byte"));
  write_bytes(dir.file("short"), std::string("\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02", 10));
  CHECK_THROWS_WITH(read_idx(dir.file("short")), Catch::Contains("short") && Catch::Contains("truncated"));
  write_bytes(dir.file("long"), std::string("\x00\x00\x08\x01\x00\x00\x00\x01\x01\x02", 10));
  CHECK_THROWS_WITH(read_idx(dir.file("long")), Catch::Contains("trailing bytes"));
  // A gzip stream cut in half.
  write_idx(dir.file("full.gz"), sample_images(500), true);
  std::ifstream in(dir.file("full.gz"), std::ios::binary);
  std::string gz((std::istreambuf_iterator<char>(in)), {});
  write_bytes(dir.file("cut.gz"), gz.substr(0, gz.size() / 2));
  CHECK_THROWS_AS(read_idx(dir.file("cut.gz")), IOError);
}

TEST_CASE("MnistDataset forms float batches and int64 labels", "[idx][mnist]") {
  TempDir dir;
  write_idx(dir.file("t10k-images-idx3-ubyte.gz"), sample_images(3), true);
  write_idx(dir.file("t10k-labels-idx1-ubyte"), IdxArray{{3}, {7, 0, 9}}, false);
  const MnistDataset ds(dir.path.string(), Split::test);
  CHECK(ds.size() == 3);
  Tensor images, labels;
  ds.batch({2, 0}, images, labels);
  CHECK(images.shape() == Shape{2, 1, 2, 3});
  CHECK(labels.at<int64_t>({0}) == 9);
  CHECK(labels.at<int64_t>({1}) == 7);
  CHECK(images.at<float>({0, 0, 0, 1}) == Approx((2 * 6 + 1) * 7 % 256 / 255.0));
  CHECK_THROWS_AS(ds.batch({3}, images, labels), IndexError);
  CHECK_THROWS_WITH(MnistDataset(dir.path.string(), Split::train), Catch::Contains("train-images-idx3-ubyte"));
  write_idx(dir.file("t10k-labels-idx1-ubyte"), IdxArray{{2}, {7, 0}}, false);
  CHECK_THROWS_WITH(MnistDataset(dir.path.string(), Split::test), Catch::Contains("3 images but"));
}
