#include "cli/iot_generator.h"

#include <cmath>

#include <fmt/format.h>


namespace braid::cli {
namespace {

constexpr const char* kEventTypes[] = {"reading", "reading", "reading", "reading",
                                       "login",   "logout",  "transaction", "page_view"};

// Per-device base temperature: most around 70, device 0 mod 97 hot, 1 mod 97 cold.
double DeviceBaseTemperature(uint64_t device) {
  if (device % 97 == 0) return 92.0;
  if (device % 97 == 1) return 25.0;
  return 60.0 + static_cast<double>((device * 2654435761u) % 2000) / 100.0;
}

}  // namespace

IotGenerator::IotGenerator(const IotGeneratorOptions& options)
    : options_(options), state_(options.seed * 0x9E3779B97F4A7C15ull + 1) {}

uint64_t IotGenerator::NextRandom() {  // splitmix64
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double IotGenerator::NextUnit() { return static_cast<double>(NextRandom() >> 11) * 0x1.0p-53; }

double IotGenerator::NextGaussian() {  // Box-Muller, one value per call
  double u1 = NextUnit();
  double u2 = NextUnit();
  return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(6.283185307179586 * u2);
}

IotEvent IotGenerator::Next() {
  IotEvent e{};
  const uint64_t i = index_++;
  int64_t t = options_.start.micros + static_cast<int64_t>(static_cast<double>(i) * 1e6 /
                                                             options_.rate);
  if (NextUnit() < options_.disorder_fraction) {
    t -= static_cast<int64_t>(NextUnit() * static_cast<double>(options_.max_disorder.micros));
  }
  if (NextUnit() < options_.late_fraction) {
    t -= 60000000 + static_cast<int64_t>(NextUnit() * 540e6);
  }
  e.device = NextRandom() % options_.devices;
  e.event_ts = Timestamp{t};
  // Rounded to 0.01 so values print short and sums compare cleanly across tools.
  e.temperature = std::round((DeviceBaseTemperature(e.device) + 4.0 * NextGaussian()) * 100) / 100;
  e.energy_consumed = std::round(NextUnit() * 5000) / 1000;
  e.event_type = kEventTypes[NextRandom() % 8];
  e.has_user = NextUnit() < 0.9;
  e.user = NextRandom() % options_.users;
  const bool session_event = e.event_type[0] == 'l' || e.event_type[0] == 'p';
  e.has_session_duration = session_event;
  e.session_duration = std::round(NextUnit() * 360000) / 100;
  e.has_revenue = e.event_type[0] == 't';
  e.revenue = std::round(NextUnit() * 50000) / 100;
  return e;
}

void IotGenerator::AppendNdjson(const IotEvent& e, std::string* out) {
  fmt::format_to(std::back_inserter(*out),
                 "{{\"device_id\":\"device-{:05}\",\"event_ts\":\"{}\",\"temperature\":{},"
                 "\"energy_consumed\":{},",
                 e.device, FormatRfc3339(e.event_ts), e.temperature, e.energy_consumed);
  if (e.has_user) {
    fmt::format_to(std::back_inserter(*out), "\"user_id\":\"user-{:05}\",", e.user);
  } else {
    out->append("\"user_id\":null,");
  }
  fmt::format_to(std::back_inserter(*out), "\"event_type\":\"{}\"", e.event_type);
  if (e.has_session_duration) {
    fmt::format_to(std::back_inserter(*out), ",\"session_duration\":{}", e.session_duration);
  }
  if (e.has_revenue) fmt::format_to(std::back_inserter(*out), ",\"revenue\":{}", e.revenue);
  out->append("}\n");
}

SchemaPtr IotGenerator::TelemetrySchema() {
  static const SchemaPtr kSchema = std::make_shared<const Schema>(std::vector<Field>{
      {"device_id", DataType::kString, false},
      {"event_ts", DataType::kTimestamp, false},
      {"temperature", DataType::kDouble, true},
      {"energy_consumed", DataType::kDouble, true},
      {"user_id", DataType::kString, true},
      {"event_type", DataType::kString, true},
      {"session_duration", DataType::kDouble, true},
      {"revenue", DataType::kDouble, true},
  });
  return kSchema;
}

void IotGenerator::AppendToChunk(const IotEvent& e, Chunk* chunk) {
  char device[32];
  auto end = fmt::format_to_n(device, sizeof(device), "device-{:05}", e.device).out;
  chunk->mutable_column(0).AppendString(std::string_view(device, end - device));
  chunk->mutable_column(1).AppendInt64(e.event_ts.micros);
  chunk->mutable_column(2).AppendDouble(e.temperature);
  chunk->mutable_column(3).AppendDouble(e.energy_consumed);
  if (e.has_user) {
    char user[32];
    auto uend = fmt::format_to_n(user, sizeof(user), "user-{:05}", e.user).out;
    chunk->mutable_column(4).AppendString(std::string_view(user, uend - user));
  } else {
    chunk->mutable_column(4).AppendNull();
  }
  chunk->mutable_column(5).AppendString(e.event_type);
  if (e.has_session_duration) {
    chunk->mutable_column(6).AppendDouble(e.session_duration);
  } else {
    chunk->mutable_column(6).AppendNull();
  }
  if (e.has_revenue) {
    chunk->mutable_column(7).AppendDouble(e.revenue);
  } else {
    chunk->mutable_column(7).AppendNull();
  }
}

}  // namespace braid::cli
