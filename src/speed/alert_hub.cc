#include "speed/alert_hub.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "common/file_util.h"
#include "speed/alert_file.h"
#include "speed/alert_ids.h"
#include "speed/webhook_delivery.h"

namespace braid::speed {

namespace fs = std::filesystem;

namespace {

struct SubscriberEntry {
  AlertHub::Subscriber callback;
  uint64_t after = 0;  // alerts up to this sequence were replayed or predate the subscription
  std::atomic<bool> active{true};
};

}  // namespace

// Locks: store_mu serializes Fire's storing (dedupe, sequence numbers, write, fdatasync), so lines
// and sequences agree. mu guards what readers see (the committed extent, subscribers, the queue of
// alerts to hand to subscribers); it is held only briefly and never while calling a subscriber or
// doing I/O. Order: store_mu before mu.
struct AlertHub::Impl {
  explicit Impl(AlertHubOptions hub_options)
      : options(std::move(hub_options)), ids(options.remember_ids_for) {}

  AlertHubOptions options;
  fs::path file_path;
  UniqueFd file;  // read-write; appends at `bytes`, reads by pread

  std::mutex store_mu;
  RememberedIds ids;
  uint64_t bytes = 0;  // committed size of the file
  uint64_t next_sequence = 1;
  Status broken;  // set when a failed append could not be rolled back
  simdjson::dom::parser parser;

  mutable std::mutex mu;
  uint64_t stored = 0;
  uint64_t committed_bytes = 0;
  uint64_t next_token = 1;
  std::map<uint64_t, std::shared_ptr<SubscriberEntry>> subscribers;
  // Alerts stored but not yet handed to subscribers. One Fire caller at a time (the deliverer)
  // drains it, so every subscriber sees alerts in sequence order and no lock is held meanwhile.
  std::deque<Alert> undelivered;
  bool delivering = false;
  std::thread::id deliverer;
  uint64_t delivery_rounds = 0;
  std::condition_variable delivery_done;

  std::unique_ptr<CommittedAlerts> committed;
  std::vector<std::unique_ptr<WebhookDelivery>> webhooks;

