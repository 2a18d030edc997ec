#include "server/http_session.h"

#include <fmt/format.h>
#include <sys/socket.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <iterator>
#include <utility>

namespace braid::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

// How long and how much a closing connection keeps reading (and discarding) what its client
// still sends, so the client reads our error answer instead of a reset.
constexpr std::chrono::seconds kLingerTimeout(2);
constexpr size_t kLingerBufferBytes = 64 << 10;
// Beast reads at most what the buffer has room for (up to 64 KiB): reserving that much makes a
// body arrive in 64 KiB reads instead of reads of the few KiB left after the header, which cut
// large uploads to a fraction of the loopback bandwidth.
constexpr size_t kBodyReadBytes = 64 << 10;

std::chrono::microseconds ToChrono(Duration d) { return std::chrono::microseconds(d.micros); }

// The peer went away or the connection timed out: nothing to answer.
bool IsDisconnect(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::operation_aborted || ec == beast::error::timeout ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::bad_descriptor || ec == http::error::partial_message;
}

// The Responder's target: delivers to the session and keeps the io threads alive (outstanding
// work) until the answer is posted, so a late answer never meets a stopped io_context.
class PendingReply : public ResponseSink {
 public:
  using WorkExecutor = decltype(net::prefer(std::declval<HttpSession::Executor>(),
                                            net::execution::outstanding_work.tracked));

  PendingReply(WorkExecutor work, std::shared_ptr<HttpSession> session, uint64_t request)
      : work_(std::move(work)), session_(std::move(session)), request_(request) {}

  void Deliver(Response response) override { session_->Deliver(std::move(response)); }
  std::shared_ptr<StreamWriter> DeliverStream(StreamHead head) override {
    return session_->DeliverStream(std::move(head));
  }
  void WatchHangUp(std::shared_ptr<std::atomic<bool>> hung_up) override {
    session_->WatchHangUp(request_, std::move(hung_up));
  }

 private:
  WorkExecutor work_;  // declared first: released after the session reference
  std::shared_ptr<HttpSession> session_;
  uint64_t request_;  // the number of the request this answers (HttpSession::requests_)
};

}  // namespace

// Writes what Beast's serializer wrote for a http::response<string_body> given the same fields in
// this order and prepare_payload() (the bytes users see, API.md): the status line with the
// status's standard reason, Server, Content-Type, the extra headers, Connection when the version's
// default does not hold (close on HTTP/1.1, keep-alive on HTTP/1.0), then Content-Length. By
// hand because it is one string append per part, where the serializer allocated every field.
void AppendResponseHead(unsigned version, bool keep_alive, const Response& response,
                        std::string* out) {
  const unsigned code = static_cast<unsigned>(response.status);
  const beast::string_view reason = http::obsolete_reason(http::int_to_status(code));
  fmt::format_to(std::back_inserter(*out), "HTTP/{}.{} {:03} ", version / 10, version % 10, code);
  out->append(reason.data(), reason.size());
  out->append("\r\nServer: braid\r\nContent-Type: ");
  out->append(response.content_type);
  out->append("\r\n");
  for (const auto& [name, value] : response.headers) {
    out->append(name).append(": ").append(value).append("\r\n");
  }
  if (version >= 11 && !keep_alive) out->append("Connection: close\r\n");
  if (version < 11 && keep_alive) out->append("Connection: keep-alive\r\n");
  fmt::format_to(std::back_inserter(*out), "Content-Length: {}\r\n\r\n", response.body.size());
}

void ConnectionRegistry::Add(const std::shared_ptr<HttpSession>& session) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.emplace(session.get(), session);
}

void ConnectionRegistry::Remove(const HttpSession* session) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(session);
  if (sessions_.empty()) empty_.notify_all();
}

std::vector<std::shared_ptr<HttpSession>> ConnectionRegistry::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<HttpSession>> live;
  for (const auto& [key, weak] : sessions_) {
    if (std::shared_ptr<HttpSession> session = weak.lock()) live.push_back(std::move(session));
  }
  return live;
}

