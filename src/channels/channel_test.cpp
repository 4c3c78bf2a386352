#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "channels/channel.h"

namespace channels {
namespace {

ChannelConfig Webhook(std::string url) {
  ChannelConfig c;
  c.name = "ops-webhook";
  c.type = ChannelType::kWebhook;
  c.url = std::move(url);
  return c;
}

ChannelConfig Email(std::string url, std::string from) {
  ChannelConfig c;
  c.name = "mail";
  c.type = ChannelType::kEmail;
  c.url = std::move(url);
  c.from = std::move(from);
  return c;
}

// The field a failed validation names, or "ok".
std::string FieldAtFault(const ChannelConfig& c) {
  auto st = ValidateChannel(c);
  return st.ok() ? "ok" : st.error().field;
}

TEST(ValidateChannelTest, AcceptsWorkingChannels) {
  ChannelConfig chat = Webhook("https://chat.example.com/hooks/abc");
  chat.type = ChannelType::kChat;

  EXPECT_EQ(FieldAtFault(Webhook("https://hooks.example.com/incidentd")), "ok");
  EXPECT_EQ(FieldAtFault(Webhook("http://127.0.0.1:8080/x")), "ok");
  EXPECT_EQ(FieldAtFault(chat), "ok");
  EXPECT_EQ(FieldAtFault(Email("smtp://mail.example.com:587", "incidentd@example.com")), "ok");
  EXPECT_EQ(FieldAtFault(Email("smtps://mail.example.com:465", "Incidentd <incidentd@example.com>")), "ok");
}

TEST(ValidateChannelTest, WebhookWithoutUrlIsAllowedForPerMessageAddresses) {
  EXPECT_EQ(FieldAtFault(Webhook("")), "ok");
}

TEST(ValidateChannelTest, RejectsUrlSchemesThatDoNotFitTheType) {
  EXPECT_EQ(FieldAtFault(Webhook("smtp://mail.example.com")), "url");
  EXPECT_EQ(FieldAtFault(Webhook("ftp://example.com/x")), "url");
  EXPECT_EQ(FieldAtFault(Webhook("hooks.example.com/incidentd")), "url");
  EXPECT_EQ(FieldAtFault(Webhook("https:///no-host")), "url");
  EXPECT_EQ(FieldAtFault(Email("https://mail.example.com", "a@example.com")), "url");
  EXPECT_EQ(FieldAtFault(Email("", "a@example.com")), "url");
}

TEST(ValidateChannelTest, NamesTheFieldInTheMessage) {
  auto st = ValidateChannel(Webhook("ftp://example.com/x"));

  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, core::ErrorCode::kInvalid);
  EXPECT_NE(st.error().message.find("url"), std::string::npos) << st.error().message;
}

TEST(ValidateChannelTest, EmailNeedsAFromAddress) {
  EXPECT_EQ(FieldAtFault(Email("smtp://mail.example.com", "")), "from");
  EXPECT_EQ(FieldAtFault(Email("smtp://mail.example.com", "not an address")), "from");
  EXPECT_EQ(FieldAtFault(Email("smtp://mail.example.com", "a@example.com\r\nBcc: x@evil.example")), "from");
}

TEST(ValidateChannelTest, PasswordWithoutUsernameIsInvalid) {
  ChannelConfig c = Email("smtp://mail.example.com", "a@example.com");
  c.password = "secret";

  EXPECT_EQ(FieldAtFault(c), "username");
}

TEST(ValidateChannelTest, RejectsHeadersThatWouldInjectLines) {
  ChannelConfig bad_value = Webhook("https://hooks.example.com");
  bad_value.headers["X-Team"] = "ops\r\nX-Admin: yes";
  ChannelConfig bad_name = Webhook("https://hooks.example.com");
  bad_name.headers["X Team:"] = "ops";
  ChannelConfig good = Webhook("https://hooks.example.com");
  good.headers["Authorization"] = "Bearer abc";

  EXPECT_EQ(FieldAtFault(bad_value), "headers");
  EXPECT_EQ(FieldAtFault(bad_name), "headers");
  EXPECT_EQ(FieldAtFault(good), "ok");
}

TEST(ValidateChannelTest, TemplateMustBeJsonWithPlaceholdersInsideStrings) {
  ChannelConfig in_string = Webhook("https://hooks.example.com");
  in_string.body_template = R"({"title": "{{incident.title}}", "n": 1})";
  ChannelConfig bare = Webhook("https://hooks.example.com");
  bare.body_template = R"({"id": {{incident.id}}})";
  ChannelConfig not_json = Webhook("https://hooks.example.com");
  not_json.body_template = "title={{incident.title}}";

  EXPECT_EQ(FieldAtFault(in_string), "ok");
  EXPECT_EQ(FieldAtFault(bare), "template");
  EXPECT_EQ(FieldAtFault(not_json), "template");
}

TEST(ValidateChannelTest, TimeoutMustBePositive) {
  ChannelConfig c = Webhook("https://hooks.example.com");
  c.timeout = std::chrono::milliseconds(0);

  EXPECT_EQ(FieldAtFault(c), "timeout");
}

TEST(ValidateChannelTest, CaFileMustExist) {
  ChannelConfig c = Webhook("https://hooks.example.com");
  c.ca_file = "/nonexistent/incidentd-ca.pem";

  EXPECT_EQ(FieldAtFault(c), "ca_file");
}

TEST(SenderTest, InvalidChannelFailsPermanentlyWithoutSending) {
  Sender sender;
  Message m;
  m.subject = "s";

  const SendResult r = sender.Send(Webhook("ftp://example.com"), m);

  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.permanent);
  EXPECT_EQ(r.status, 0);
}

TEST(SenderTest, EmailSubjectWithLineBreakFailsPermanently) {
  Sender sender;
  Message m;
  m.address = "alice@example.com";
  m.subject = "hello\r\nBcc: everyone@example.com";

  const SendResult r = sender.Send(Email("smtp://127.0.0.1:1", "a@example.com"), m);

  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.permanent);
  EXPECT_NE(r.error.find("line break"), std::string::npos) << r.error;
}

TEST(SenderTest, EmailRecipientMustBeAnAddress) {
  Sender sender;
  Message m;
  m.address = "alice@example.com>\r\nRCPT TO:<bob@example.com";

  const SendResult r = sender.Send(Email("smtp://127.0.0.1:1", "a@example.com"), m);

  EXPECT_TRUE(r.permanent) << r.error;
}

TEST(SenderTest, WebhookAddressMustBeAnHttpUrl) {
  Sender sender;
  Message m;
  m.address = "file:///etc/passwd";

  const SendResult r = sender.Send(Webhook("https://hooks.example.com"), m);

  EXPECT_TRUE(r.permanent) << r.error;
}

TEST(SenderTest, IdempotencyKeyWithLineBreakFailsPermanently) {
  Sender sender;
  Message m;
  m.idempotency_key = "k\r\nX-Evil: 1";

  const SendResult r = sender.Send(Webhook("http://127.0.0.1:1/"), m);

  EXPECT_TRUE(r.permanent) << r.error;
}

}  // namespace
}  // namespace channels
