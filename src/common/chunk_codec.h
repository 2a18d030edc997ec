// The serialized form of a Chunk (docs/formats/chunk.md): self-describing (column names, types,
// nullability), little-endian, versioned. The log stores it as a record batch payload. Decoding
// validates every length and offset and answers kCorruption, never crashes, for any input bytes.
// Stateless functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/chunk.h"

namespace braid {

inline constexpr uint8_t kChunkFormatVersion = 1;

// Appends the serialized chunk to *out.
void SerializeChunk(const Chunk& chunk, std::string* out);
// Appends the serialization of the chunk made of `rows` of `chunk`, in that order, without
// building that chunk: byte for byte what SerializeChunk(chunk.Select(rows)) writes. The log uses
// it to write each partition's share of an ingested chunk in one gather pass.
void SerializeChunkRows(const Chunk& chunk, std::span<const uint32_t> rows, std::string* out);
// Decodes bytes written by SerializeChunk. The result's schema is the one stored in the bytes.
Result<Chunk> DeserializeChunk(std::string_view bytes);

}  // namespace braid
