#include <catch2/catch.hpp>

#include <fstream>

#include "datasets/idx.hpp"
#include "framework/errors.hpp"
#include "test_datasets_util.hpp"

using namespace tapenet;
using namespace tapenet::datasets;
using namespace tapenet::testing;

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
  const std::string gz = read_bytes(dir.file("full.gz"));
  write_bytes(dir.file("cut.gz"), gz.substr(0, gz.size() / 2));
  CHECK_THROWS_AS(read_idx(dir.file("cut.gz")), IOError);
  CHECK_THROWS_WITH(read_idx(dir.file("cut.gz")), Catch::Contains("cut.gz"));
  write_bytes(dir.file("zero"), std::string("\x00\x00\x08\x01\x00\x00\x00\x00", 8));
  CHECK_THROWS_WITH(read_idx(dir.file("zero")), Catch::Contains("zero") && Catch::Contains("implausible dimension"));
}
