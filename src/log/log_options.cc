#include "log/log_options.h"

#include <string_view>

namespace braid::log {

std::string_view FsyncPolicyName(FsyncPolicy policy) {
  switch (policy) {
    case FsyncPolicy::kGroup:
      return "group";
    case FsyncPolicy::kAlways:
      return "always";
    case FsyncPolicy::kNever:
      return "never";
  }
  return "unknown";
}

std::optional<FsyncPolicy> FsyncPolicyFromName(std::string_view name) {
  if (name == "group") return FsyncPolicy::kGroup;
  if (name == "always") return FsyncPolicy::kAlways;
  if (name == "never") return FsyncPolicy::kNever;
  return std::nullopt;
}

}  // namespace braid::log
