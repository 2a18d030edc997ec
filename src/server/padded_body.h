// PaddedBody: a Boost.Beast body type for requests whose bytes are followed by kJsonPadding
// readable bytes, so the JSON decoders (simdjson, which reads up to 64 bytes past a document's
// end) parse the received body in place instead of copying it into a padded buffer. The body
// reserves its final size up front when Content-Length is known, so receiving costs one
// allocation. Request-only: Braid never sends a PaddedBody. A PaddedText is a plain value owned
// by its request; not thread-safe to mutate.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace braid::server {

// Readable bytes guaranteed after the end of a PaddedText (simdjson needs SIMDJSON_PADDING = 64).
inline constexpr size_t kJsonPadding = 64;

// Text followed by kJsonPadding zero bytes (always, also while a body is being received).
class PaddedText {
 public:
  PaddedText() : bytes_(kJsonPadding, '\0') {}
  explicit PaddedText(std::string_view text) : bytes_(text) { bytes_.append(kJsonPadding, '\0'); }

  std::string_view view() const { return {bytes_.data(), size()}; }
  const char* data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size() - kJsonPadding; }
  bool empty() const { return size() == 0; }
  // Bytes readable from data(): size() + kJsonPadding.
  size_t capacity() const { return bytes_.size(); }

 private:
  friend struct PaddedBody;
  std::string bytes_;  // the text, then the padding
};

struct PaddedBody {
  using value_type = PaddedText;

  static uint64_t size(const value_type& body) { return body.size(); }

  class reader {  // NOLINT(readability-identifier-naming): the name Beast requires
   public:
    template <bool kIsRequest, class Fields>
    reader(boost::beast::http::header<kIsRequest, Fields>& /*header*/, value_type& body)
        : body_(body) {}

    void init(const boost::optional<uint64_t>& length, boost::beast::error_code& ec) {
      body_.bytes_.assign(kJsonPadding, '\0');
      if (length) {
        if (*length > std::numeric_limits<size_t>::max() - kJsonPadding) {
          ec = boost::beast::http::error::buffer_overflow;
          return;
        }
        body_.bytes_.reserve(static_cast<size_t>(*length) + kJsonPadding);
      }
      ec = {};
    }

    template <class ConstBufferSequence>
    size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
      size_t n = 0;
      for (auto it = boost::asio::buffer_sequence_begin(buffers);
           it != boost::asio::buffer_sequence_end(buffers); ++it) {
        boost::asio::const_buffer b = *it;
        // Keeps "text then zero padding" (within the reserved capacity: no reallocation).
        body_.bytes_.resize(body_.size());
        body_.bytes_.append(static_cast<const char*>(b.data()), b.size());
        body_.bytes_.append(kJsonPadding, '\0');
        n += b.size();
      }
      ec = {};
      return n;
    }

    void finish(boost::beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

}  // namespace braid::server
