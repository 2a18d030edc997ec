// IdempotencyTable: what the log knows about requests appended under an Idempotency-Key, so that
// a retry appends nothing twice. A key is known by its 64-bit hash (keys themselves are not
// stored; two keys colliding is as unlikely as 2^-64 per pair). For each key the table records
// the parts of the request that are durable in the log: part index, partition, base offset and
// record count, out of the request's part count. It is rebuilt from batch headers (via segment
// indexes) at Open, grows as appends complete, and forgets the parts that retention deleted.
//
// Claims keep two concurrent tries of one key apart: Claim answers kDuplicateObject while the key
// is claimed, and Release (with the parts that became durable) ends the claim. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "log/record_batch.h"

namespace braid::log {

struct KeyedPart {
  uint16_t part_index = 0;
  int partition = 0;
  uint64_t base_offset = 0;
  uint32_t record_count = 0;

  bool operator==(const KeyedPart&) const = default;
};

// What is already in the log for a key.
struct KeyState {
  uint16_t part_count = 0;       // 0: nothing known for the key
  std::vector<KeyedPart> parts;  // distinct part indexes, unordered

  bool complete() const { return part_count > 0 && parts.size() == part_count; }
};

class IdempotencyTable {
 public:
  // Records a batch recovered from partition `partition`.
  void AddRecovered(int partition, const KeyedBatch& batch);

  // Claims `key_hash` for one try and answers what the log already holds for it.
  // kDuplicateObject when another try of the key is in flight.
  Result<KeyState> Claim(uint64_t key_hash);
  // Ends the claim, recording the parts of this try that are now durable.
  void Release(uint64_t key_hash, uint16_t part_count, std::span<const KeyedPart> appended);

  // Forgets every key with a part below its partition's start offset (deleted by retention).
  void ForgetBelow(std::span<const uint64_t> start_offsets);

  size_t size() const;

 private:
  void AddPart(uint64_t key_hash, uint16_t part_count, const KeyedPart& part);

  mutable std::mutex mu_;
  std::unordered_map<uint64_t, KeyState> keys_;
  std::unordered_set<uint64_t> claimed_;
};

}  // namespace braid::log
