// Internal: the labelled alerts (Alertmanager's API and webhooks) copied out of the engine's state for the alert
// reads, GET /api/v2/alerts (alertmanager_handlers.cpp) and GET /api/v1/alerts (alerts_handlers.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/matcher.h"
#include "core/time.h"
#include "domain/correlate/model.h"
#include "http/exchange.h"

namespace http {

// GET /api/v2/alerts (and groups) filters.
struct AlertFilter {
  bool active = true;
  bool silenced = true;
  bool inhibited = true;
  bool unprocessed = true;
  std::vector<core::Matcher> matchers;
  std::optional<core::Matcher> receiver;
};

// One alert copied out of the state.
struct AlertCopy {
  uint64_t key = 0;  // its identity (Model::alerts key)
  correlate::LabeledAlert alert;
  correlate::Content content;
  std::vector<std::string> silenced_by;  // the silences muting it at `now`
  std::string window;  // the maintenance window holding it out of incidents, if one is
};

// The held labelled alerts the filter keeps, oldest first (by starts_at). Takes the engine's shared lock a chunk of
// alerts at a time; call it on the blocking pool.
std::vector<AlertCopy> SelectAlerts(Context& ctx, const AlertFilter& filter, core::Timestamp now);

}  // namespace http
