#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <string>

#include "channels/channel.h"
#include "channels/format.h"

namespace channels {
namespace {

namespace json = boost::json;

Message Sample() {
  Message m;
  m.idempotency_key = "incident-42/page/alice/1";
  m.subject = "Checkout is down";
  m.text = "HTTP 5xx at 40%\nsince 09:00";
  m.ack_url = "https://incidentd.example.com/ack/abc";
  m.fields = {{"incident.id", "42"}, {"service", "checkout"}, {"severity", "critical"}};
  return m;
}

json::object ParseObject(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  EXPECT_FALSE(ec) << ec.message() << " in " << text;
  if (ec || !v.is_object()) return {};
  return v.as_object();
}

TEST(WebhookBodyTest, DefaultShapeCarriesTheMessageAndItsFields) {
  const json::object body = ParseObject(WebhookBody(ChannelConfig{}, Sample()));

  EXPECT_EQ(body.at("idempotency_key").as_string(), "incident-42/page/alice/1");
  EXPECT_EQ(body.at("subject").as_string(), "Checkout is down");
  EXPECT_EQ(body.at("text").as_string(), "HTTP 5xx at 40%\nsince 09:00");
  EXPECT_EQ(body.at("ack_url").as_string(), "https://incidentd.example.com/ack/abc");
  const json::object& fields = body.at("fields").as_object();
  EXPECT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields.at("incident.id").as_string(), "42");
  EXPECT_EQ(fields.at("service").as_string(), "checkout");
}

TEST(WebhookBodyTest, DefaultShapeHasNullAckUrlWhenThereIsNone) {
  Message m = Sample();
  m.ack_url.clear();

  const json::object body = ParseObject(WebhookBody(ChannelConfig{}, m));

  EXPECT_TRUE(body.at("ack_url").is_null());
}

TEST(WebhookBodyTest, DefaultShapeStaysValidJsonWithInvalidUtf8) {
  Message m = Sample();
  m.text = "bad \xC0\xAF byte";

  const json::object body = ParseObject(WebhookBody(ChannelConfig{}, m));

  EXPECT_EQ(body.at("text").as_string(), "bad \uFFFD\uFFFD byte");
}

TEST(WebhookBodyTest, TemplateSeesFieldsAndTheMessage) {
  ChannelConfig c;
  c.body_template = R"({"summary":"[{{severity}}] {{subject}}","details":"{{text}}","ack":"{{ack_url}}",)"
                    R"("key":"{{idempotency_key}}","id":"{{incident.id}}"})";

  const json::object body = ParseObject(WebhookBody(c, Sample()));

  EXPECT_EQ(body.at("summary").as_string(), "[critical] Checkout is down");
  EXPECT_EQ(body.at("details").as_string(), "HTTP 5xx at 40%\nsince 09:00");
  EXPECT_EQ(body.at("ack").as_string(), "https://incidentd.example.com/ack/abc");
  EXPECT_EQ(body.at("key").as_string(), "incident-42/page/alice/1");
  EXPECT_EQ(body.at("id").as_string(), "42");
}

TEST(WebhookBodyTest, MessagePartsWinOverFieldsOfTheSameName) {
  ChannelConfig c;
  c.body_template = R"({"s":"{{subject}}"})";
  Message m = Sample();
  m.fields["subject"] = "from fields";

  EXPECT_EQ(ParseObject(WebhookBody(c, m)).at("s").as_string(), "Checkout is down");
}

TEST(ChatBodyTest, BoldSubjectTextAndAcknowledgeLink) {
  const json::object body = ParseObject(ChatBody(Sample()));

  EXPECT_EQ(body.size(), 1u);
  EXPECT_EQ(body.at("text").as_string(),
            "*Checkout is down*\nHTTP 5xx at 40%\nsince 09:00\n<https://incidentd.example.com/ack/abc|Acknowledge>");
}

TEST(ChatBodyTest, LeavesOutWhatIsEmpty) {
  Message m;
  m.subject = "Only a subject";

  EXPECT_EQ(ParseObject(ChatBody(m)).at("text").as_string(), "*Only a subject*");
}

TEST(ChatBodyTest, EscapesSlackMarkupCharacters) {
  Message m;
  m.subject = "a < b & c > d";
  m.text = "<!channel> ping";
  m.ack_url = "https://x.example.com/ack?a=1|2>";

  EXPECT_EQ(ParseObject(ChatBody(m)).at("text").as_string(),
            "*a &lt; b &amp; c &gt; d*\n&lt;!channel&gt; ping\n<https://x.example.com/ack?a=1%7C2%3E|Acknowledge>");
}

}  // namespace
}  // namespace channels
