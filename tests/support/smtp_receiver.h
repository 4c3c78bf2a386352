// A small real SMTP server on 127.0.0.1 (RFC 5321: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; STARTTLS and
// AUTH PLAIN on request) that records each accepted message: the far end of the email channel in tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace test_support {

struct SmtpReceiverOptions {
  bool starttls = false;      // offer STARTTLS (with a self-signed certificate for 127.0.0.1 and localhost)
  bool implicit_tls = false;  // TLS from the first byte, as smtps:// expects
  // When auth_user is set, AUTH PLAIN is offered (after STARTTLS when that is offered too) and MAIL needs it.
  std::string auth_user;
  std::string auth_password;
  std::string reject_recipient;  // RCPT TO this address is answered 550
};

struct ReceivedMail {
  std::string helo;                     // the EHLO/HELO argument last given
  std::string from;                     // MAIL FROM, without the angle brackets
  std::vector<std::string> recipients;  // RCPT TO, without the angle brackets
  std::string data;                     // the message as sent after DATA, dot-unstuffed, without the final "."
  bool tls = false;                     // whether it arrived over TLS
  std::string auth_user;                // who authenticated, empty when nobody did

  // The first header named `name` (case-insensitive), unfolded; "" when absent.
  std::string Header(std::string_view name) const;
  // Everything after the blank line that ends the headers.
  std::string Body() const;
};

// Thread-safe: the server runs on its own thread; every method may be called from any thread.
class SmtpReceiver {
 public:
  // Listens on an ephemeral port. With TLS, first makes a key and certificate (OpenSSL) and writes the certificate
  // to a temp file for the client's ca_file. Aborts the test binary when it cannot listen.
  explicit SmtpReceiver(SmtpReceiverOptions options = {});
  ~SmtpReceiver();
  SmtpReceiver(const SmtpReceiver&) = delete;
  SmtpReceiver& operator=(const SmtpReceiver&) = delete;

  uint16_t port() const;
  // "smtp://127.0.0.1:<port>", or smtps:// with implicit_tls.
  std::string Url() const;
  // The PEM file of the server's certificate; empty without TLS.
  std::string ca_file() const;

  // The next `count` messages are answered 451 after their data (a temporary failure) and not recorded.
  void FailNextMessages(int count);

  // Every accepted message, oldest first; recorded before the final 250 is sent.
  std::vector<ReceivedMail> Messages() const;
  // True once at least `count` messages were accepted; false when `timeout` passed first.
  bool WaitFor(size_t count, std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace test_support
