#pragma once
// A bounded on-disk cache of double-precision reference results, so that a
// second run of the same experiment (another backend, another day, the same
// opbench build) reads its reference instead of computing it again.
//
// An entry is keyed by everything the reference depends on: the experiment's
// line and dtype, the seed, and the opbench build (its version and the
// program file's size and modification time, so that a rebuilt opbench,
// whose reference code may have changed, never reads an older build's
// entries). Entries live in files named by the key's hash; each file repeats
// its key, and a file that is damaged, truncated or of another key is
// ignored and removed. Past the size limit the least recently used entries
// go first.
#include <cstdint>
#include <optional>
#include <string>

#include "core/experiment.h"
#include "core/tensor.h"

namespace opbench {

class ReferenceCache {
 public:
  // `folder` is created when missing; `max_bytes` bounds the files in it.
  ReferenceCache(std::string folder, uint64_t max_bytes);

  // The cache a run uses: ~/.opbench/cache/references (or
  // $OPBENCH_CACHE_DIR/references), 8 GiB (OPBENCH_CACHE_GB); nullopt when
  // OPBENCH_CACHE=off (what `opbench run --no-cache` sets) or when there is
  // no home folder.
  static std::optional<ReferenceCache> for_this_run();

  // Everything `e`'s reference depends on, as text.
  static std::string key(const Experiment& e, uint64_t seed, const std::string& build);

  std::optional<RefTensor> load(const std::string& key) const;
  // Stores `ref` unless it is larger than half the limit; a failure
  // to write (a full disk) leaves the cache without the entry, never a
  // partial file. Then removes the least recently used entries past the limit.
  void store(const std::string& key, const RefTensor& ref) const;

  const std::string& folder() const { return folder_; }

 private:
  std::string path_of(const std::string& key) const;
  void evict() const;

  std::string folder_;
  uint64_t max_bytes_;
};

}  // namespace opbench
