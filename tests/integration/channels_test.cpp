// The channel senders against real receivers on loopback: a webhook/chat HTTP server and an SMTP server (plain,
// STARTTLS, implicit TLS, AUTH), checking what arrives and how each failure is classified for the outbox.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <string>

#include "channels/channel.h"
#include "support/smtp_receiver.h"
#include "support/webhook_receiver.h"

namespace {

using channels::ChannelConfig;
using channels::ChannelType;
using channels::Message;
using channels::SendResult;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using test_support::ReceivedMail;
using test_support::SmtpReceiver;
using test_support::SmtpReceiverOptions;
using test_support::WebhookReceiver;

namespace json = boost::json;

// A safety net only: every receiver records before it answers, so what Send waited for is already there.
constexpr auto kWait = std::chrono::seconds(10);
constexpr char kSecret[] = "whsec_integration";

ChannelConfig WebhookChannel(const WebhookReceiver& receiver) {
  ChannelConfig c;
  c.name = "ops-webhook";
  c.type = ChannelType::kWebhook;
  c.url = receiver.Url();
  c.secret = kSecret;
  c.headers["X-Team"] = "payments";
  return c;
}

ChannelConfig EmailChannel(const SmtpReceiver& receiver) {
  ChannelConfig c;
  c.name = "mail";
  c.type = ChannelType::kEmail;
  c.url = receiver.Url();
  c.from = "Incidentd <incidentd@example.com>";
  return c;
}

Message Page() {
  Message m;
  m.idempotency_key = "incident-42.page.alice.1";
  m.subject = "Checkout is down";
  m.text = "HTTP 5xx at 40% since 09:00\nRunbook: https://wiki.example.com/checkout";
  m.ack_url = "https://incidentd.example.com/ack/tok123";
  m.fields = {{"incident.id", "42"}, {"incident.title", "Checkout is down"}, {"service", "checkout"},
              {"severity", "critical"}};
  return m;
}

Message Mail(std::string to = "alice@example.com") {
  Message m = Page();
  m.address = std::move(to);
  return m;
}

json::value Parse(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  EXPECT_FALSE(ec) << ec.message() << " in " << text;
  return v;
}

int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class WebhookChannelTest : public ::testing::Test {
 protected:
  WebhookReceiver receiver_;
  channels::Sender sender_;
};

TEST_F(WebhookChannelTest, DeliversSignedJsonWithIdempotencyKey) {
  const int64_t before = UnixSeconds();

  const SendResult r = sender_.Send(WebhookChannel(receiver_), Page());

  const int64_t after = UnixSeconds();
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(receiver_.WaitFor(1, kWait));
  const auto request = receiver_.Requests().at(0);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/hook");
  EXPECT_EQ(request.Header("Content-Type"), "application/json");
  EXPECT_EQ(request.Header("Idempotency-Key"), "incident-42.page.alice.1");
  EXPECT_EQ(request.Header("User-Agent"), "incidentd");
  EXPECT_EQ(request.Header("X-Team"), "payments");
  EXPECT_EQ(request.Header("Expect"), "");
  const std::string timestamp = request.Header("X-Incidentd-Timestamp");
  ASSERT_FALSE(timestamp.empty());
  EXPECT_GE(std::stoll(timestamp), before);
  EXPECT_LE(std::stoll(timestamp), after);
  EXPECT_TRUE(channels::VerifySignature(kSecret, timestamp, request.body, request.Header("X-Incidentd-Signature")))
      << request.Header("X-Incidentd-Signature");
  EXPECT_FALSE(channels::VerifySignature("other-secret", timestamp, request.body,
                                         request.Header("X-Incidentd-Signature")));
  const json::value body = Parse(request.body);
  EXPECT_EQ(body.at("subject").as_string(), "Checkout is down");
  EXPECT_EQ(body.at("ack_url").as_string(), "https://incidentd.example.com/ack/tok123");
  EXPECT_EQ(body.at("fields").at("incident.id").as_string(), "42");
}

TEST_F(WebhookChannelTest, UnsignedWithoutSecret) {
  ChannelConfig c = WebhookChannel(receiver_);
  c.secret.clear();

  ASSERT_TRUE(sender_.Send(c, Page()).ok);

  EXPECT_EQ(receiver_.Requests().at(0).Header("X-Incidentd-Signature"), "");
}

TEST_F(WebhookChannelTest, SendsTheRenderedTemplate) {
  ChannelConfig c = WebhookChannel(receiver_);
  c.body_template = R"({"summary": "[{{severity}}] {{incident.title}}", "link": "{{ack_url}}", "who": "{{user}}"})";
  Message m = Page();
  m.fields["incident.title"] = "Checkout \"EU\" is down\n(again)";

  ASSERT_TRUE(sender_.Send(c, m).ok);

  const auto request = receiver_.Requests().at(0);
  const json::value body = Parse(request.body);
  EXPECT_EQ(body.at("summary").as_string(), "[critical] Checkout \"EU\" is down\n(again)");
  EXPECT_EQ(body.at("link").as_string(), "https://incidentd.example.com/ack/tok123");
  EXPECT_EQ(body.at("who").as_string(), "");
  EXPECT_TRUE(channels::VerifySignature(kSecret, request.Header("X-Incidentd-Timestamp"), request.body,
                                        request.Header("X-Incidentd-Signature")));
}

TEST_F(WebhookChannelTest, MessageAddressOverridesTheChannelUrl) {
  Message m = Page();
  m.address = receiver_.Url("/people/alice");

  ASSERT_TRUE(sender_.Send(WebhookChannel(receiver_), m).ok);

  EXPECT_EQ(receiver_.Requests().at(0).target, "/people/alice");
}

TEST_F(WebhookChannelTest, ServiceUnavailableIsRetryable) {
  receiver_.SetStatus(503);

  const SendResult r = sender_.Send(WebhookChannel(receiver_), Page());

  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.permanent);
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.error, StartsWith("HTTP 503"));
  EXPECT_FALSE(r.retry_after.has_value());
}

