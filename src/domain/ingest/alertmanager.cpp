#include "domain/ingest/alertmanager.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <utility>

#include <boost/json.hpp>

#include "core/json_pointer.h"
#include "core/utf8.h"

namespace ingest {
namespace {

namespace json = boost::json;

// Go's zero time is 0001-01-01T00:00:00Z. Any instant before year 2 is taken as that zero time spelled some other
// way (fractions, an offset that moves it across midnight): no real alert starts in year 1.
constexpr core::Timestamp kFirstInstantOfYear2{
    std::chrono::duration_cast<core::Duration>(std::chrono::sys_days{std::chrono::year{2} / 1 / 1}.time_since_epoch())};

// Error messages quote at most this many bytes of a name or value, so that a batch of rejected alerts with long
// values does not produce a huge response.
constexpr size_t kMaxQuotedBytes = 128;

// A JSON pointer to one member (only built on the error path).
std::string Pointer(std::string_view parent, std::string_view token) { return core::JsonPointer(parent, token); }

// Quotes like Go's %q, which Alertmanager's messages use: escapes quotes, backslashes and control characters, and
// every non-ASCII byte when the text is not valid UTF-8.
std::string Quote(std::string_view text) {
  bool truncated = text.size() > kMaxQuotedBytes;
  if (truncated) text = text.substr(0, kMaxQuotedBytes);
  bool escape_high = !core::IsValidUtf8(text);
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && escape_high)) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  if (truncated) out += "...";
  return out;
}

// Go's net/url accepts far more than RFC 3986 does (spaces in paths, unencoded braces in queries), and Alertmanager
// accepts whatever it accepts; a strict parser would reject whole batches over a cosmetic link. So the rule is only
// what makes a URI absolute: a scheme (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )) and a colon, with no control
// characters anywhere (Go rejects those too).
bool IsAbsoluteUri(std::string_view uri) {
  auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t colon = uri.find(':');
  if (colon == 0 || colon == std::string_view::npos || !is_alpha(uri[0])) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = uri[i];
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  for (unsigned char c : uri) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// Reads an optional time member: absent, null, "" and Go's zero time are all "unset". `parent()` gives the JSON
// pointer of the object holding it, asked for only when there is an error to name.
template <typename Parent>
core::Result<std::optional<core::Timestamp>> ReadTime(const json::value* v, std::string_view key,
                                                      const Parent& parent) {
  if (v == nullptr || v->is_null()) return std::optional<core::Timestamp>();
  if (!v->is_string()) return core::Invalid("must be an RFC 3339 date-time string", Pointer(parent(), key));
  const json::string& text = v->get_string();
  if (text.empty()) return std::optional<core::Timestamp>();
  auto t = core::ParseRfc3339(text);
  if (!t.ok()) return core::Invalid(t.error().message, Pointer(parent(), key));
  if (*t < kFirstInstantOfYear2) return std::optional<core::Timestamp>();
  return std::optional<core::Timestamp>(*t);
}
core::Result<std::optional<core::Timestamp>> ReadTime(const json::object& obj, std::string_view key,
                                                      const std::string& parent) {
  return ReadTime(obj.if_contains(key), key, [&] { return parent; });
}

// Reads an optional string member; null counts as empty.
template <typename Parent>
core::Result<std::string> ReadString(const json::value* v, std::string_view key, const Parent& parent) {
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) return core::Invalid("must be a string", Pointer(parent(), key));
  return std::string(v->get_string());
}
core::Result<std::string> ReadString(const json::object& obj, std::string_view key, const std::string& parent) {
  return ReadString(obj.if_contains(key), key, [&] { return parent; });
}

enum class MapKind { kLabels, kAnnotations };

// Where a postable alert's labels or annotations are: "/<index>/labels" or "/<index>/annotations", built only for
// an error (most alerts have none, and two strings per alert were a tenth of reading a batch).
struct MapPath {
  size_t index;
  std::string_view member;
  std::string Map() const { return Pointer("/" + std::to_string(index), member); }
  std::string Of(std::string_view name) const { return Pointer(Map(), name); }
};

