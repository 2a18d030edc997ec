#include "sql/view_plan.h"

namespace braid::sql {

SchemaPtr ViewInputSchema(const Schema& stream_schema) {
  std::vector<Field> fields = stream_schema.fields();
  fields.push_back(Field{std::string(kIngestedAtColumn), DataType::kTimestamp, false});
  fields.push_back(Field{std::string(kPartitionColumn), DataType::kBigint, false});
  fields.push_back(Field{std::string(kOffsetColumn), DataType::kBigint, false});
  return std::make_shared<const Schema>(std::move(fields));
}

}  // namespace braid::sql
