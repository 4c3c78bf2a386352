// Sender: one libcurl easy handle doing HTTP POSTs (webhook, chat) and SMTP submissions (email), and the mapping of
// what came back onto SendResult.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "channels/channel.h"
#include "channels/format.h"

namespace channels {
namespace {

// Enough of an error answer to say why ("invalid_payload", "no_text"); the rest is dropped unread.
constexpr size_t kMaxResponseBody = 4096;
// How much of it goes into SendResult::error.
constexpr size_t kMaxErrorDetail = 160;
constexpr size_t kMaxReplyLines = 16;

std::once_flag global_init_once;
CURLcode global_init_result = CURLE_OK;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// Appends `line`; false when libcurl could not allocate.
bool Append(Slist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) return false;
  (void)list.release();
  list.reset(grown);
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// A short, printable, single-line piece of `text` for an error message.
std::string Detail(std::string_view text) {
  if (text.size() > kMaxErrorDetail) {
    size_t cut = kMaxErrorDetail;
    // Cut before a character, not inside one.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  std::string out;
  out.reserve(text.size());
  for (char c : text) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? ' ' : c;
  const size_t first = out.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  out = out.substr(first, out.find_last_not_of(' ') - first + 1);
  return ToValidUtf8(out);
}

SendResult Permanent(std::string error, int status = 0) {
  SendResult r;
  r.permanent = true;
  r.status = status;
  r.error = std::move(error);
  return r;
}

SendResult Retryable(std::string error, int status = 0) {
  SendResult r;
  r.status = status;
  r.error = std::move(error);
  return r;
}

struct Upload {
  std::string_view data;
  size_t pos = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload->data.size() - upload->pos);
  std::memcpy(buffer, upload->data.data() + upload->pos, n);
  upload->pos += n;
  return n;
}

}  // namespace

struct Sender::Impl {
  CURL* curl = nullptr;
  char error_buffer[CURL_ERROR_SIZE] = {};
  std::string response_body;
  // Header lines (HTTP) or server replies (SMTP), the latest last.
  std::deque<std::string> reply_lines;

  static size_t OnBody(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<Impl*>(user);
    const size_t n = size * count;
    const size_t room = kMaxResponseBody - std::min(kMaxResponseBody, self->response_body.size());
    self->response_body.append(data, std::min(n, room));
    return n;
  }

  static size_t OnHeader(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<Impl*>(user);
    const size_t n = size * count;
    std::string_view line(data, n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    self->reply_lines.emplace_back(line.substr(0, 512));
    if (self->reply_lines.size() > kMaxReplyLines) self->reply_lines.pop_front();
    return n;
  }

  // Clears the options of the previous send (connections stay cached) and sets those every send shares.
  void Prepare(const ChannelConfig& channel) {
    curl_easy_reset(curl);
    error_buffer[0] = '\0';
    response_body.clear();
    reply_lines.clear();
    const long timeout_ms = static_cast<long>(channel.timeout.count());
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    // No signals: a Sender lives on a worker thread of a multi-threaded server.
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    // "" ignores http_proxy and friends from the environment: a proxy would be configured, not inherited.
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Impl::OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &Impl::OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, this);
    if (!channel.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, channel.ca_file.c_str());
  }

  // The result of a transfer that failed below the protocol (no usable reply), `status` being the last reply code.
  SendResult TransportError(CURLcode code, long status, const ChannelConfig& channel) const {
    const std::string detail = Detail(error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code));
    const int reply = static_cast<int>(status);
    switch (code) {
      case CURLE_COULDNT_CONNECT: {
        long os_errno = 0;
        curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
        if (os_errno == ECONNREFUSED) return Retryable("connection refused", reply);
        return Retryable("could not connect: " + detail, reply);
      }
      case CURLE_OPERATION_TIMEDOUT:
        return Retryable("timed out after " + std::to_string(channel.timeout.count()) + " ms", reply);
      case CURLE_COULDNT_RESOLVE_HOST:
        return Retryable("could not resolve host: " + detail, reply);
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_URL_MALFORMAT:
      case CURLE_SSL_CACERT_BADFILE:
        return Permanent(detail, reply);
      case CURLE_USE_SSL_FAILED:
        return Permanent("the server offers no STARTTLS, which is required when credentials are set", reply);
      default:
        return Retryable(detail, reply);
    }
  }

