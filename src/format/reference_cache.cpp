#include "format/reference_cache.h"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "model/parallel.h"
#include "model/random.h"

namespace fs = std::filesystem;

namespace opbench {

namespace {

constexpr char kMagic[8] = {'O', 'P', 'B', 'R', 'E', 'F', '4', '\n'};
// A shape of more dimensions, or a count past this, is a damaged file.
constexpr uint64_t kMaxRank = 16;
// About how fast an entry reads back (a 656 MB entry read in 0.4 s on two
// cores, from the page cache): an entry whose reference took less time to
// compute than its reading would saves nothing, and its writing (1 to 2 s
// there) would only lengthen the first run.
constexpr double kReadBytesPerSecond = 2e9;

template <typename T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <typename T>
bool take(std::ifstream& in, T& v) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&v), sizeof v));
}

template <typename T>
bool take_array(std::ifstream& in, std::vector<T>& v, uint64_t n, uint64_t bytes_left) {
  if (n > bytes_left / sizeof(T)) return false;  // more than the file holds: damaged
  v.resize(n);
  return n == 0 || static_cast<bool>(in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T))));
}

// Everything of an entry before its positions and values. The seconds its
// reference took come first after the magic, so that choosing what to evict
// reads 16 bytes of each file.
std::string entry_header(const std::string& key, const RefTensor& ref, double seconds) {
  std::string header(kMagic, sizeof kMagic);
  put(header, seconds);
  put(header, static_cast<uint64_t>(key.size()));
  header += key;
  put(header, static_cast<uint64_t>(ref.shape.size()));
  for (int64_t d : ref.shape) put(header, d);
  put(header, static_cast<uint64_t>(ref.positions.size()));
  put(header, static_cast<uint64_t>(ref.values.size()));
  put(header, ref.scale);
  put(header, static_cast<uint8_t>(ref.on_demand));
  put(header, ref.digest);
  return header;
}

void write_entry(std::ofstream& out, const std::string& header, const RefTensor& ref) {
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(ref.positions.data()),
            static_cast<std::streamsize>(ref.positions.size() * sizeof(int64_t)));
  out.write(reinterpret_cast<const char*>(ref.values.data()), static_cast<std::streamsize>(ref.values.size() * sizeof(double)));
}

// The seconds an entry's reference took, as its file says; 0 (the first to
// go) for a file too damaged to say.
double recorded_seconds(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[sizeof kMagic];
  double seconds = 0;
  if (!in.read(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof kMagic) != 0 || !take(in, seconds) ||
      !(seconds >= 0 && seconds < 1e9))
    return 0;
  return seconds;
}

// bytes of the file from offset into `to`, in parts read on all cores: a
// dense reference is up to half a gigabyte, which one thread copies out of
// the page cache at a gigabyte a second.
bool read_on_all_cores(const std::string& path, uint64_t offset, void* to, uint64_t bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  constexpr uint64_t kPart = uint64_t{8} << 20;
  std::atomic<bool> ok{true};
  parallel_for((bytes + kPart - 1) / kPart, [&](size_t first, size_t last) {
    for (size_t part = first; part < last && ok; ++part) {
      uint64_t done = part * kPart;
      const uint64_t end = std::min(bytes, done + kPart);
      while (done < end && ok) {
        const ssize_t got = ::pread(fd, static_cast<char*>(to) + done, end - done, static_cast<off_t>(offset + done));
        if (got > 0) done += static_cast<uint64_t>(got);
        else if (got == 0 || errno != EINTR) ok = false;  // shorter than its header says, or unreadable
      }
    }
  }, 1);
  ::close(fd);
  return ok;
}

std::optional<RefTensor> parsed(const std::string& path, const std::string& key) {
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  if (ec) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  char magic[sizeof kMagic];
  uint64_t key_size = 0, rank = 0, npos = 0, nvalues = 0;
  double seconds = 0;
  if (!in.read(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof kMagic) != 0) return std::nullopt;
  if (!take(in, seconds) || !(seconds >= 0 && seconds < 1e9)) return std::nullopt;
  if (!take(in, key_size) || key_size != key.size()) return std::nullopt;
  std::string stored(key_size, '\0');
  if (!in.read(stored.data(), static_cast<std::streamsize>(key_size)) || stored != key) return std::nullopt;
  RefTensor ref;
  if (!take(in, rank) || rank > kMaxRank) return std::nullopt;
  ref.shape.resize(rank);
  for (int64_t& d : ref.shape)
    if (!take(in, d) || d < 0) return std::nullopt;
  uint8_t on_demand = 0;
  if (!take(in, npos) || !take(in, nvalues) || !take(in, ref.scale) || !take(in, on_demand) || on_demand > 1 ||
      !take(in, ref.digest))
    return std::nullopt;
  ref.on_demand = on_demand;
  if (ref.on_demand && npos) return std::nullopt;  // every element is read on demand: no positions
  if (!ref.on_demand && ref.digest) return std::nullopt;  // only an on-demand reference has a digest
  uint64_t header = sizeof kMagic + 8 + 8 + key_size + 8 + 8 * rank + 33;
  if (header > size) return std::nullopt;
  if (!take_array(in, ref.positions, npos, size - header)) return std::nullopt;
  // Exactly what a store writes: a dense entry has a value per element, a
  // sampled one a value per position, and nothing follows.
  uint64_t expected = ref.on_demand ? 0 : ref.positions.empty() ? static_cast<uint64_t>(element_count(ref.shape)) : npos;
  const uint64_t values_at = header + npos * sizeof(int64_t);
  if (nvalues != expected || nvalues > (size - values_at) / sizeof(double) ||
      size != values_at + nvalues * sizeof(double))
    return std::nullopt;
  ref.values.resize(nvalues);
  if (!read_on_all_cores(path, values_at, ref.values.data(), nvalues * sizeof(double))) return std::nullopt;
  return ref;
}