size_t ConnectionRegistry::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

bool ConnectionRegistry::WaitUntilEmpty(std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock<std::mutex> lock(mu_);
  return empty_.wait_until(lock, deadline, [this] { return sessions_.empty(); });
}

HttpSession::HttpSession(Socket socket, SessionContext& context)
    : context_(context), stream_(std::move(socket)), idle_timer_(stream_.get_executor()) {}

HttpSession::~HttpSession() { context_.registry.Remove(this); }

void HttpSession::Start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
}

void HttpSession::Deliver(Response response) {
  // An answer given on the session's strand (a handler that answered at once, or a statement run
  // on the io thread) is written now; one from another thread is posted to the strand.
  net::dispatch(stream_.get_executor(),
                [self = shared_from_this(), response = std::move(response)]() mutable {
                  self->Write(std::move(response));
                });
}

std::shared_ptr<StreamWriter> HttpSession::DeliverStream(StreamHead head) {
  // The wake runs under the writer's lock: it only posts. The weak reference lets the session go
  // once its connection is done, however long the producer keeps the writer.
  auto writer = std::make_shared<StreamWriter>(head.max_queued_bytes, [weak = weak_from_this()] {
    if (std::shared_ptr<HttpSession> self = weak.lock()) {
      net::post(self->stream_.get_executor(), [self] { self->PumpStream(); });
    }
  });
  net::post(stream_.get_executor(),
            [self = shared_from_this(), head = std::move(head), writer]() mutable {
              self->StartStream(std::move(head), std::move(writer));
            });
  return writer;
}

void HttpSession::RequestStop() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->phase_ == Phase::kAwaitingRequest) {
      self->Close();
    } else if (self->phase_ == Phase::kStreaming) {
      self->stream_writer_->Close();  // wakes PumpStream, which ends the body after the queue
    }
  });
}

void HttpSession::ForceClose() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
}

void HttpSession::ReadHeader() {
  if (context_.stopping.load()) {
    Close();
    return;
  }
  phase_ = Phase::kAwaitingRequest;
  parser_.emplace();
  parser_->body_limit(context_.options.max_body_bytes);
  stream_.expires_after(ToChrono(context_.options.idle_timeout));
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void HttpSession::OnHeader(ErrorCode ec) {
  if (ec) {
    OnReadError(ec);
  } else if (parser_->is_done()) {
    Dispatch();
  } else if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
    SendContinue();
  } else {
    ReadBody();
  }
}

void HttpSession::SendContinue() {
  phase_ = Phase::kReadingBody;
  continue_ = {http::status::continue_, parser_->get().version()};
  stream_.expires_after(ToChrono(context_.options.write_timeout));
  http::async_write(stream_, continue_, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) {
      self->Close();
    } else {
      self->ReadBody();
    }
  });
}

void HttpSession::ReadBody() {
  phase_ = Phase::kReadingBody;
  buffer_.reserve(kBodyReadBytes);
  stream_.expires_after(ToChrono(context_.options.read_timeout));
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (ec) {
                       self->OnReadError(ec);
                     } else {
                       self->Dispatch();
                     }
                   });
}

void HttpSession::OnReadError(ErrorCode ec) {
  if (ec == http::error::body_limit) {
    Reject(ErrorResponse(
        Status(StatusCode::kTooLarge, fmt::format("the request body exceeds the limit of {} bytes",
                                                  context_.options.max_body_bytes))));
  } else if (IsDisconnect(ec)) {  // including timeouts: Beast has closed the socket then
    Close();
  } else {
    Reject(ErrorResponse(Status(StatusCode::kInvalidArgument,
                                fmt::format("malformed HTTP request: {}", ec.message()))));
  }
}

