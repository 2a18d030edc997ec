// Schema: the ordered, named, typed columns of a stream, a Chunk or a query result. Column names
// are matched case-insensitively (as SQL identifiers are) but kept as declared. Immutable once
// built; share it as std::shared_ptr<const Schema>.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/types.h"

namespace braid {

struct Field {
  std::string name;
  DataType type = DataType::kString;
  bool nullable = true;

  bool operator==(const Field&) const = default;
};

class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}

  const std::vector<Field>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }
  const Field& field(size_t i) const { return fields_[i]; }

  // Index of the column named `name` (case-insensitive), or nullopt.
  std::optional<size_t> FindField(std::string_view name) const;

  bool operator==(const Schema&) const = default;

 private:
  std::vector<Field> fields_;
};

using SchemaPtr = std::shared_ptr<const Schema>;

// A shared schema of `fields`.
inline SchemaPtr MakeSchema(std::vector<Field> fields) {
  return std::make_shared<const Schema>(std::move(fields));
}

// Case-insensitive ASCII comparison used for all SQL identifiers.
bool IdentifierEquals(std::string_view a, std::string_view b);
// Lower-cased copy of an identifier: the canonical key for catalog lookups.
std::string CanonicalIdentifier(std::string_view name);

}  // namespace braid
