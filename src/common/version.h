// The build's identity: "0.1.0 (build abc1234)", as shown by `braid version` and /v1/status.
#pragma once

#include <string>

namespace braid {

std::string VersionString();

}  // namespace braid
