#include "framework/hdf5_file.hpp"

#include <hdf5.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <utility>

#include "framework/errors.hpp"

namespace tapenet {

namespace {

/// Holds the process-wide HDF5 mutex and switches off HDF5's printing of its error stack for the
/// scope (restoring the previous handler on exit).
class Hdf5Session {
 public:
  Hdf5Session() : lock_(mutex()) {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~Hdf5Session() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  Hdf5Session(const Hdf5Session&) = delete;
  Hdf5Session& operator=(const Hdf5Session&) = delete;

 private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  std::lock_guard<std::mutex> lock_;
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

/// An owned HDF5 identifier, closed by `close` (H5Fclose, H5Gclose, ...) unless invalid.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() { release(); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)), close_(other.close_) {}
  Handle& operator=(Handle&&) = delete;
  hid_t get() const { return id_; }
  /// Closes now; negative when closing failed (for a file: its data could not be written).
  herr_t release() {
    const herr_t rc = id_ >= 0 ? close_(id_) : 0;
    id_ = -1;
    return rc;
  }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

/// Throws IOError "<file>: <what>" unless `ok`.
void require(bool ok, const std::string& file, const std::string& what) {
  if (ok) return;
  std::string msg = file;
  msg.append(": ").append(what);
  throw IOError(msg);
}

std::string child_path(const std::string& parent, const std::string& name) {
  std::string out = parent == "/" ? "" : parent;
  return out.append("/").append(name);
}

/// The HDF5 types of a dtype: in the file (little-endian) and in memory.
struct Hdf5Types {
  hid_t file;
  hid_t memory;
};

Hdf5Types hdf5_types(DType d) {
  switch (d) {
    case DType::f32:
      return {H5T_IEEE_F32LE, H5T_NATIVE_FLOAT};
    case DType::f64:
      return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE};
    case DType::i64:
      break;
  }
  return {H5T_STD_I64LE, H5T_NATIVE_INT64};
}

/// A variable-length UTF-8 string type.
Handle string_type() {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

Handle dataspace(const Shape& shape) {
  if (shape.empty()) return Handle(H5Screate(H5S_SCALAR), H5Sclose);
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  return Handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
}

// ---- writing ----

class Writer {
 public:
  explicit Writer(const std::string& file) : file_(file) {}

  void group(hid_t g, const Hdf5Group& group, const std::string& where) {
    for (const auto& [name, ds] : group.datasets) dataset(g, name, ds, child_path(where, name));
    for (const auto& [name, sub] : group.groups) {
      Handle h(H5Gcreate2(g, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
      require(h.get() >= 0, file_, "cannot create group " + child_path(where, name));
      this->group(h.get(), sub, child_path(where, name));
    }
    attributes(g, group.attributes, where);
  }

 private:
  void dataset(hid_t g, const std::string& name, const Hdf5Dataset& ds, const std::string& where) {
    const Tensor& t = ds.tensor;
    Handle space = dataspace(t.shape());
    Handle d(
        H5Dcreate2(g, name.c_str(), hdf5_types(t.dtype()).file, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        H5Dclose);
    require(d.get() >= 0, file_, "cannot create dataset " + where);
    if (t.numel() > 0)
      require(H5Dwrite(d.get(), hdf5_types(t.dtype()).memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.raw_data()) >= 0, file_,
              "cannot write dataset " + where);
    attributes(d.get(), ds.attributes, where);
  }

  void attributes(hid_t obj, const Hdf5Attributes& attrs, const std::string& where) {
    for (const auto& [name, value] : attrs) {
      const std::string what = "cannot write attribute " + name + " of " + where;
      std::visit([&](const auto& v) { require(attribute(obj, name, v), file_, what); }, value);
    }
  }

  static bool write_attribute(hid_t obj, const std::string& name, hid_t ftype, hid_t mtype, hid_t space,
                              const void* data) {
    Handle a(H5Acreate2(obj, name.c_str(), ftype, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    return a.get() >= 0 && H5Awrite(a.get(), mtype, data) >= 0;
  }
  static bool attribute(hid_t obj, const std::string& name, const std::string& v) {
    Handle type = string_type();
    Handle space = dataspace({});
    const char* p = v.c_str();
    return write_attribute(obj, name, type.get(), type.get(), space.get(), &p);
  }
  static bool attribute(hid_t obj, const std::string& name, const std::vector<std::string>& v) {
    Handle type = string_type();
    Handle space = dataspace({static_cast<int64_t>(v.size())});
    std::vector<const char*> ptrs;
    for (const std::string& s : v) ptrs.push_back(s.c_str());
    return write_attribute(obj, name, type.get(), type.get(), space.get(), ptrs.data());
  }
  static bool attribute(hid_t obj, const std::string& name, int64_t v) {
    Handle space = dataspace({});
    return write_attribute(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, space.get(), &v);
  }
  static bool attribute(hid_t obj, const std::string& name, double v) {
    Handle space = dataspace({});
    return write_attribute(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space.get(), &v);
  }

  const std::string& file_;
};

// ---- reading ----

herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->emplace_back(name);
  return 0;
}

herr_t collect_attribute(hid_t, const char* name, const H5A_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->emplace_back(name);
  return 0;
}

class Reader {
 public:
  explicit Reader(const std::string& file) : file_(file) {}

  Hdf5Group group(hid_t g, const std::string& where) {
    Hdf5Group out;
    std::vector<std::string> names;
    require(H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_link, &names) >= 0, file_,
            "cannot list group " + where + " (truncated or corrupt file)");
    for (const std::string& name : names) {
      const std::string path = child_path(where, name);
      Handle obj(H5Oopen(g, name.c_str(), H5P_DEFAULT), H5Oclose);
      require(obj.get() >= 0, file_, "cannot open " + path + " (truncated or corrupt file)");
      const H5I_type_t kind = H5Iget_type(obj.get());
      if (kind == H5I_GROUP)
        out.groups[name] = group(obj.get(), path);
      else if (kind == H5I_DATASET)
        out.datasets[name] = dataset(obj.get(), path);
      else
        require(false, file_, path + " is neither a group nor a dataset");
    }
    out.attributes = attributes(g, where);
    return out;
  }

 private:
  Hdf5Dataset dataset(hid_t d, const std::string& where) {
    Handle type(H5Dget_type(d), H5Tclose);
    const H5T_class_t cls = H5Tget_class(type.get());
    const std::size_t size = H5Tget_size(type.get());
    DType dtype = DType::f32;
    if (cls == H5T_FLOAT && (size == 4 || size == 8))
      dtype = size == 4 ? DType::f32 : DType::f64;
    else if (cls == H5T_INTEGER && size == 8 && H5Tget_sign(type.get()) == H5T_SGN_2)
      dtype = DType::i64;
    else
      require(false, file_,
              "dataset " + where + " has an unsupported type (" + type_description(cls, size) +
                  "); expected float32, float64 or int64");
    Handle space(H5Dget_space(d), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    require(rank >= 0, file_, "cannot read the shape of dataset " + where);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    Tensor t = Tensor::empty(Shape(dims.begin(), dims.end()), dtype);
    if (t.numel() > 0)
      require(H5Dread(d, hdf5_types(dtype).memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.raw_data()) >= 0, file_,
              "cannot read dataset " + where + " (truncated or corrupt file)");
    return {t, attributes(d, where)};
  }

  static std::string type_description(H5T_class_t cls, std::size_t size) {
    const char* name = cls == H5T_FLOAT     ? "float"
                       : cls == H5T_INTEGER ? "integer"
                       : cls == H5T_STRING  ? "string"
                                            : "class";
    std::string out = name;
    return out.append(" of ").append(std::to_string(size)).append(" bytes");
  }

  Hdf5Attributes attributes(hid_t obj, const std::string& where) {
    std::vector<std::string> names;
    require(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_attribute, &names) >= 0, file_,
            "cannot list the attributes of " + where);
    Hdf5Attributes out;
    for (const std::string& name : names) {
      const std::string what = "attribute " + name + " of " + where;
      Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
      Handle type(H5Aget_type(a.get()), H5Tclose);
      Handle space(H5Aget_space(a.get()), H5Sclose);
      require(a.get() >= 0 && type.get() >= 0 && space.get() >= 0, file_, "cannot open " + what);
      const H5T_class_t cls = H5Tget_class(type.get());
      const hssize_t n = H5Sget_simple_extent_npoints(space.get());
      if (cls == H5T_STRING) {
        std::vector<std::string> values = strings(a.get(), type.get(), space.get(), static_cast<std::size_t>(n), what);
        if (H5Sget_simple_extent_ndims(space.get()) == 0)
          out[name] = values.at(0);
        else
          out[name] = std::move(values);
        continue;
      }
      require(n == 1 && (cls == H5T_INTEGER || cls == H5T_FLOAT), file_,
              what + " is not a string, a list of strings or a single number");
      if (cls == H5T_INTEGER) {
        int64_t v = 0;
        require(H5Aread(a.get(), H5T_NATIVE_INT64, &v) >= 0, file_, "cannot read " + what);
        out[name] = v;
      } else {
        double v = 0;
        require(H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v) >= 0, file_, "cannot read " + what);
        out[name] = v;
      }
    }
    return out;
  }

  /// Variable-length or fixed-length strings (h5py writes either).
  std::vector<std::string> strings(hid_t a, hid_t type, hid_t space, std::size_t n, const std::string& what) {
    std::vector<std::string> out;
    if (H5Tis_variable_str(type) > 0) {
      Handle mtype = string_type();
      std::vector<char*> ptrs(n, nullptr);
      require(H5Aread(a, mtype.get(), ptrs.data()) >= 0, file_, "cannot read " + what);
      for (char* p : ptrs) out.emplace_back(p ? p : "");
      H5Dvlen_reclaim(mtype.get(), space, H5P_DEFAULT, ptrs.data());
      return out;
    }
    const std::size_t size = H5Tget_size(type);
    Handle mtype(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mtype.get(), size);
    std::vector<char> buffer(n * size);
    require(H5Aread(a, mtype.get(), buffer.data()) >= 0, file_, "cannot read " + what);
    for (std::size_t i = 0; i < n; ++i) {
      const char* p = buffer.data() + i * size;
      out.emplace_back(p, strnlen(p, size));
    }
    return out;
  }

  const std::string& file_;
};

}  // namespace

void write_hdf5_file(const std::string& path, const Hdf5Group& root) {
  Hdf5Session session;
  Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  require(file.get() >= 0, path, "cannot create the file");
  Writer(path).group(file.get(), root, "/");
  require(H5Fflush(file.get(), H5F_SCOPE_GLOBAL) >= 0, path, "cannot flush the file");
  require(file.release() >= 0, path, "cannot close the file");
}

Hdf5Group read_hdf5_file(const std::string& path) {
  std::error_code ec;
  require(std::filesystem::is_regular_file(path, ec), path, "no such file");
  Hdf5Session session;
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  require(is_hdf5 >= 0, path, "cannot open the file");
  require(is_hdf5 > 0, path, "not an HDF5 file");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  require(file.get() >= 0, path, "cannot open the HDF5 file (truncated or corrupt)");
  return Reader(path).group(file.get(), "/");
}

}  // namespace tapenet