// Reads the labels or annotations of a postable alert. Type faults are the whole request's and come back as the
// error. Validation faults reject only this alert: the first one is stored in `rejection` and `out` is left as is.
// Empty values are dropped before anything is validated, as Alertmanager does.
core::Status ReadPostableMap(const json::object& map, const MapPath& path, MapKind kind, core::LabelSet& out,
                             std::optional<FieldError>& rejection) {
  const char* prefix = kind == MapKind::kLabels ? "invalid label set: " : "invalid annotations: ";
  std::vector<core::Label> pairs;
  pairs.reserve(std::min(map.size(), kMaxLabelsPerAlert));
  size_t count = 0;
  for (const auto& member : map) {
    if (!member.value().is_string()) return core::Invalid("must be a string", path.Of(member.key()));
    std::string_view name = member.key();
    std::string_view value = member.value().get_string();
    if (value.empty()) continue;
    ++count;
    if (rejection) continue;  // keep checking types only
    if (count > kMaxLabelsPerAlert) {
      rejection = FieldError{path.Map(), std::string(prefix) + "more than " + std::to_string(kMaxLabelsPerAlert) +
                                             (kind == MapKind::kLabels ? " labels" : " annotations")};
    } else if (name.size() > kMaxLabelNameBytes) {
      // The map is named rather than the member so that the pointer stays short.
      rejection = FieldError{path.Map(), std::string(prefix) + "name " + Quote(name) + " longer than " +
                                             std::to_string(kMaxLabelNameBytes) + " bytes"};
    } else if (!IsValidLabelName(name)) {
      rejection = FieldError{path.Of(name), std::string(prefix) + "invalid name " + Quote(name)};
    } else if (value.size() > kMaxLabelValueBytes) {
      rejection = FieldError{path.Of(name), std::string(prefix) + "value of " + Quote(name) + " longer than " +
                                                std::to_string(kMaxLabelValueBytes) + " bytes"};
    } else if (!core::IsValidUtf8(value)) {
      rejection = FieldError{path.Of(name), std::string(prefix) + "invalid value " + Quote(value)};
    } else {
      pairs.emplace_back(std::string(name), std::string(value));
    }
  }
  if (!rejection) out = core::LabelSet::FromUnsorted(std::move(pairs));
  return core::Ok();
}

// Reads one element of the postable array into `alert`, or into `rejection` when it fails validation.
core::Status ReadPostableAlert(const json::value& element, size_t index, PostableAlert& alert,
                               std::optional<FieldError>& rejection) {
  if (!element.is_object()) return core::Invalid("must be an object", "/" + std::to_string(index));
  // One pass over the members instead of a search per field. A key sent twice is one member here: the parser
  // keeps the last value.
  const json::value* labels = nullptr;
  const json::value* annotations = nullptr;
  const json::value* starts_at = nullptr;
  const json::value* ends_at = nullptr;
  const json::value* generator_url = nullptr;
  for (const auto& member : element.get_object()) {
    const std::string_view key = member.key();
    if (key == "labels") {
      labels = &member.value();
    } else if (key == "annotations") {
      annotations = &member.value();
    } else if (key == "startsAt") {
      starts_at = &member.value();
    } else if (key == "endsAt") {
      ends_at = &member.value();
    } else if (key == "generatorURL") {
      generator_url = &member.value();
    }
  }
  auto parent = [index] { return "/" + std::to_string(index); };

  if (labels == nullptr || labels->is_null()) return core::Invalid("is required", Pointer(parent(), "labels"));
  if (!labels->is_object()) return core::Invalid("must be an object", Pointer(parent(), "labels"));

  auto starts = ReadTime(starts_at, "startsAt", parent);
  if (!starts.ok()) return starts.error();
  auto ends = ReadTime(ends_at, "endsAt", parent);
  if (!ends.ok()) return ends.error();
  alert.starts_at = *starts;
  alert.ends_at = *ends;

  auto url = ReadString(generator_url, "generatorURL", parent);
  if (!url.ok()) return url.error();
  if (!url->empty() && !IsAbsoluteUri(*url)) {
    return core::Invalid("must be an absolute URI: " + Quote(*url), Pointer(parent(), "generatorURL"));
  }
  alert.generator_url = std::move(*url);

  // Alertmanager checks the times before the labels; its Validate returns the first fault only.
  if (alert.starts_at && alert.ends_at && *alert.ends_at < *alert.starts_at) {
    rejection = FieldError{Pointer(parent(), "endsAt"), "start time must be before end time"};
  }

  const MapPath labels_path{index, "labels"};
  if (auto s = ReadPostableMap(labels->get_object(), labels_path, MapKind::kLabels, alert.labels, rejection);
      !s.ok()) {
    return s;
  }
  if (!rejection && alert.labels.empty()) rejection = FieldError{labels_path.Map(), "at least one label pair required"};

  if (annotations != nullptr && !annotations->is_null()) {
    if (!annotations->is_object()) return core::Invalid("must be an object", Pointer(parent(), "annotations"));
    if (auto s = ReadPostableMap(annotations->get_object(), MapPath{index, "annotations"}, MapKind::kAnnotations,
                                 alert.annotations, rejection);
        !s.ok()) {
      return s;
    }
  }
  return core::Ok();
}

