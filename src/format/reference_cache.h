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
// are removed when an entry is stored.
//
// Each entry records how long its reference took to compute: what reading it
// saves. One that took less than reading it back would (at 2 GB/s) is not
// stored. Past the size limit a new entry goes in only by pushing out entries
// that save less time per byte than it does, the least first; where those
// are not enough to make room, nothing changes. So a suite larger than the
// cache settles on the entries that save the most per byte (the least of
// those kept only rises), instead of each new entry evicting the next one's
// and every run missing on all of them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
  // Stores `ref`, which took `seconds` to compute, when it fits within the
  // limit or can take the room of entries that save less per byte (above); a
  // failure to write (a full disk) leaves the cache without the entry, never
  // a partial file.
  void store(const std::string& key, const RefTensor& ref, double seconds) const;

  const std::string& folder() const { return folder_; }

 private:
  std::string path_of(const std::string& key) const;
  // One of this build's entries: its file, size, and the seconds it saves.
  struct Entry {
    std::string path;
    uint64_t bytes = 0;
    double seconds = 0;
  };
  // Removes other builds' entries; this build's.
  std::vector<Entry> forget_other_builds() const;

  std::string folder_;
  uint64_t max_bytes_;
  std::string build_;
  std::string build_prefix_;  // the build's hash, which starts its files' names
};

}  // namespace opbench
