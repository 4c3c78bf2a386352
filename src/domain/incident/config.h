// Per-service settings the incident lifecycle needs: routing keys, grouping, acknowledgement timeout, auto-close.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace incident {

struct ServiceConfig {
  std::string name;
  std::vector<std::string> routing_keys;
  // Event fields whose values form the group key: dedup_key, source, component, group, class, severity.
  std::vector<std::string> group_by{"dedup_key"};
  core::Duration ack_timeout{0};                          // 0 = an acknowledgement never expires
  core::Duration auto_close_after{std::chrono::hours(24)};  // 0 = resolved incidents stay until closed by hand
};

// Immutable after construction; read by the writer thread only.
class Config {
 public:
  Config() = default;
  explicit Config(std::vector<ServiceConfig> services) : services_(std::move(services)) {}

  // nullptr when no service has the key.
  const ServiceConfig* ByRoutingKey(std::string_view key) const;
  const ServiceConfig* ByName(std::string_view name) const;
  const std::vector<ServiceConfig>& services() const { return services_; }

 private:
  std::vector<ServiceConfig> services_;
};

// The field names group_by accepts.
bool IsGroupField(std::string_view name);

}  // namespace incident