TEST_F(WebhookChannelTest, BadRequestIsPermanentAndSaysWhy) {
  receiver_.SetStatus(400);
  receiver_.SetBody("invalid_payload\n");

  const SendResult r = sender_.Send(WebhookChannel(receiver_), Page());

  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.permanent);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error, "HTTP 400: invalid_payload");
}

TEST_F(WebhookChannelTest, TooManyRequestsIsRetryableWithRetryAfter) {
  receiver_.SetStatus(429);
  receiver_.SetRetryAfter("7");

  const SendResult r = sender_.Send(WebhookChannel(receiver_), Page());

  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.permanent);
  EXPECT_EQ(r.status, 429);
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, std::chrono::seconds(7));
}

TEST_F(WebhookChannelTest, RetryAfterAsAnHttpDateIsIgnored) {
  receiver_.SetStatus(503);
  receiver_.SetRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT");

  const SendResult r = sender_.Send(WebhookChannel(receiver_), Page());

  EXPECT_FALSE(r.permanent);
  EXPECT_FALSE(r.retry_after.has_value());
}

TEST_F(WebhookChannelTest, ClassifiesEveryStatus) {
  struct Case {
    int status;
    bool ok;
    bool permanent;
  };
  const Case cases[] = {{200, true, false},  {201, true, false},  {204, true, false},  {301, false, true},
                        {400, false, true},  {401, false, true},  {404, false, true},  {408, false, false},
                        {410, false, true},  {422, false, true},  {429, false, false}, {500, false, false},
                        {502, false, false}, {503, false, false}, {504, false, false}};
  for (const Case& c : cases) {
    receiver_.SetStatus(c.status);

    const SendResult r = sender_.Send(WebhookChannel(receiver_), Page());

    EXPECT_EQ(r.ok, c.ok) << c.status;
    EXPECT_EQ(r.permanent, c.permanent) << c.status;
    EXPECT_EQ(r.status, c.status);
  }
}

TEST_F(WebhookChannelTest, ReceiverDownIsRetryableConnectionRefused) {
  receiver_.Stop();

  const SendResult r = sender_.Send(WebhookChannel(receiver_), Page());

  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.permanent);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, "connection refused");
  EXPECT_EQ(receiver_.Count(), 0u);
}

TEST_F(WebhookChannelTest, RetryAfterFailuresDeliversWithTheSameKey) {
  receiver_.SetStatus(503);
  ASSERT_FALSE(sender_.Send(WebhookChannel(receiver_), Page()).ok);
  receiver_.Stop();
  ASSERT_FALSE(sender_.Send(WebhookChannel(receiver_), Page()).ok);
  ASSERT_TRUE(receiver_.Start().ok());
  receiver_.SetStatus(200);

  const SendResult r = sender_.Send(WebhookChannel(receiver_), Page());

  ASSERT_TRUE(r.ok) << r.error;
  const auto requests = receiver_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].Header("Idempotency-Key"), requests[1].Header("Idempotency-Key"));
}

TEST_F(WebhookChannelTest, ReusesTheConnection) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sender_.Send(WebhookChannel(receiver_), Page()).ok);

  EXPECT_EQ(receiver_.Count(), 3u);
  EXPECT_EQ(receiver_.Connections(), 1u);
}

