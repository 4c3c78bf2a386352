// What the engine's unit tests share: a one-service configuration and a trigger command for it. Tests only.
#pragma once

#include <chrono>
#include <string>

#include "engine/command.h"
#include "domain/incident/config.h"

namespace engine::testing_util {

// One service, "checkout", routed by "checkout-key", acknowledgements timing out after 30 minutes.
inline incident::Config TestConfig() {
  incident::ServiceConfig s;
  s.name = "checkout";
  s.routing_keys = {"checkout-key"};
  s.ack_timeout = std::chrono::minutes(30);
  return incident::Config({s});
}

// An Events v2 trigger for "checkout" with dedup key `key`, as token:test.
inline Command Trigger(const std::string& key) {
  ingest::Event e;
  e.routing_key = "checkout-key";
  e.dedup_key = key;
  e.summary = "summary " + key;
  e.source = "host";
  return Command{"token:test", SubmitEvent{e}};
}

}  // namespace engine::testing_util