// $HOME, or the user's home from the password database where a service
// starts opbench without HOME.
std::string home_folder() {
  if (const char* home = std::getenv("HOME"); home && *home) return home;
  const passwd* user = getpwuid(getuid());
  return user && user->pw_dir ? user->pw_dir : "";
}

std::string hex(uint64_t h) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

}  // namespace

ReferenceCache::ReferenceCache(std::string folder, uint64_t max_bytes, std::string build)
    : folder_(std::move(folder)), max_bytes_(max_bytes), build_(std::move(build)), build_prefix_(hex(hash_text(build_, 0xb11d))) {
  std::error_code ec;
  fs::create_directories(folder_, ec);
}

std::optional<ReferenceCache> ReferenceCache::for_this_run(const std::string& build) {
  const char* setting = std::getenv("OPBENCH_CACHE");
  if (setting && std::string(setting) == "off") return std::nullopt;
  std::string base;
  if (const char* dir = std::getenv("OPBENCH_CACHE_DIR"); dir && *dir) base = dir;
  else if (std::string home = home_folder(); !home.empty()) base = home + "/.opbench/cache";
  else return std::nullopt;
  double gib = 8;
  if (const char* limit = std::getenv("OPBENCH_CACHE_GB"); limit && *limit) {
    char* end = nullptr;
    double v = std::strtod(limit, &end);
    if (end && *end == '\0' && v >= 0 && v < 1e6) gib = v;
  }
  return ReferenceCache(base + "/references", static_cast<uint64_t>(gib * (1ULL << 30)), build);
}

std::string ReferenceCache::key(const Experiment& e, uint64_t seed) {
  return "line=" + e.line() + "\ndtype=" + dtype_name(e.dtype) + "\nseed=" + std::to_string(seed) + "\n";
}

std::string ReferenceCache::path_of(const std::string& key) const {
  return folder_ + "/" + build_prefix_ + "-" + hex(hash_text(key, 0x0fbe)) + ".ref";
}

std::optional<RefTensor> ReferenceCache::load(const std::string& key) const {
  std::string path = path_of(key);
  std::optional<RefTensor> ref = parsed(path, "build=" + build_ + "\n" + key);
  std::error_code ec;
  if (!ref && fs::exists(path, ec)) fs::remove(path, ec);  // damaged, or another key's: of no use
  return ref;
}

void ReferenceCache::store(const std::string& key, const RefTensor& ref, double seconds) const {
  const std::string header = entry_header("build=" + build_ + "\n" + key, ref, seconds);
  const uint64_t bytes = header.size() + ref.values.size() * sizeof(double) + ref.positions.size() * sizeof(int64_t);
  if (bytes > max_bytes_ || seconds * kReadBytesPerSecond < static_cast<double>(bytes)) return;
  std::string path = path_of(key), partial = path + ".partial." + std::to_string(getpid());
  // This build's other entries (one of the same key is replaced anyway).
  std::vector<Entry> kept = forget_other_builds();
  std::erase_if(kept, [&path](const Entry& f) { return fs::path(f.path).filename() == fs::path(path).filename(); });
  uint64_t used = 0;
  for (const Entry& f : kept) used += f.bytes;
  // Full: room only from entries that save less per byte, the least first.
  // Compared as seconds x bytes across, which needs no division.
  auto saves_less = [](const Entry& a, const Entry& b) { return a.seconds * b.bytes < b.seconds * a.bytes; };
  const Entry incoming{path, bytes, seconds};
  std::sort(kept.begin(), kept.end(), saves_less);
  size_t evicted = 0;
  while (used + bytes > max_bytes_ && evicted < kept.size() && saves_less(kept[evicted], incoming))
    used -= kept[evicted++].bytes;
  if (used + bytes > max_bytes_) return;
  std::error_code ec;
  for (size_t i = 0; i < evicted; ++i) fs::remove(kept[i].path, ec);
  std::ofstream out(partial, std::ios::binary | std::ios::trunc);
  write_entry(out, header, ref);
  out.close();
  if (!out) {
    fs::remove(partial, ec);
    return;
  }
  fs::rename(partial, path, ec);
  if (ec) fs::remove(partial, ec);
}

std::vector<ReferenceCache::Entry> ReferenceCache::forget_other_builds() const {
  std::vector<Entry> mine;
  std::error_code ec;
  for (const fs::directory_entry& f : fs::directory_iterator(folder_, ec)) {
    if (f.path().extension() != ".ref") continue;
    std::error_code size_error;
    if (f.path().filename().string().rfind(build_prefix_ + "-", 0) != 0) fs::remove(f.path(), size_error);
    else mine.push_back({f.path().string(), f.file_size(size_error), recorded_seconds(f.path())});
  }
  return mine;
}

}  // namespace opbench
