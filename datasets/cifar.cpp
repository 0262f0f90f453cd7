#include "datasets/cifar.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "framework/errors.hpp"

namespace tapenet::datasets {
namespace {

constexpr int64_t kPixels = 3 * 32 * 32;
constexpr int64_t kRecord = 1 + kPixels;

std::string locate(const std::string& root, const std::string& name) {
  for (const std::filesystem::path& dir :
       {std::filesystem::path(root), std::filesystem::path(root) / "cifar-10-batches-bin"})
    if (std::filesystem::exists(dir / name)) return (dir / name).string();
  std::string msg = "CIFAR10: missing ";
  msg.append((std::filesystem::path(root) / name).string())
      .append(
          "; download the binary version (cifar-10-binary.tar.gz) from "
          "https://www.cs.toronto.edu/~kriz/cifar.html and pass its directory as root");
  throw IOError(msg);
}

// Appends the records of one batch file to pixels / labels.
void read_batch(const std::string& path, std::vector<uint8_t>& pixels, std::vector<int64_t>& labels) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IOError("CIFAR10: " + path + ": cannot open file");
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw IOError("CIFAR10: " + path + ": read error");
  const auto size = static_cast<int64_t>(bytes.size());
  if (size == 0 || size % kRecord != 0)
    throw IOError("CIFAR10: " + path + ": " + std::to_string(size) + " bytes is not a whole number of " +
                  std::to_string(kRecord) + "-byte records (truncated or not a CIFAR-10 binary batch)");
  for (int64_t r = 0; r < size / kRecord; ++r) {
    const auto* record = reinterpret_cast<const uint8_t*>(bytes.data()) + r * kRecord;
    if (record[0] > 9)
      throw IOError("CIFAR10: " + path + ": record " + std::to_string(r) + " has label " + std::to_string(record[0]) +
                    " (expected 0-9)");
    labels.push_back(record[0]);
    pixels.insert(pixels.end(), record + 1, record + kRecord);
  }
}

ImageDataset load(const std::string& root, bool train) {
  std::vector<std::string> names;
  if (train)
    for (int i = 1; i <= 5; ++i) names.push_back("data_batch_" + std::to_string(i) + ".bin");
  else
    names.push_back("test_batch.bin");
  std::vector<std::string> paths;
  for (const std::string& name : names) paths.push_back(locate(root, name));
  std::vector<uint8_t> pixels;
  std::vector<int64_t> labels;
  for (const std::string& path : paths) read_batch(path, pixels, labels);
  return ImageDataset(std::move(pixels), {3, 32, 32}, std::move(labels));
}

}  // namespace

CIFAR10::CIFAR10(const std::string& root, bool train) : ImageDataset(load(root, train)) {}

}  // namespace tapenet::datasets