void HttpSession::Dispatch() {
  phase_ = Phase::kHandling;
  ++requests_;
  stream_.expires_never();
  keep_alive_ = parser_->get().keep_alive();
  version_ = parser_->get().version();
  HttpRequest message = parser_->release();
  parser_.reset();
  PendingReply::WorkExecutor work =
      net::prefer(stream_.get_executor(), net::execution::outstanding_work.tracked);
  auto reply = std::make_shared<PendingReply>(std::move(work), shared_from_this(), requests_);
  context_.router->Dispatch(std::move(message), Responder(std::move(reply)));
}

void HttpSession::WatchHangUp(uint64_t request, std::shared_ptr<std::atomic<bool>> hung_up) {
  net::dispatch(stream_.get_executor(),
                [self = shared_from_this(), request, hung_up = std::move(hung_up)]() mutable {
                  self->AwaitHangUp(request, std::move(hung_up));
                });
}

void HttpSession::AwaitHangUp(uint64_t request, std::shared_ptr<std::atomic<bool>> hung_up) {
  if (phase_ != Phase::kHandling || requests_ != request) return;  // answered meanwhile
  // A wait, not a read: what the client sends next stays for the next request's read.
  stream_.socket().async_wait(net::socket_base::wait_read, [self = shared_from_this(), request,
                                                            hung_up = std::move(hung_up)](
                                                               beast::error_code ec) {
    if (ec || self->phase_ != Phase::kHandling || self->requests_ != request) return;
    char byte;
    const ssize_t peeked =
        ::recv(self->stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      hung_up->store(true);  // end of stream or a reset: nobody waits for the answer
    } else if (peeked < 0) {
      self->AwaitHangUp(request, hung_up);  // woken without data: wait again
    }
  });
}

void HttpSession::Write(Response response) {
  if (phase_ == Phase::kClosed) return;  // force-closed while the handler worked
  phase_ = Phase::kWriting;
  keep_alive_after_write_ = keep_alive_ && !context_.stopping.load();
  response_head_.clear();
  AppendResponseHead(version_, keep_alive_after_write_, response, &response_head_);
  response_body_ = std::move(response.body);
  stream_.expires_after(ToChrono(context_.options.write_timeout));
  const std::array<net::const_buffer, 2> buffers = {net::buffer(response_head_),
                                                    net::buffer(response_body_)};
  net::async_write(stream_, buffers, [self = shared_from_this()](beast::error_code ec, size_t) {
    self->OnWrite(ec);
  });
}

void HttpSession::OnWrite(ErrorCode ec) {
  if (!ec && linger_after_write_) {
    LingerThenClose();
  } else if (!ec && keep_alive_after_write_) {
    ReadHeader();
  } else {
    Close();
  }
}

void HttpSession::Reject(const Response& response) {
  keep_alive_ = false;
  linger_after_write_ = true;
  parser_.reset();
  Write(response);
}

void HttpSession::Close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
  idle_timer_.cancel();
  if (stream_writer_ != nullptr) {
    std::function<void()> on_closed = stream_writer_->End();
    stream_writer_.reset();
    if (on_closed) on_closed();
  }
}

void HttpSession::LingerThenClose() {
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  linger_buffer_ = std::make_unique<char[]>(kLingerBufferBytes);
  stream_.expires_after(kLingerTimeout);
  OnLingerRead({}, 0);
}

void HttpSession::OnLingerRead(ErrorCode ec, size_t /*bytes*/) {
  if (ec) {
    Close();
    return;
  }
  stream_.async_read_some(net::buffer(linger_buffer_.get(), kLingerBufferBytes),
                          [self = shared_from_this()](beast::error_code read_ec, size_t n) {
                            self->OnLingerRead(read_ec, n);
                          });
}

