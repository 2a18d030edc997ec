#include "server/pg_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <optional>
#include <vector>

namespace braid::server {

namespace {

constexpr size_t kKeyBytes = 32;  // SHA-256

Status Malformed(std::string_view what) {
  return Status(StatusCode::kInvalidArgument,
                std::string("malformed SCRAM message: ") + std::string(what));
}

std::string Hmac(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &length);
  return std::string(reinterpret_cast<const char*>(out), length);
}

std::string Sha256(std::string_view bytes) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof(out));
}

Result<std::string> RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    return Status(StatusCode::kInternal, "RAND_bytes failed");
  }
  return bytes;
}

// The value of attribute `name` ("r" in "r=abc") among the comma-separated attributes.
std::optional<std::string_view> Attribute(std::string_view message, char name) {
  size_t start = 0;
  while (start <= message.size()) {
    size_t end = message.find(',', start);
    if (end == std::string_view::npos) end = message.size();
    std::string_view part = message.substr(start, end - start);
    if (part.size() >= 2 && part[0] == name && part[1] == '=') return part.substr(2);
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace

Result<ScramCredentials> ScramCredentials::FromPassword(std::string_view password) {
  ScramCredentials credentials;
  ASSIGN_OR_RETURN(credentials.salt, RandomBytes(16));
  unsigned char salted[kKeyBytes];
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(credentials.salt.data()),
                        static_cast<int>(credentials.salt.size()), credentials.iterations,
                        EVP_sha256(), kKeyBytes, salted) != 1) {
    return Status(StatusCode::kInternal, "PKCS5_PBKDF2_HMAC failed");
  }
  const std::string salted_password(reinterpret_cast<const char*>(salted), kKeyBytes);
  credentials.stored_key = Sha256(Hmac(salted_password, "Client Key"));
  credentials.server_key = Hmac(salted_password, "Server Key");
  return credentials;
}

Result<std::string> ScramExchange::ServerFirst(std::string_view client_first) {
  // gs2-header: "n,," (no channel binding) or "y,," (client could, server did not offer it);
  // "p=..." asks for channel binding, which we do not advertise.
  if (client_first.size() < 3 || (client_first[0] != 'n' && client_first[0] != 'y') ||
      client_first[1] != ',') {
    return Malformed("unsupported channel binding flag");
  }
  const size_t bare = client_first.find(',', 2);
  if (bare == std::string_view::npos) return Malformed("no client-first-message-bare");
  gs2_header_ = std::string(client_first.substr(0, bare + 1));
  client_first_bare_ = std::string(client_first.substr(bare + 1));
  std::optional<std::string_view> client_nonce = Attribute(client_first_bare_, 'r');
  if (!client_nonce || client_nonce->empty()) return Malformed("no client nonce");
  ASSIGN_OR_RETURN(std::string random, RandomBytes(18));
  nonce_ = std::string(*client_nonce) + Base64Encode(random);
  server_first_ = "r=" + nonce_ + ",s=" + Base64Encode(credentials_.salt) +
                  ",i=" + std::to_string(credentials_.iterations);
  return server_first_;
}

Result<ScramOutcome> ScramExchange::ServerFinal(std::string_view client_final) {
  const size_t proof_at = client_final.rfind(",p=");
  if (proof_at == std::string_view::npos) return Malformed("no proof");
  const std::string_view without_proof = client_final.substr(0, proof_at);
  std::optional<std::string_view> binding = Attribute(without_proof, 'c');
  std::optional<std::string_view> nonce = Attribute(without_proof, 'r');
  if (!binding || *binding != Base64Encode(gs2_header_)) return Malformed("channel binding");
  if (!nonce || *nonce != nonce_) return Malformed("nonce mismatch");
  ASSIGN_OR_RETURN(std::string proof, Base64Decode(client_final.substr(proof_at + 3)));
  if (proof.size() != kKeyBytes) return Malformed("proof length");

  const std::string auth_message =
      client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  const std::string client_signature = Hmac(credentials_.stored_key, auth_message);
  std::string client_key(kKeyBytes, '\0');
  for (size_t i = 0; i < kKeyBytes; ++i) client_key[i] = proof[i] ^ client_signature[i];
  const std::string stored_key = Sha256(client_key);
  ScramOutcome outcome;
  outcome.authenticated =
      CRYPTO_memcmp(stored_key.data(), credentials_.stored_key.data(), kKeyBytes) == 0;
  if (outcome.authenticated) {
    outcome.server_final = "v=" + Base64Encode(Hmac(credentials_.server_key, auth_message));
  }
  return outcome;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return Malformed("base64 length");
  std::string out(text.size() / 4 * 3 + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return Malformed("base64");
  size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

}  // namespace braid::server
