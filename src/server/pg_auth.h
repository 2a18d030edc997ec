// The server side of SCRAM-SHA-256 (RFC 5802 and RFC 7677, as PostgreSQL uses it in SASL
// authentication, without channel binding). ScramCredentials derives, once, what the server keeps
// of a password (salt, iteration count, StoredKey, ServerKey); a ScramExchange runs one client's
// two round trips. Written by hand over OpenSSL's libcrypto primitives (PBKDF2, HMAC, SHA-256,
// RAND_bytes), since no Debian library offers a SCRAM server. Credentials are immutable and
// shareable across threads; an exchange belongs to one connection.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace braid::server {

inline constexpr std::string_view kScramMechanism = "SCRAM-SHA-256";

struct ScramCredentials {
  std::string salt;  // raw bytes
  int iterations = 4096;
  std::string stored_key;  // H(HMAC(SaltedPassword, "Client Key"))
  std::string server_key;  // HMAC(SaltedPassword, "Server Key")

  // Fresh random salt; kInternal when libcrypto fails.
  static Result<ScramCredentials> FromPassword(std::string_view password);
};

struct ScramOutcome {
  bool authenticated = false;
  std::string server_final;  // "v=<ServerSignature>", sent only when authenticated
};

class ScramExchange {
 public:
  explicit ScramExchange(const ScramCredentials& credentials) : credentials_(credentials) {}

  // Takes the client-first-message ("n,,n=user,r=nonce") and returns the server-first-message
  // ("r=nonce+ours,s=salt,i=4096"). kInvalidArgument for a malformed message or one asking for
  // channel binding.
  Result<std::string> ServerFirst(std::string_view client_first);
  // Takes the client-final-message ("c=biws,r=nonce,p=proof") and verifies the proof.
  // kInvalidArgument for a malformed message or a nonce that is not ours.
  Result<ScramOutcome> ServerFinal(std::string_view client_final);

 private:
  const ScramCredentials& credentials_;
  std::string gs2_header_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string nonce_;
};

// Standard base64 (with padding); Base64Decode fails on anything else.
std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

}  // namespace braid::server