// Reads a webhook label or annotation map: absent or null is empty; values are taken as Alertmanager sent them.
core::Result<core::LabelSet> ReadWebhookMap(const json::object& obj, std::string_view key, const std::string& parent) {
  auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null()) return core::LabelSet();
  const std::string path = Pointer(parent, key);
  if (!it->value().is_object()) return core::Invalid("must be an object", path);
  const json::object& map = it->value().get_object();
  std::vector<core::Label> pairs;
  pairs.reserve(map.size());
  for (const auto& member : map) {
    if (!member.value().is_string()) return core::Invalid("must be a string", Pointer(path, member.key()));
    pairs.emplace_back(std::string(member.key()), std::string(member.value().get_string()));
  }
  return core::LabelSet::FromUnsorted(std::move(pairs));
}

// "firing" → true, "resolved" → false.
core::Result<bool> ReadStatus(const json::object& obj, const std::string& parent) {
  auto it = obj.find("status");
  if (it != obj.end() && it->value().is_string()) {
    const json::string& s = it->value().get_string();
    if (s == "firing") return true;
    if (s == "resolved") return false;
  }
  return core::Invalid("must be \"firing\" or \"resolved\"", Pointer(parent, "status"));
}

std::optional<uint64_t> ParseFingerprint(std::string_view hex) {
  if (hex.size() != 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : hex) {
    uint64_t digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    v = v << 4 | digit;
  }
  return v;
}

core::Result<WebhookAlert> ReadWebhookAlert(const json::value& element, size_t index) {
  const std::string parent = "/alerts/" + std::to_string(index);
  if (!element.is_object()) return core::Invalid("must be an object", parent);
  const json::object& obj = element.get_object();
  WebhookAlert alert;

  auto status = ReadStatus(obj, parent);
  if (!status.ok()) return status.error();
  alert.firing = *status;

  auto labels_it = obj.find("labels");
  if (labels_it == obj.end() || !labels_it->value().is_object()) {
    return core::Invalid("must be an object", Pointer(parent, "labels"));
  }
  auto labels = ReadWebhookMap(obj, "labels", parent);
  if (!labels.ok()) return labels.error();
  alert.labels = std::move(*labels);
  auto annotations = ReadWebhookMap(obj, "annotations", parent);
  if (!annotations.ok()) return annotations.error();
  alert.annotations = std::move(*annotations);

  auto starts = ReadTime(obj, "startsAt", parent);
  if (!starts.ok()) return starts.error();
  alert.starts_at = *starts;
  auto ends = ReadTime(obj, "endsAt", parent);
  if (!ends.ok()) return ends.error();
  alert.ends_at = *ends;

  auto url = ReadString(obj, "generatorURL", parent);
  if (!url.ok()) return url.error();
  alert.generator_url = std::move(*url);

  auto fp = obj.find("fingerprint");
  if (fp == obj.end() || fp->value().is_null()) {
    alert.fingerprint = alert.labels.Fingerprint();
  } else {
    std::optional<uint64_t> parsed;
    if (fp->value().is_string()) parsed = ParseFingerprint(fp->value().get_string());
    if (!parsed) return core::Invalid("must be 16 hex digits", Pointer(parent, "fingerprint"));
    alert.fingerprint = *parsed;
  }
  return alert;
}

}  // namespace

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

