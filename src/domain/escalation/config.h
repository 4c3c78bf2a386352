// Who gets paged, how and when: people and their contact methods, teams, escalation policies, the routing rules that
// pick a policy for an incident, per-service paging facts (time zone, business hours, criticality), and fire drills.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/correlate/recurrence.h"
#include "domain/oncall/schedule.h"

namespace escalation {

// One way to reach a person: a configured channel (by name), an address on it (email address, or a URL replacing
// the channel's own; empty = the channel's), and how long after the person is paged to use it.
struct Contact {
  std::string channel;
  std::string address;
  core::Duration delay{0};
};
struct Person {
  std::string name;
  std::vector<Contact> contacts;  // each one used at its delay after the page, unless acknowledged by then
};

enum class TargetKind : uint8_t { kUser, kSchedule, kTeam };
struct Target {
  TargetKind kind = TargetKind::kUser;
  std::string name;
};
// Written "user:alice", "schedule:primary", "team:dba" (a bare name is a user).
core::Result<Target> ParseTarget(std::string_view text);
std::string ToString(const Target& target);

struct Step {
  core::Duration delay{0};      // how long after the previous step (the first: after the escalation starts)
  std::vector<Target> targets;
};
struct Policy {
  std::string name;
  std::vector<Step> steps;
  uint32_t repeat = 0;          // run the steps this many more times when the last one got no acknowledgement
  core::Duration repeat_delay{std::chrono::minutes(5)};  // from the last step to the first step of the next round
};

enum class Hours : uint8_t { kAny, kBusiness, kOffHours };

// Matches an incident when every non-empty condition holds (lists: any of). The first matching rule picks the policy.
struct RouteRule {
  std::string name;
  std::vector<std::string> services;
  std::vector<std::string> severities;     // critical, error, warning, info
  std::vector<std::string> categories;     // the incident's category
  std::vector<std::string> criticalities;  // the service's criticality (tier-1, ...)
  Hours hours = Hours::kAny;               // business hours or not, in the service's time zone
  std::string policy;
};

// Per service: where its business hours are read, which they are, and how critical it is.
struct ServicePaging {
  std::string service;
  std::string time_zone = "UTC";
  std::vector<std::string> business_hours{"Mon-Fri 09:00-17:00"};  // oncall restriction syntax, local time
  std::string criticality;
};

// A scheduled test of the paging chain: at each occurrence a synthetic event is injected at the source for the
// service; it passes when a notification is delivered and the incident acknowledged within `sla`.
struct Drill {
  std::string name;
  std::string service;         // the service the synthetic event goes to (its first routing key)
  correlate::Recurrence when;  // start_local, time_zone, rrule; duration unused
  core::Duration sla{std::chrono::minutes(5)};
  std::string report_service;  // where a failed drill opens its incident; empty = `service`
  std::string severity = "critical";
};

struct ConfigInput {
  std::vector<Person> people;
  std::map<std::string, std::vector<std::string>> teams;  // team → members
  std::vector<Policy> policies;
  std::vector<RouteRule> routes;
  std::vector<ServicePaging> services;
  std::vector<Drill> drills;
  std::vector<oncall::Schedule> schedules;
  std::vector<std::string> channels;      // configured channel names (contacts must name one)
  std::vector<std::string> known_services;  // incident services (routes, drills and paging facts must name one)
  core::Duration retry_base{std::chrono::seconds(10)};
  core::Duration retry_cap{std::chrono::minutes(10)};
  core::Duration give_up_after{std::chrono::hours(24)};
};

// Immutable after Make; read by the writer thread (and the HTTP edge, for display).
class Config {
 public:
  Config() = default;
  // kInvalid naming the field: "/escalation_policies/night/steps/1/targets/0" for an unknown target,
  // "/routing/2/policy", "/people/alice/contacts/0/channel", "/services/checkout/business_hours/0", "/drills/0/rrule".
  static core::Result<Config> Make(ConfigInput input);

  const Person* FindPerson(std::string_view name) const;
  const Policy* FindPolicy(std::string_view name) const;
  const oncall::Schedule* FindSchedule(std::string_view name) const;
  const std::vector<std::string>* FindTeam(std::string_view name) const;
  const Drill* FindDrill(std::string_view name) const;
  const ServicePaging* FindService(std::string_view name) const;
  // Whether `t` is within the service's business hours (services without paging facts: Mon-Fri 09:00-17:00 UTC).
  bool BusinessHours(std::string_view service, core::Timestamp t) const;
  // Occurrence times of the drill at or after `t` (nullopt: none left).
  std::optional<core::Timestamp> NextDrill(std::string_view drill, core::Timestamp t) const;

  const std::vector<RouteRule>& routes() const { return in_.routes; }
  const std::vector<Policy>& policies() const { return in_.policies; }
  const std::vector<Person>& people() const { return in_.people; }
  const std::vector<Drill>& drills() const { return in_.drills; }
  const std::vector<oncall::Schedule>& schedules() const { return in_.schedules; }
  core::Duration retry_base() const { return in_.retry_base; }
  core::Duration retry_cap() const { return in_.retry_cap; }
  core::Duration give_up_after() const { return in_.give_up_after; }
  bool empty() const { return in_.policies.empty() && in_.drills.empty(); }

 private:
  ConfigInput in_;
  std::map<std::string, oncall::Schedule, std::less<>> hours_;           // service → business-hours calendar
  std::map<std::string, correlate::Schedule, std::less<>> drill_times_;  // drill → occurrences
  std::optional<oncall::Schedule> default_hours_;
};

const char* ToString(Hours hours);

}  // namespace escalation