  Status LoadFile();
  Status Append(std::vector<Alert>& fresh);
  void DeliverToSubscribers();
  // Calls `subscriber` for the stored alerts with sequence in (after, up_to] (bytes < up_to_bytes),
  // reading the file from *offset (the start of alert *line + 1), advancing both.
  Status Replay(const Subscriber& subscriber, uint64_t after, uint64_t up_to_bytes, uint64_t* line,
                uint64_t* offset);
};

Status AlertHub::Impl::LoadFile() {
  std::error_code ec;
  const bool existed = fs::exists(file_path, ec);
  ASSIGN_OR_RETURN(file, OpenFile(file_path, O_RDWR | O_CREAT));
  if (!existed) RETURN_IF_ERROR(SyncDirectory(options.dir));
  struct stat st;
  if (::fstat(file.get(), &st) != 0) return IoError("stat", file_path, errno);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  Status bad_line;
  ASSIGN_OR_RETURN(
      bytes, ForEachStoredLine(file.get(), file_path, 0, size, [&](std::string_view line) {
        Result<Alert> alert = ParseStoredAlert(line, parser);
        if (!alert.ok()) {
          bad_line = alert.status();
        } else if (alert->sequence != next_sequence) {
          bad_line = Status(StatusCode::kCorruption,
                            fmt::format("line {} has sequence {}", next_sequence, alert->sequence));
        } else {
          ids.Add(alert->id, alert->window_end);
          ++next_sequence;
        }
        return bad_line.ok();
      }));
  RETURN_IF_ERROR(bad_line.WithContext(file_path.string()));
  if (bytes < size) {
    // A torn last line: the append that wrote it never returned, so nobody saw it.
    if (::ftruncate(file.get(), static_cast<off_t>(bytes)) != 0) {
      return IoError("truncate torn alert", file_path, errno);
    }
    if (::fdatasync(file.get()) != 0) return IoError("fdatasync", file_path, errno);
  }
  stored = next_sequence - 1;
  committed_bytes = bytes;
  return Status::Ok();
}

Result<std::unique_ptr<AlertHub>> AlertHub::Open(AlertHubOptions options) {
  std::unique_ptr<AlertHub> hub(new AlertHub());
  hub->impl_ = std::make_unique<Impl>(std::move(options));
  Impl& impl = *hub->impl_;
  impl.file_path = impl.options.dir / "alerts.jsonl";
  const fs::path positions_dir = impl.options.dir / "webhooks";
  RETURN_IF_ERROR(CreateDirectoriesDurably(impl.options.dir));
  RETURN_IF_ERROR(impl.LoadFile());
  if (!impl.options.webhooks.empty()) RETURN_IF_ERROR(CreateDirectoriesDurably(positions_dir));
  impl.committed = std::make_unique<CommittedAlerts>(
      AlertFileExtent{.alerts = impl.stored, .bytes = impl.committed_bytes});
  std::unordered_set<std::string> urls;
  for (const WebhookOptions& webhook : impl.options.webhooks) {
    if (!urls.insert(webhook.url).second) {
      return Status(StatusCode::kInvalidArgument,
                    fmt::format("webhook {} is configured twice", webhook.url));
    }
  }
  for (const WebhookOptions& webhook : impl.options.webhooks) {
    Result<std::unique_ptr<WebhookDelivery>> delivery =
        WebhookDelivery::Start(webhook, impl.file_path, positions_dir, impl.committed.get());
    if (!delivery.ok()) {
      impl.committed->Stop();  // the threads already started end before the hub is destroyed
      return delivery.status();
    }
    impl.webhooks.push_back(std::move(delivery).value());
  }
  return hub;
}

AlertHub::~AlertHub() {
  if (impl_ == nullptr) return;
  if (impl_->committed != nullptr) impl_->committed->Stop();
  impl_->webhooks.clear();
}

Status AlertHub::Impl::Append(std::vector<Alert>& fresh) {
  std::string lines;
  for (size_t i = 0; i < fresh.size(); ++i) {
    Alert& alert = fresh[i];
    alert.sequence = next_sequence + i;
    ASSIGN_OR_RETURN(alert.json, StoredAlertLine(alert.json, alert.sequence));
    // What Open will read back must be what was fired: refuse an alert whose JSON disagrees.
    Result<Alert> reread = ParseStoredAlert(alert.json, parser);
    if (!reread.ok()) return Status(StatusCode::kInvalidArgument, reread.status().message());
    if (reread->id != alert.id || reread->window_end != alert.window_end) {
      return Status(StatusCode::kInvalidArgument,
                    fmt::format("alert '{}': its json has id '{}' and window_end {}", alert.id,
                                reread->id, FormatRfc3339(reread->window_end)));
    }
    lines += alert.json;
    lines += '\n';
  }
  Status written = PWriteAll(file.get(), lines, bytes, file_path);
  if (written.ok() && ::fdatasync(file.get()) != 0) {
    written = IoError("fdatasync", file_path, errno);
  }
  if (!written.ok()) {
    if (::ftruncate(file.get(), static_cast<off_t>(bytes)) != 0) {
      broken = IoError("truncate after a failed append", file_path, errno);
    }
    return written;
  }
  bytes += lines.size();
  next_sequence += fresh.size();
  for (const Alert& alert : fresh) ids.Add(alert.id, alert.window_end);
  return Status::Ok();
}

Result<size_t> AlertHub::Fire(std::vector<Alert> alerts) {
  Impl& impl = *impl_;
  std::vector<Alert> fresh;
  {
    std::lock_guard store_lock(impl.store_mu);
    RETURN_IF_ERROR(impl.broken);
    std::unordered_set<std::string> batch_ids;
    for (Alert& alert : alerts) {
      if (impl.ids.Contains(alert.id) || !batch_ids.insert(alert.id).second) continue;
      fresh.push_back(std::move(alert));
    }
    if (fresh.empty()) return size_t{0};
    RETURN_IF_ERROR(impl.Append(fresh));
    AlertFileExtent extent{.alerts = impl.next_sequence - 1, .bytes = impl.bytes};
    {
      std::lock_guard lock(impl.mu);
      impl.stored = extent.alerts;
      impl.committed_bytes = extent.bytes;
      if (!impl.subscribers.empty()) {
        impl.undelivered.insert(impl.undelivered.end(), fresh.begin(), fresh.end());
      }
    }
    impl.committed->Advance(extent);
  }
  impl.DeliverToSubscribers();
  return fresh.size();
}

void AlertHub::Impl::DeliverToSubscribers() {
  std::unique_lock lock(mu);
  if (delivering) return;  // the caller delivering now takes our alerts too, in order
  delivering = true;
  deliverer = std::this_thread::get_id();
  while (!undelivered.empty()) {
    std::deque<Alert> batch;
    batch.swap(undelivered);
    std::vector<std::shared_ptr<SubscriberEntry>> targets;
    for (const auto& [token, entry] : subscribers) targets.push_back(entry);
    lock.unlock();
    for (const Alert& alert : batch) {
      for (const auto& entry : targets) {
        if (alert.sequence > entry->after && entry->active.load()) entry->callback(alert);
      }
    }
    lock.lock();
    ++delivery_rounds;
    delivery_done.notify_all();
  }
  delivering = false;
  delivery_done.notify_all();
}

Status AlertHub::Impl::Replay(const Subscriber& subscriber, uint64_t after, uint64_t up_to_bytes,
                              uint64_t* line, uint64_t* offset) {
  simdjson::dom::parser replay_parser;
  Status bad;
  ASSIGN_OR_RETURN(
      *offset,
      ForEachStoredLine(file.get(), file_path, *offset, up_to_bytes, [&](std::string_view text) {
        ++*line;
        if (*line <= after) return true;
        Result<Alert> alert = ParseStoredAlert(text, replay_parser);
        if (!alert.ok()) {
          bad = alert.status();
          return false;
        }
        subscriber(*alert);
        return true;
      }));
  return bad;
}

uint64_t AlertHub::Subscribe(Subscriber subscriber, std::optional<uint64_t> after) {
  Impl& impl = *impl_;
  auto entry = std::make_shared<SubscriberEntry>();
  entry->callback = std::move(subscriber);
  uint64_t replayed = after.value_or(0);
  uint64_t line = 0;
  uint64_t offset = 0;
  std::unique_lock lock(impl.mu);
  // Replay from the file without the lock until caught up; then switch to live delivery under the
  // lock, so that no alert is missed or delivered twice in between.
  while (after.has_value() && impl.stored > replayed) {
    const uint64_t up_to = impl.stored;
    const uint64_t up_to_bytes = impl.committed_bytes;
    lock.unlock();
    Status replay = impl.Replay(entry->callback, replayed, up_to_bytes, &line, &offset);
    lock.lock();
    // A stored line that cannot be read was checked at Fire and Open: skip the rest rather than
    // loop; live alerts still follow.
    replayed = replay.ok() ? up_to : impl.stored;
  }
  entry->after = impl.stored;
  const uint64_t token = impl.next_token++;
  impl.subscribers.emplace(token, std::move(entry));
  return token;
}

void AlertHub::Unsubscribe(uint64_t token) {
  Impl& impl = *impl_;
  std::unique_lock lock(impl.mu);
  auto it = impl.subscribers.find(token);
  if (it == impl.subscribers.end()) return;
  it->second->active.store(false);
  impl.subscribers.erase(it);
  // A delivery in progress on another thread may be inside the callback: wait for its round to
  // end so that, once Unsubscribe returns, the callback is not running and will not run again.
  if (impl.delivering && impl.deliverer != std::this_thread::get_id()) {
    const uint64_t round = impl.delivery_rounds;
    impl.delivery_done.wait(lock,
                            [&] { return !impl.delivering || impl.delivery_rounds != round; });
  }
}

uint64_t AlertHub::alerts_stored() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stored;
}

std::vector<WebhookStatus> AlertHub::webhooks() const {
  std::vector<WebhookStatus> statuses;
  for (const auto& webhook : impl_->webhooks) statuses.push_back(webhook->status());
  return statuses;
}

}  // namespace braid::speed
