#include "support/smtp_receiver.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cctype>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "core/result.h"
#include "support/temp_dir.h"

namespace test_support {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// RFC 5321 allows 1000 bytes a line; a little more is tolerated, a runaway line ends the session.
constexpr size_t kMaxLine = 4096;

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};

void AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  INCIDENTD_CHECK(ext != nullptr);
  INCIDENTD_CHECK(X509_add_ext(cert, ext, -1) == 1);
  X509_EXTENSION_free(ext);
}

// A P-256 key and a self-signed certificate for localhost and 127.0.0.1, valid from an hour ago for a day. It is
// its own CA, so a client that trusts the file verifies the server with it.
std::pair<std::unique_ptr<EVP_PKEY, KeyFree>, std::unique_ptr<X509, X509Free>> MakeCertificate() {
  std::unique_ptr<EVP_PKEY, KeyFree> key(EVP_EC_gen("P-256"));
  INCIDENTD_CHECK(key != nullptr);
  std::unique_ptr<X509, X509Free> cert(X509_new());
  INCIDENTD_CHECK(cert != nullptr);
  X509_set_version(cert.get(), 2);  // v3
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  INCIDENTD_CHECK(X509_set_pubkey(cert.get(), key.get()) == 1);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
  AddExtension(cert.get(), NID_subject_key_identifier, "hash");
  AddExtension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  INCIDENTD_CHECK(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
  return {std::move(key), std::move(cert)};
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The address inside the first <...> of `arg` ("FROM:<a@b> SIZE=10" gives "a@b").
std::string AngleAddress(std::string_view arg) {
  const size_t open = arg.find('<');
  const size_t close = arg.find('>', open == arg.npos ? 0 : open);
  if (open == arg.npos || close == arg.npos) return "";
  return std::string(arg.substr(open + 1, close - open - 1));
}

std::string DecodeBase64(std::string_view text) {
  std::string out(text.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return "";
  out.resize(static_cast<size_t>(n));
  // EVP_DecodeBlock counts padding as zero bytes.
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) out.pop_back();
  return out;
}

template <typename Stream>
asio::awaitable<std::optional<std::string>> ReadLineFrom(Stream& stream, std::string& pending) {
  auto [ec, n] = co_await asio::async_read_until(stream, asio::dynamic_buffer(pending, kMaxLine), "\n", kTuple);
  if (ec) co_return std::nullopt;
  std::string line = pending.substr(0, n - 1);
  pending.erase(0, n);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  co_return line;
}

template <typename Stream>
asio::awaitable<bool> WriteTo(Stream& stream, std::string text) {
  auto [ec, n] = co_await asio::async_write(stream, asio::buffer(text), kTuple);
  co_return !ec;
}

}  // namespace

std::string ReceivedMail::Header(std::string_view name) const {
  const size_t end = data.find("\r\n\r\n");
  const std::string_view head(data.data(), end == std::string::npos ? data.size() : end + 2);
  std::optional<std::string> value;
  size_t pos = 0;
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = head.size();
    const std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (value) {
      // Continuation lines (folded) start with white space; the first other line ends the header.
      if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
        *value += std::string(line);
        continue;
      }
      break;
    }
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos && Upper(line.substr(0, colon)) == Upper(name)) {
      std::string_view v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      value = std::string(v);
    }
  }
  return value.value_or("");
}

std::string ReceivedMail::Body() const {
  const size_t end = data.find("\r\n\r\n");
  return end == std::string::npos ? "" : data.substr(end + 4);
}

struct SmtpReceiver::Impl {
  explicit Impl(SmtpReceiverOptions o) : options(std::move(o)) {}

  const SmtpReceiverOptions options;
  TempDir dir;
  std::string cert_file;
  uint16_t port = 0;
  ssl::context tls_context{ssl::context::tls_server};

  // Guarded by mu.
  mutable std::mutex mu;
  mutable std::condition_variable arrived;
  std::vector<ReceivedMail> messages;
  int fail_next = 0;

  // Touched only on the server thread.
  std::optional<tcp::acceptor> acceptor;
  std::set<tcp::socket*> open;

  // Last, so that it goes first: its pending coroutines refer to the members above.
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread;

  bool Tls() const { return options.starttls || options.implicit_tls; }