TEST_F(WebhookChannelTest, GivesUpAfterTheTimeout) {
  receiver_.SetStalled(true);
  ChannelConfig c = WebhookChannel(receiver_);
  c.timeout = std::chrono::milliseconds(300);

  const SendResult r = sender_.Send(c, Page());

  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.permanent);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, "timed out after 300 ms");
  EXPECT_EQ(receiver_.Count(), 1u);
}

TEST_F(WebhookChannelTest, ChatPostsSlackShapedText) {
  ChannelConfig c;
  c.name = "ops-chat";
  c.type = ChannelType::kChat;
  c.url = receiver_.Url("/hooks/T000/B000/XXXX");

  const SendResult r = sender_.Send(c, Page());

  ASSERT_TRUE(r.ok) << r.error;
  const auto request = receiver_.Requests().at(0);
  EXPECT_EQ(request.target, "/hooks/T000/B000/XXXX");
  EXPECT_EQ(request.Header("Content-Type"), "application/json");
  EXPECT_EQ(request.Header("X-Incidentd-Signature"), "");
  const json::value body = Parse(request.body);
  EXPECT_EQ(body.as_object().size(), 1u);
  EXPECT_EQ(body.at("text").as_string(),
            "*Checkout is down*\nHTTP 5xx at 40% since 09:00\nRunbook: https://wiki.example.com/checkout\n"
            "<https://incidentd.example.com/ack/tok123|Acknowledge>");
}

TEST_F(WebhookChannelTest, ChatErrorsAreClassifiedLikeWebhooks) {
  ChannelConfig c;
  c.type = ChannelType::kChat;
  c.url = receiver_.Url("/hooks/x");
  receiver_.SetStatus(404);
  receiver_.SetBody("no_service");

  const SendResult r = sender_.Send(c, Page());

  EXPECT_TRUE(r.permanent);
  EXPECT_EQ(r.error, "HTTP 404: no_service");
}

class EmailChannelTest : public ::testing::Test {
 protected:
  channels::Sender sender_;
};

TEST_F(EmailChannelTest, PlainSmtpDeliversHeadersAndBody) {
  SmtpReceiver receiver;
  Message m = Mail();
  m.subject = "Ünïcödé incident — db-01 is down";
  m.text = "first line\n.starts with a dot\n..two dots\n.\nlast line";

  const SendResult r = sender_.Send(EmailChannel(receiver), m);

  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 250);
  ASSERT_TRUE(receiver.WaitFor(1, kWait));
  const ReceivedMail mail = receiver.Messages().at(0);
  EXPECT_FALSE(mail.tls);
  EXPECT_EQ(mail.from, "incidentd@example.com");
  EXPECT_EQ(mail.recipients, std::vector<std::string>{"alice@example.com"});
  EXPECT_EQ(mail.Header("From"), "Incidentd <incidentd@example.com>");
  EXPECT_EQ(mail.Header("To"), "alice@example.com");
  // printf 'Ünïcödé incident — db-01 is down' | base64
  EXPECT_EQ(mail.Header("Subject"), "=?UTF-8?B?w5xuw69jw7Zkw6kgaW5jaWRlbnQg4oCUIGRiLTAxIGlzIGRvd24=?=");
  EXPECT_EQ(mail.Header("Message-ID"), "<incident-42.page.alice.1@incidentd>");
  EXPECT_EQ(mail.Header("MIME-Version"), "1.0");
  EXPECT_EQ(mail.Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(mail.Header("Content-Transfer-Encoding"), "8bit");
  EXPECT_THAT(mail.Header("Date"), testing::MatchesRegex("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} "
                                                          "[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} \\+0000"));
  EXPECT_EQ(mail.Body(),
            "first line\r\n.starts with a dot\r\n..two dots\r\n.\r\nlast line\r\n\r\n"
            "Acknowledge: https://incidentd.example.com/ack/tok123\r\n");
}

TEST_F(EmailChannelTest, StartTlsIsUsedWhenOffered) {
  SmtpReceiverOptions options;
  options.starttls = true;
  SmtpReceiver receiver(options);
  ChannelConfig c = EmailChannel(receiver);
  c.ca_file = receiver.ca_file();

  const SendResult r = sender_.Send(c, Mail());

  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_TRUE(receiver.WaitFor(1, kWait));
  EXPECT_TRUE(receiver.Messages().at(0).tls);
  EXPECT_EQ(receiver.Messages().at(0).Header("Subject"), "Checkout is down");
}

TEST_F(EmailChannelTest, StartTlsWithAnUntrustedCertificateDoesNotFallBackToPlainText) {
  SmtpReceiverOptions options;
  options.starttls = true;
  SmtpReceiver receiver(options);
  ChannelConfig c = EmailChannel(receiver);  // no ca_file: the system store does not know the test certificate

  const SendResult r = sender_.Send(c, Mail());

  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.permanent);
  EXPECT_TRUE(receiver.Messages().empty());
}

