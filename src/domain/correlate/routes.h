// Routing of labelled alerts (Alertmanager's API and webhooks) to services: ordered label-matcher routes, the label
// names an incident groups by, and the settings of the labelled-alert path (resolve_timeout, silence retention).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/labels.h"
#include "core/matcher.h"
#include "core/time.h"
#include "domain/ingest/event.h"

namespace correlate {

struct Route {
  std::string service;                  // a configured service
  std::vector<core::Matcher> matchers;  // all must match; none = catch-all
  // Label names whose values form the incident's group key; {"..."} groups by every label (an incident per alert);
  // empty groups everything the route takes into one incident.
  std::vector<std::string> group_by{"alertname"};
  ingest::Severity default_severity = ingest::Severity::kWarning;  // when the alert has no usable `severity` label
};

struct Config {
  core::Duration resolve_timeout = std::chrono::minutes(5);   // an alert without endsAt ends this long after its update
  core::Duration silence_retention = std::chrono::hours(120);  // expired silences stay listed this long
  std::vector<Route> routes;                                    // first match wins

  // nullptr when no route matches.
  const Route* Match(const core::LabelSet& labels) const;
  // The route names for GET /api/v2/receivers: each service once, in route order.
  std::vector<std::string> Receivers() const;
};

// `alertname="X", cluster="c1"` style key from the route's group_by labels.
std::string GroupKey(const Route& route, const core::LabelSet& labels);

// The incident severity a `severity` label means: critical/page/p1 → critical, error/high/major/p2 → error,
// warning/warn/medium/minor/p3 → warning, info/low/none/p4/p5 → info (case-insensitive); otherwise `fallback`.
ingest::Severity SeverityFromLabel(std::string_view value, ingest::Severity fallback);

}  // namespace correlate