void HttpSession::StartStream(StreamHead head, std::shared_ptr<StreamWriter> writer) {
  if (phase_ == Phase::kClosed) {  // force-closed while the handler worked
    std::function<void()> on_closed = writer->End();
    if (on_closed) on_closed();
    return;
  }
  phase_ = Phase::kStreaming;
  stream_writer_ = std::move(writer);
  if (context_.stopping.load()) stream_writer_->Close();  // Stop() came first: an empty stream
  chunked_ = version_ >= 11;
  idle_interval_ = head.idle_interval;
  idle_text_ = std::move(head.idle_text);
  stream_head_.emplace(static_cast<http::status>(head.status), version_);
  stream_head_->set(http::field::server, "braid");
  stream_head_->set(http::field::content_type, head.content_type);
  for (const auto& [name, value] : head.headers) {
    stream_head_->set(beast::string_view(name.data(), name.size()), value);
  }
  stream_head_->keep_alive(false);
  if (chunked_) stream_head_->chunked(true);
  stream_head_writer_.emplace(*stream_head_);
  stream_write_in_flight_ = true;
  stream_.expires_after(ToChrono(context_.options.write_timeout));
  http::async_write_header(
      stream_, *stream_head_writer_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnStreamWrite(ec); });
  WatchForHangUp();
  ArmIdleTimer();
}

void HttpSession::PumpStream() {
  if (phase_ != Phase::kStreaming || stream_write_in_flight_) return;
  StreamWriter::Pending pending = stream_writer_->Take();
  if (pending.state == StreamWriter::State::kOverflowed) {
    Close();  // the client is too slow: drop it, without the end of the body
  } else if (!pending.bytes.empty()) {
    WriteStreamBytes(std::move(pending.bytes));
  } else if (pending.state == StreamWriter::State::kDraining) {
    if (!chunked_) {
      Close();  // HTTP/1.0: the end of the connection is the end of the body
      return;
    }
    stream_write_in_flight_ = true;
    stream_.expires_after(ToChrono(context_.options.write_timeout));
    net::async_write(stream_, http::make_chunk_last(),
                     [self = shared_from_this()](beast::error_code, size_t) { self->Close(); });
  }
}

void HttpSession::WriteStreamBytes(std::string bytes) {
  stream_out_ = std::move(bytes);
  stream_write_in_flight_ = true;
  wrote_since_idle_tick_ = true;
  stream_.expires_after(ToChrono(context_.options.write_timeout));
  auto on_write = [self = shared_from_this()](beast::error_code ec, size_t) {
    self->OnStreamWrite(ec);
  };
  if (chunked_) {
    net::async_write(stream_, http::make_chunk(net::buffer(stream_out_)), std::move(on_write));
  } else {
    net::async_write(stream_, net::buffer(stream_out_), std::move(on_write));
  }
}

void HttpSession::OnStreamWrite(ErrorCode ec) {
  stream_write_in_flight_ = false;
  if (ec) {
    Close();
  } else {
    PumpStream();
  }
}

void HttpSession::WatchForHangUp() {
  // On the socket itself, not the tcp_stream: the stream's timeouts are for the writes.
  stream_.socket().async_read_some(net::buffer(hang_up_buffer_),
                                   [self = shared_from_this()](beast::error_code ec, size_t) {
                                     if (self->phase_ != Phase::kStreaming) return;
                                     if (ec) {
                                       self->Close();
                                     } else {
                                       self->WatchForHangUp();
                                     }
                                   });
}

void HttpSession::ArmIdleTimer() {
  if (idle_interval_.micros <= 0) return;
  idle_timer_.expires_after(ToChrono(idle_interval_));
  idle_timer_.async_wait(
      [self = shared_from_this()](beast::error_code ec) { self->OnIdleTimer(ec); });
}

void HttpSession::OnIdleTimer(ErrorCode ec) {
  if (ec || phase_ != Phase::kStreaming) return;
  if (!wrote_since_idle_tick_ && !stream_write_in_flight_ && !stream_writer_->closed()) {
    WriteStreamBytes(idle_text_);
  }
  wrote_since_idle_tick_ = false;
  ArmIdleTimer();
}

}  // namespace braid::server