core::Result<PostableBatch> ParsePostableAlerts(const json::value& body) {
  if (!body.is_array()) return core::Invalid("the body must be a JSON array of alerts");
  const json::array& elements = body.get_array();
  if (elements.size() > kMaxAlertsPerRequest) {
    return core::Invalid("at most " + std::to_string(kMaxAlertsPerRequest) + " alerts per request");
  }
  PostableBatch batch;
  batch.alerts.reserve(elements.size());
  for (size_t i = 0; i < elements.size(); ++i) {
    PostableAlert alert;
    std::optional<FieldError> rejection;
    if (auto s = ReadPostableAlert(elements[i], i, alert, rejection); !s.ok()) return s.error();
    if (rejection) {
      batch.rejected.push_back(std::move(*rejection));
    } else {
      batch.alerts.push_back(std::move(alert));
    }
  }
  return batch;
}

core::Result<WebhookPayload> ParseWebhookV4(const json::value& body) {
  if (!body.is_object()) return core::Invalid("the webhook payload must be a JSON object");
  const json::object& obj = body.get_object();
  const std::string root;
  WebhookPayload payload;

  auto version = obj.find("version");
  if (version == obj.end() || !version->value().is_string() || version->value().get_string() != "4") {
    return core::Invalid("must be \"4\"", "/version");
  }

  auto group_key = ReadString(obj, "groupKey", root);
  if (!group_key.ok()) return group_key.error();
  if (group_key->empty()) return core::Invalid("is required", "/groupKey");
  payload.group_key = std::move(*group_key);

  auto status = ReadStatus(obj, root);
  if (!status.ok()) return status.error();
  payload.firing = *status;

  auto receiver = ReadString(obj, "receiver", root);
  if (!receiver.ok()) return receiver.error();
  payload.receiver = std::move(*receiver);
  auto external_url = ReadString(obj, "externalURL", root);
  if (!external_url.ok()) return external_url.error();
  payload.external_url = std::move(*external_url);

  for (auto [key, target] : {std::pair{"groupLabels", &payload.group_labels},
                             std::pair{"commonLabels", &payload.common_labels},
                             std::pair{"commonAnnotations", &payload.common_annotations}}) {
    auto map = ReadWebhookMap(obj, key, root);
    if (!map.ok()) return map.error();
    *target = std::move(*map);
  }

  if (auto truncated = obj.find("truncatedAlerts"); truncated != obj.end() && !truncated->value().is_null()) {
    const json::value& v = truncated->value();
    if (v.is_int64() && v.get_int64() >= 0) {
      payload.truncated_alerts = v.get_int64();
    } else if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      payload.truncated_alerts = static_cast<int64_t>(v.get_uint64());
    } else {
      return core::Invalid("must be a non-negative integer", "/truncatedAlerts");
    }
  }

  auto alerts = obj.find("alerts");
  if (alerts == obj.end() || !alerts->value().is_array()) return core::Invalid("must be an array", "/alerts");
  const json::array& elements = alerts->value().get_array();
  if (elements.size() > kMaxAlertsPerRequest) {
    return core::Invalid("must have at most " + std::to_string(kMaxAlertsPerRequest) + " alerts", "/alerts");
  }
  payload.alerts.reserve(elements.size());
  for (size_t i = 0; i < elements.size(); ++i) {
    auto alert = ReadWebhookAlert(elements[i], i);
    if (!alert.ok()) return alert.error();
    payload.alerts.push_back(std::move(*alert));
  }
  return payload;
}

}  // namespace ingest