  SendResult PostJson(const ChannelConfig& channel, const std::string& url, const std::string& body,
                      std::vector<std::pair<std::string, std::string>> headers) {
    Prepare(channel);
    // Configured headers replace built-in ones of the same name.
    for (const auto& [name, value] : channel.headers) {
      std::erase_if(headers, [&name](const auto& h) { return EqualsIgnoreCase(h.first, name); });
      headers.emplace_back(name, value);
    }
    Slist list;
    // "Expect:" stops libcurl from waiting for a 100 Continue before sending a larger body.
    bool allocated = Append(list, "Expect:");
    for (const auto& [name, value] : headers) {
      // "Name:" would tell libcurl to drop the header; "Name;" sends it empty.
      allocated = allocated && Append(list, value.empty() ? name + ";" : name + ": " + value);
    }
    if (!allocated) return Retryable("out of memory building the request");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list.get());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));

    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (code != CURLE_OK) return TransportError(code, status, channel);

    SendResult result;
    result.status = static_cast<int>(status);
    curl_header* retry_after = nullptr;
    if (curl_easy_header(curl, "Retry-After", 0, CURLH_HEADER, -1, &retry_after) == CURLHE_OK) {
      // Only the delta-seconds form; an HTTP-date is left to the caller's own backoff.
      std::string_view value(retry_after->value);
      int64_t seconds = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec == std::errc() && end == value.data() + value.size() && seconds >= 0) {
        result.retry_after = std::chrono::seconds(seconds);
      }
    }
    if (status >= 200 && status < 300) {
      result.ok = true;
      return result;
    }
    result.error = "HTTP " + std::to_string(status);
    if (status >= 300 && status < 400) result.error += " (redirects are not followed)";
    if (const std::string detail = Detail(response_body); !detail.empty()) result.error += ": " + detail;
    result.permanent = !(status == 408 || status == 429 || status >= 500);
    return result;
  }

  SendResult SendEmail(const ChannelConfig& channel, const Message& message) {
    Prepare(channel);
    const std::string data = EmailMessage(channel, message, std::chrono::time_point_cast<core::Duration>(
                                                                std::chrono::system_clock::now()));
    Upload upload{data, 0};
    Slist recipients;
    if (!Append(recipients, message.address)) return Retryable("out of memory building the message");
    const std::string envelope_from = EnvelopeAddress(channel.from);
    curl_easy_setopt(curl, CURLOPT_URL, channel.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, envelope_from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
    // smtp:// upgrades with STARTTLS whenever the server offers it, and insists on it when a password would
    // otherwise cross the network in the clear. smtps:// is TLS from the first byte.
    const bool credentials = !channel.username.empty();
    curl_easy_setopt(curl, CURLOPT_USE_SSL, credentials ? static_cast<long>(CURLUSESSL_ALL)
                                                        : static_cast<long>(CURLUSESSL_TRY));
    if (credentials) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, channel.username.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, channel.password.c_str());
    }

    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (code == CURLE_OK) {
      SendResult result;
      result.ok = true;
      result.status = static_cast<int>(status);
      return result;
    }
    if (status >= 400 && status < 600) {
      // The server said no: name its reply (the latest line starting with that code).
      std::string error = "SMTP " + std::to_string(status);
      const std::string prefix = std::to_string(status);
      for (auto it = reply_lines.rbegin(); it != reply_lines.rend(); ++it) {
        if (it->starts_with(prefix)) {
          error = "SMTP " + Detail(*it);
          break;
        }
      }
      return status >= 500 ? Permanent(error, static_cast<int>(status)) : Retryable(error, static_cast<int>(status));
    }
    return TransportError(code, status, channel);
  }
};

Sender::Sender() : impl_(std::make_unique<Impl>()) {
  std::call_once(global_init_once, [] { global_init_result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (global_init_result == CURLE_OK) impl_->curl = curl_easy_init();
}

Sender::~Sender() {
  if (impl_ != nullptr && impl_->curl != nullptr) curl_easy_cleanup(impl_->curl);
}

Sender::Sender(Sender&&) noexcept = default;

Sender& Sender::operator=(Sender&& other) noexcept {
  if (this != &other) {
    if (impl_ != nullptr && impl_->curl != nullptr) curl_easy_cleanup(impl_->curl);
    impl_ = std::move(other.impl_);
  }
  return *this;
}

SendResult Sender::Send(const ChannelConfig& channel, const Message& message) {
  try {
    if (impl_->curl == nullptr) return Retryable("libcurl could not be initialised");
    if (auto st = ValidateChannel(channel); !st.ok()) {
      return Permanent("channel " + channel.name + ": " + st.error().message);
    }
    if (HasLineBreak(message.idempotency_key)) return Permanent("the idempotency key holds a line break");
    switch (channel.type) {
      case ChannelType::kWebhook:
      case ChannelType::kChat: {
        const std::string& url = message.address.empty() ? channel.url : message.address;
        if (url.empty()) return Permanent("channel " + channel.name + " has no url and the message no address");
        if (auto st = CheckWebhookUrl(url, "address"); !st.ok()) return Permanent(st.error().message);
        std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"},
                                                                    {"User-Agent", "incidentd"}};
        if (!message.idempotency_key.empty()) headers.emplace_back("Idempotency-Key", message.idempotency_key);
        if (channel.type == ChannelType::kChat) return impl_->PostJson(channel, url, ChatBody(message), headers);
        const std::string body = WebhookBody(channel, message);
        const std::string timestamp = std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count());
        headers.emplace_back("X-Incidentd-Timestamp", timestamp);
        if (!channel.secret.empty()) {
          headers.emplace_back("X-Incidentd-Signature", SignatureHeader(channel.secret, timestamp, body));
        }
        return impl_->PostJson(channel, url, body, std::move(headers));
      }
      case ChannelType::kEmail: {
        if (auto st = CheckMailbox(message.address, "address"); !st.ok()) return Permanent(st.error().message);
        if (HasLineBreak(message.subject)) return Permanent("the subject holds a line break");
        return impl_->SendEmail(channel, message);
      }
    }
    return Permanent("unknown channel type");
  } catch (const std::exception& e) {
    // Allocation failures and the like: nothing was decided about the message, so it may be tried again.
    return Retryable(std::string("internal error: ") + e.what());
  }
}

}  // namespace channels
