// Shared responder pools' state: every standing request of an incident for a pool (holding a slot or waiting), and
// the recent yields per pool; the fold of pool records into it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "journal/record.h"

namespace pools {

// One incident's standing request for one pool.
struct Request {
  uint64_t incident_id = 0;
  std::string pool;
  uint8_t priority = 5;  // 1 (P1) .. 5
  std::string severity;
  std::string reason;
  std::string unit;      // business unit whose expectation applies
  int64_t expect_ms = 0;  // 0: none
  std::string note;
  std::string requested_by;
  int64_t requested_ms = 0;
  int64_t assigned_ms = 0;  // 0: waiting
  bool breached = false;
  std::vector<uint64_t> conflict_with;  // lower-priority holders when it had to wait (empty: no conflict)
  bool holding() const { return assigned_ms != 0; }
  friend bool operator==(const Request&, const Request&) = default;
};

// A yield, as the queue view lists the recent ones.
struct YieldRecord {
  uint64_t from = 0;
  uint64_t to = 0;
  std::string reason;
  std::string actor;
  int64_t at_ms = 0;
  friend bool operator==(const YieldRecord&, const YieldRecord&) = default;
};

constexpr size_t kYieldsKept = 50;  // per pool, newest last

struct Model {
  std::map<std::pair<std::string, uint64_t>, Request> requests;  // (pool, incident) → request
  std::map<std::string, std::deque<YieldRecord>> yields;          // pool → recent yields
  const Request* Find(std::string_view pool, uint64_t incident_id) const;
  // The pool's requests holding a slot, by assignment time then incident.
  std::vector<const Request*> Holders(std::string_view pool) const;
  // The pool's waiting requests in queue order: priority, then request time, then incident id.
  std::vector<const Request*> Waiting(std::string_view pool) const;
  // The incident's requests (any pool), by pool name.
  std::vector<const Request*> OfIncident(uint64_t incident_id) const;
  friend bool operator==(const Model&, const Model&) = default;
};

core::Status Apply(Model& model, const journal::Record& record);
// The incident closed: any request it still has goes (a resolved incident has released them already).
void Forget(Model& model, uint64_t incident_id);
std::string EncodeModel(const Model& model);
core::Result<Model> DecodeModel(std::string_view bytes);

}  // namespace pools
