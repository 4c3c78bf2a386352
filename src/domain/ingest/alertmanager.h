// Alertmanager's wire formats: the postable alerts of `POST /api/v2/alerts` and the version-4 webhook payload, parsed
// and validated the way Alertmanager 0.25 and Prometheus validate them. Pure: no clock, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/labels.h"
#include "core/result.h"
#include "core/time.h"
#include "domain/ingest/event.h"

namespace ingest {

// One postable alert. Times are what the client sent: nullopt when absent, null, "", or Go's zero time
// "0001-01-01T00:00:00Z" in any spelling (amtool's "unset"; any instant before year 2 counts). Applying defaults
// (startsAt = now, endsAt = now + resolve_timeout) needs `now` and belongs to the caller.
struct PostableAlert {
  core::LabelSet labels;       // empty-valued labels already dropped
  core::LabelSet annotations;  // empty-valued annotations kept out as well
  std::optional<core::Timestamp> starts_at;
  std::optional<core::Timestamp> ends_at;
  std::string generator_url;
};

// The result of a batch: the alerts that passed validation (input order) and one error per alert that did not.
struct PostableBatch {
  std::vector<PostableAlert> alerts;
  // field is a JSON pointer into the body ("/3/labels/1bad", "/0/endsAt"); message is Alertmanager's wording
  // ("at least one label pair required", "invalid label set: invalid name \"1bad\"",
  // "start time must be before end time", ...).
  std::vector<FieldError> rejected;
};

// Limits that keep one request's cost bounded.
constexpr size_t kMaxAlertsPerRequest = 10000;
constexpr size_t kMaxLabelsPerAlert = 128;
constexpr size_t kMaxLabelNameBytes = 1024;
constexpr size_t kMaxLabelValueBytes = 16384;

// Parses the body of POST /api/v2/alerts. Structural faults reject the whole request (kInvalid with the field, nothing
// accepted), as Alertmanager's decoder does: the body is not an array, an element is not an object, `labels` missing
// or not an object, a label/annotation value that is not a string, a time that is not RFC 3339, generatorURL not a
// string or not an absolute URI, more than kMaxAlertsPerRequest alerts. Per-alert validation faults (empty label
// set, invalid label or annotation name, ends before starts, over-long names/values, too many labels or annotations,
// a value that is not UTF-8) reject only that alert, into `rejected`; each rejected alert gets its first fault.
// Unknown fields are ignored.
core::Result<PostableBatch> ParsePostableAlerts(const boost::json::value& body);

// Prometheus's classic label-name rule: [a-zA-Z_][a-zA-Z0-9_]*.
bool IsValidLabelName(std::string_view name);

// One alert of an Alertmanager webhook notification.
struct WebhookAlert {
  bool firing = true;          // status "firing" (true) or "resolved" (false)
  core::LabelSet labels;
  core::LabelSet annotations;
  std::optional<core::Timestamp> starts_at;  // nullopt for Go's zero time
  std::optional<core::Timestamp> ends_at;    // nullopt for Go's zero time (an open alert)
  std::string generator_url;
  uint64_t fingerprint = 0;    // from the payload's 16-hex "fingerprint"; computed from labels when absent
};

// An Alertmanager webhook payload, version "4".
struct WebhookPayload {
  std::string group_key;
  bool firing = true;  // top-level status
  std::string receiver;
  core::LabelSet group_labels;
  core::LabelSet common_labels;
  core::LabelSet common_annotations;
  std::string external_url;
  int64_t truncated_alerts = 0;
  std::vector<WebhookAlert> alerts;
};

// kInvalid naming the field for: not an object, version other than "4", missing or empty groupKey, status not
// firing/resolved, alerts not an array (or more than kMaxAlertsPerRequest), an alert without a label object, a
// non-string label value, an unparseable time, a fingerprint that is not 16 hex digits, a string member (receiver,
// externalURL, generatorURL) of another type, a truncatedAlerts that is not a non-negative integer. Unknown fields
// (routeLabels, notification_reason, ...) are tolerated.
core::Result<WebhookPayload> ParseWebhookV4(const boost::json::value& body);

}  // namespace ingest