TEST_F(EmailChannelTest, SmtpsIsTlsFromTheStart) {
  SmtpReceiverOptions options;
  options.implicit_tls = true;
  SmtpReceiver receiver(options);
  ChannelConfig c = EmailChannel(receiver);
  c.ca_file = receiver.ca_file();

  const SendResult r = sender_.Send(c, Mail());

  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_THAT(c.url, StartsWith("smtps://"));
  EXPECT_TRUE(receiver.Messages().at(0).tls);
}

TEST_F(EmailChannelTest, AuthenticatesOverStartTls) {
  SmtpReceiverOptions options;
  options.starttls = true;
  options.auth_user = "pager";
  options.auth_password = "s3cret";
  SmtpReceiver receiver(options);
  ChannelConfig c = EmailChannel(receiver);
  c.ca_file = receiver.ca_file();
  c.username = "pager";
  c.password = "s3cret";

  const SendResult r = sender_.Send(c, Mail());

  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(receiver.Messages().at(0).auth_user, "pager");
  EXPECT_TRUE(receiver.Messages().at(0).tls);
}

TEST_F(EmailChannelTest, WrongPasswordIsPermanent) {
  SmtpReceiverOptions options;
  options.starttls = true;
  options.auth_user = "pager";
  options.auth_password = "s3cret";
  SmtpReceiver receiver(options);
  ChannelConfig c = EmailChannel(receiver);
  c.ca_file = receiver.ca_file();
  c.username = "pager";
  c.password = "wrong";

  const SendResult r = sender_.Send(c, Mail());

  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.permanent);
  EXPECT_EQ(r.status, 535);
  EXPECT_TRUE(receiver.Messages().empty());
}

TEST_F(EmailChannelTest, CredentialsAreNeverSentWithoutTls) {
  SmtpReceiverOptions options;
  options.auth_user = "pager";
  options.auth_password = "s3cret";
  SmtpReceiver receiver(options);  // offers AUTH in the clear, no STARTTLS
  ChannelConfig c = EmailChannel(receiver);
  c.username = "pager";
  c.password = "s3cret";

  const SendResult r = sender_.Send(c, Mail());

  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.permanent);
  EXPECT_THAT(r.error, HasSubstr("STARTTLS"));
  EXPECT_TRUE(receiver.Messages().empty());
}

TEST_F(EmailChannelTest, RejectedRecipientIsPermanent) {
  SmtpReceiverOptions options;
  options.reject_recipient = "gone@example.com";
  SmtpReceiver receiver(options);

  const SendResult r = sender_.Send(EmailChannel(receiver), Mail("gone@example.com"));

  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.permanent);
  EXPECT_EQ(r.status, 550);
  EXPECT_THAT(r.error, StartsWith("SMTP 550"));
  EXPECT_THAT(r.error, HasSubstr("Recipient address rejected"));
  EXPECT_TRUE(receiver.Messages().empty());
}

TEST_F(EmailChannelTest, TemporaryFailureIsRetryableAndTheRetryArrives) {
  SmtpReceiver receiver;
  receiver.FailNextMessages(1);

  const SendResult first = sender_.Send(EmailChannel(receiver), Mail());
  const SendResult second = sender_.Send(EmailChannel(receiver), Mail());

  EXPECT_FALSE(first.ok);
  EXPECT_FALSE(first.permanent);
  EXPECT_EQ(first.status, 451);
  EXPECT_THAT(first.error, StartsWith("SMTP 451"));
  ASSERT_TRUE(second.ok) << second.error;
  ASSERT_TRUE(receiver.WaitFor(1, kWait));
  EXPECT_EQ(receiver.Messages().size(), 1u);
}

TEST_F(EmailChannelTest, SeveralMessagesOverOneSender) {
  SmtpReceiver receiver;

  for (const char* to : {"alice@example.com", "bob@example.com", "carol@example.com"}) {
    const SendResult r = sender_.Send(EmailChannel(receiver), Mail(to));
    ASSERT_TRUE(r.ok) << to << ": " << r.error;
  }

  ASSERT_TRUE(receiver.WaitFor(3, kWait));
  EXPECT_EQ(receiver.Messages().at(2).recipients, std::vector<std::string>{"carol@example.com"});
}

TEST_F(EmailChannelTest, ServerDownIsRetryableConnectionRefused) {
  ChannelConfig c;
  {
    SmtpReceiver gone;
    c = EmailChannel(gone);
  }

  const SendResult r = sender_.Send(c, Mail());

  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.permanent);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, "connection refused");
}

}  // namespace
