#pragma once
// A bounded on-disk cache of double-precision reference results, so that a
// second run of the same experiment (another backend, another day, the same
// opbench build) reads its reference instead of computing it again.
//
// An entry is keyed by everything the reference depends on: the experiment's
// line and dtype, the seed, and the opbench build (its version and the
// program file's size and modification time, so that a rebuilt opbench,
// whose reference code may have changed, never reads an older build's
// entries). Files are named by the build's hash and the key's; each repeats
// its build and key, and a file that is damaged, truncated or of another key
// is ignored and removed. Entries of other builds, which can never be read,
// are removed when an entry is stored; past the size limit nothing more is
// stored (evicting instead would make a suite larger than the cache miss on
// every entry, each evicting the next one's).
#include <cstdint>
#include <optional>
#include <string>

#include "model/experiment.h"
#include "model/tensor.h"

namespace opbench {

class ReferenceCache {
 public:
  // `folder` is created when missing; `max_bytes` bounds the files in it;
  // `build` names the opbench build whose entries this cache reads and writes.
  ReferenceCache(std::string folder, uint64_t max_bytes, std::string build);

  // The cache a run uses: ~/.opbench/cache/references (or
  // $OPBENCH_CACHE_DIR/references), 8 GiB (OPBENCH_CACHE_GB); nullopt when
  // OPBENCH_CACHE=off (what `opbench run --no-cache` sets) or when there is
  // no home folder.
  static std::optional<ReferenceCache> for_this_run(const std::string& build);

  // Everything else `e`'s reference depends on, as text.
  static std::string key(const Experiment& e, uint64_t seed);

  std::optional<RefTensor> load(const std::string& key) const;
  // Stores `ref` when it fits within the limit; a failure to write (a full
  // disk) leaves the cache without the entry, never a partial file.
  void store(const std::string& key, const RefTensor& ref) const;

  const std::string& folder() const { return folder_; }

 private:
  std::string path_of(const std::string& key) const;
  // Removes other builds' entries; the bytes this build's entries take.
  uint64_t forget_other_builds() const;

  std::string folder_;
  uint64_t max_bytes_;
  std::string build_;
  std::string build_prefix_;  // the build's hash, which starts its files' names
};

}  // namespace opbench