  void MakeTlsContext() {
    auto [key, cert] = MakeCertificate();
    cert_file = (dir.path() / "smtp-receiver-cert.pem").string();
    BIO* out = BIO_new_file(cert_file.c_str(), "w");
    INCIDENTD_CHECK(out != nullptr);
    INCIDENTD_CHECK(PEM_write_bio_X509(out, cert.get()) == 1);
    BIO_free(out);
    INCIDENTD_CHECK(SSL_CTX_use_certificate(tls_context.native_handle(), cert.get()) == 1);
    INCIDENTD_CHECK(SSL_CTX_use_PrivateKey(tls_context.native_handle(), key.get()) == 1);
  }

  asio::awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor->async_accept(kTuple);
      if (ec) co_return;
      asio::co_spawn(io, Serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Serve(tcp::socket socket);

  void Close() {
    boost::system::error_code ignored;
    if (acceptor) acceptor->close(ignored);
    for (tcp::socket* s : open) s->close(ignored);
  }
};

// One SMTP session. Replies follow RFC 5321 and the enhanced status codes of RFC 3463.
asio::awaitable<void> SmtpReceiver::Impl::Serve(tcp::socket socket) {
  open.insert(&socket);
  std::optional<ssl::stream<tcp::socket&>> tls;
  std::string pending;
  auto read_line = [&]() { return tls ? ReadLineFrom(*tls, pending) : ReadLineFrom(socket, pending); };
  auto write = [&](std::string text) {
    return tls ? WriteTo(*tls, std::move(text)) : WriteTo(socket, std::move(text));
  };
  auto start_tls = [&]() -> asio::awaitable<bool> {
    tls.emplace(socket, tls_context);
    auto [ec] = co_await tls->async_handshake(ssl::stream_base::server, kTuple);
    co_return !ec;
  };

  std::string helo;
  std::string auth_user;
  std::optional<std::string> from;
  std::vector<std::string> recipients;
  const bool auth_configured = !options.auth_user.empty();

  bool open_session = !options.implicit_tls || co_await start_tls();
  if (open_session) open_session = co_await write("220 127.0.0.1 incidentd test SMTP ready\r\n");
  while (open_session) {
    std::optional<std::string> line = co_await read_line();
    if (!line) break;
    const size_t space = line->find(' ');
    const std::string verb = Upper(line->substr(0, std::min(space, line->find(':'))));
    const std::string arg = space == std::string::npos ? "" : line->substr(space + 1);
    const bool auth_offered = auth_configured && (tls || !options.starttls);
    std::string reply;
    if (verb == "EHLO") {
      helo = arg;
      from.reset();
      recipients.clear();
      reply = "250-127.0.0.1 greets " + arg + "\r\n250-8BITMIME\r\n";
      if (options.starttls && !tls) reply += "250-STARTTLS\r\n";
      if (auth_offered) reply += "250-AUTH PLAIN\r\n";
      reply += "250 HELP\r\n";
    } else if (verb == "HELO") {
      helo = arg;
      reply = "250 127.0.0.1\r\n";
    } else if (verb == "STARTTLS") {
      if (!options.starttls || tls) {
        reply = "454 4.7.0 TLS not available\r\n";
      } else {
        if (!co_await write("220 2.0.0 Ready to start TLS\r\n")) break;
        // Anything the client sent after STARTTLS in the clear must not count as sent over TLS (RFC 3207).
        pending.clear();
        if (!co_await start_tls()) break;
        helo.clear();
        auth_user.clear();
        from.reset();
        recipients.clear();
        continue;
      }
    } else if (verb == "AUTH") {
      std::string mechanism = Upper(arg.substr(0, arg.find(' ')));
      std::string response = arg.find(' ') == std::string::npos ? "" : arg.substr(arg.find(' ') + 1);
      if (!auth_offered || mechanism != "PLAIN") {
        reply = "504 5.5.4 Unrecognized authentication type\r\n";
      } else {
        if (response.empty()) {
          if (!co_await write("334 \r\n")) break;
          std::optional<std::string> next = co_await read_line();
          if (!next) break;
          response = *next;
        }
        // authzid NUL authcid NUL password (RFC 4616).
        const std::string decoded = DecodeBase64(response);
        const size_t first = decoded.find('\0');
        const size_t second = first == std::string::npos ? first : decoded.find('\0', first + 1);
        const bool good = second != std::string::npos &&
                          decoded.substr(first + 1, second - first - 1) == options.auth_user &&
                          decoded.substr(second + 1) == options.auth_password;
        if (good) auth_user = options.auth_user;
        reply = good ? "235 2.7.0 Authentication successful\r\n" : "535 5.7.8 Authentication credentials invalid\r\n";
      }
    } else if (verb == "MAIL") {
      if (auth_configured && auth_user.empty()) {
        reply = "530 5.7.0 Authentication required\r\n";
      } else {
        from = AngleAddress(arg);
        recipients.clear();
        reply = "250 2.1.0 OK\r\n";
      }
    } else if (verb == "RCPT") {
      const std::string to = AngleAddress(arg);
      if (!from) {
        reply = "503 5.5.1 MAIL first\r\n";
      } else if (!options.reject_recipient.empty() && to == options.reject_recipient) {
        reply = "550 5.1.1 <" + to + ">: Recipient address rejected\r\n";
      } else {
        recipients.push_back(to);
        reply = "250 2.1.5 OK\r\n";
      }
    } else if (verb == "DATA") {
      if (!from || recipients.empty()) {
        reply = "503 5.5.1 RCPT first\r\n";
      } else {
        if (!co_await write("354 End data with <CR><LF>.<CR><LF>\r\n")) break;
        std::string data;
        bool complete = false;
        while (std::optional<std::string> data_line = co_await read_line()) {
          if (*data_line == ".") {
            complete = true;
            break;
          }
          // Dot-unstuffing (RFC 5321 4.5.2): a leading dot was doubled by the client.
          if (!data_line->empty() && (*data_line)[0] == '.') data_line->erase(0, 1);
          data += *data_line + "\r\n";
        }
        if (!complete) break;
        bool fail = false;
        {
          std::lock_guard lock(mu);
          if (fail_next > 0) {
            --fail_next;
            fail = true;
          } else {
            messages.push_back(ReceivedMail{helo, *from, recipients, std::move(data), tls.has_value(), auth_user});
          }
        }
        arrived.notify_all();
        reply = fail ? "451 4.3.0 Temporary failure, try again later\r\n" : "250 2.0.0 OK queued\r\n";
        from.reset();
        recipients.clear();
      }
    } else if (verb == "RSET") {
      from.reset();
      recipients.clear();
      reply = "250 2.0.0 OK\r\n";
    } else if (verb == "NOOP") {
      reply = "250 2.0.0 OK\r\n";
    } else if (verb == "QUIT") {
      co_await write("221 2.0.0 Bye\r\n");
      break;
    } else {
      reply = "502 5.5.2 Command not recognized\r\n";
    }
    if (!co_await write(reply)) break;
  }
  open.erase(&socket);
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

SmtpReceiver::SmtpReceiver(SmtpReceiverOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  if (impl_->Tls()) impl_->MakeTlsContext();
  boost::system::error_code ec;
  const tcp::endpoint where(asio::ip::make_address_v4("127.0.0.1"), 0);
  impl_->acceptor.emplace(impl_->io);
  impl_->acceptor->open(where.protocol(), ec);
  if (!ec) impl_->acceptor->bind(where, ec);
  if (!ec) impl_->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  INCIDENTD_CHECK(!ec);
  impl_->port = impl_->acceptor->local_endpoint().port();
  asio::co_spawn(impl_->io, impl_->Accept(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

SmtpReceiver::~SmtpReceiver() {
  std::promise<void> closed;
  asio::post(impl_->io, [&] {
    impl_->Close();
    closed.set_value();
  });
  closed.get_future().wait();
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
}

uint16_t SmtpReceiver::port() const { return impl_->port; }

std::string SmtpReceiver::Url() const {
  return std::string(impl_->options.implicit_tls ? "smtps" : "smtp") + "://127.0.0.1:" + std::to_string(port());
}

std::string SmtpReceiver::ca_file() const { return impl_->cert_file; }

void SmtpReceiver::FailNextMessages(int count) {
  std::lock_guard lock(impl_->mu);
  impl_->fail_next = count;
}

std::vector<ReceivedMail> SmtpReceiver::Messages() const {
  std::lock_guard lock(impl_->mu);
  return impl_->messages;
}

bool SmtpReceiver::WaitFor(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->arrived.wait_for(lock, timeout, [&] { return impl_->messages.size() >= count; });
}

}  // namespace test_support
