// Per-service settings the incident lifecycle needs: routing keys, grouping, acknowledgement timeout, auto-close.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/incident/flapping.h"
#include "domain/ingest/event.h"

namespace incident {

struct ServiceConfig {
  std::string name;
  std::vector<std::string> routing_keys;
  // Event fields whose values form the group key: dedup_key, source, component, group, class, severity.
  std::vector<std::string> group_by{"dedup_key"};
  core::Duration ack_timeout{0};                          // 0 = an acknowledgement never expires
  core::Duration auto_close_after{std::chrono::hours(24)};  // 0 = resolved incidents stay until closed by hand
  // Notifications, Alertmanager-style: the first one waits group_wait so alerts arriving together go out together;
  // later ones (new distinct symptoms) at most once per group_interval.
  core::Duration group_wait{std::chrono::seconds(30)};
  core::Duration group_interval{std::chrono::minutes(5)};
  // An open incident takes new alerts of its group key only while the last one joined at most this long ago;
  // after that a new incident opens. 0 = no limit.
  core::Duration group_window{0};
  // A new distinct symptom (service or alert name not seen in the incident) raises its severity to at least this;
  // unset = no raise.
  std::optional<ingest::Severity> new_symptom_severity;
};

// What kind of incident a new one is, and which rule said so.
struct Category {
  std::string category;
  std::string subcategory;
  std::string rule;
};

struct NewAlert;
// Chooses a new incident's category from its opening alert (domain/classify implements it with taxonomy rules).
class Classifier {
 public:
  virtual ~Classifier() = default;
  // False when it has no rules (callers may skip building the alert's labels).
  virtual bool active() const { return true; }
  // Empty category when no rule matches.
  virtual Category Classify(const NewAlert& alert) const = 0;
  // kInvalid naming /category or /subcategory when the taxonomy has no such choice.
  virtual core::Status Check(const std::string& category, const std::string& subcategory) const = 0;
};

// Immutable after construction; read by the writer thread only.
class Config {
 public:
  Config() = default;
  explicit Config(std::vector<ServiceConfig> services, FlapSettings flapping = {},
                  std::shared_ptr<const Classifier> classifier = nullptr)
      : services_(std::move(services)), flapping_(flapping), classifier_(std::move(classifier)) {}

  // nullptr when no service has the key.
  const ServiceConfig* ByRoutingKey(std::string_view key) const;
  const ServiceConfig* ByName(std::string_view name) const;
  const std::vector<ServiceConfig>& services() const { return services_; }
  const FlapSettings& flapping() const { return flapping_; }
  const Classifier* classifier() const { return classifier_.get(); }

 private:
  std::vector<ServiceConfig> services_;
  FlapSettings flapping_;
  std::shared_ptr<const Classifier> classifier_;
};

// The field names group_by accepts.
bool IsGroupField(std::string_view name);

}  // namespace incident
