// Service topology: services, the hosts they run on, network segments, their dependencies, and the rules that say an
// alert means a node itself is down. Compiled once per configuration; journaled so replays use the topology of
// their time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/labels.h"
#include "core/matcher.h"
#include "core/result.h"
#include "core/time.h"

namespace correlate {

enum class NodeKind : uint8_t { kService = 0, kHost = 1, kSegment = 2 };
const char* ToString(NodeKind kind);  // "service", "host", "segment"

struct TopologyConfig {
  struct Segment {
    std::string name;
  };
  struct Host {
    std::string name;
    std::string segment;               // optional
    std::vector<std::string> aliases;  // other values a host label may carry (FQDN, address)
  };
  struct Service {
    std::string name;
    std::vector<std::string> hosts;       // hosts it runs on
    std::vector<std::string> depends_on;  // upstream services
  };
  // An alert matching `matchers` says a node of `kind` is down; the node is named by the label `node_label` (for
  // hosts: the host labels when empty, port stripped), or is the alert's own service for kind service.
  struct FailureRule {
    std::string name;
    NodeKind kind = NodeKind::kHost;
    std::vector<core::Matcher> matchers;
    std::string node_label;
  };

  // A dependent's alert joins its failing parent's incident when it arrives at most `window` after the parent's
  // failure began (or at any time while the parent is still failing, with join_while_failing); a dependent's
  // incident opened at most `window` before its parent failed is merged into the parent's.
  core::Duration window = std::chrono::minutes(5);
  bool join_while_failing = true;
  // Labels naming the host an alert is about, first present wins (a ":port" suffix is ignored).
  std::vector<std::string> host_labels{"host", "instance", "hostname", "node", "source"};
  std::vector<Segment> segments;
  std::vector<Host> hosts;
  std::vector<Service> services;
  std::vector<FailureRule> failures;

  bool empty() const { return hosts.empty() && services.empty() && segments.empty(); }
};

// Stable id of a node: FNV-1a of "kind:name".
uint64_t NodeId(NodeKind kind, std::string_view name);

// A parent an alert may be a symptom of: the node, the dependency rule that leads to it, and its display name.
struct Parent {
  uint64_t node = 0;
  const char* rule = "";  // "host-dependency", "segment-dependency", "service-dependency"
  std::string name;       // "host db-1"
};

class Topology {
 public:
  Topology() = default;
  // kInvalid naming the key (topology.hosts[2].segment, ...) for unknown references, duplicate names, dependency
  // cycles, and failure rules without matchers.
  static core::Result<Topology> Make(TopologyConfig config);

  bool empty() const { return config_.empty(); }
  const TopologyConfig& config() const { return config_; }

  struct Subject {
    uint64_t node = 0;     // 0: the alert is about nothing the topology knows
    bool failure = false;  // a failure rule matched
    uint64_t host = 0;     // the known host the alert names (0: none)
    std::string rule;      // the failure rule that matched
  };
  // What an alert of `service` with `labels` is about.
  Subject SubjectOf(std::string_view service, const core::LabelSet& labels) const;
  // The nodes an alert about `node` (naming `host`, 0 if none) may be a symptom of, closest first, each once.
  std::vector<Parent> Ancestors(uint64_t node, uint64_t host) const;
  // The nodes that depend on `node`, directly or through others, each with the rule of its first edge on the way.
  const std::vector<Parent>& Dependents(uint64_t node) const;
  // "host db-1", or "" for an unknown node.
  std::string Describe(uint64_t node) const;
  bool Knows(uint64_t node) const { return nodes_.count(node) != 0; }

 private:
  struct Node {
    NodeKind kind = NodeKind::kService;
    std::string name;
    std::vector<std::pair<uint64_t, const char*>> up;  // direct parents with the edge's rule
  };
  uint64_t HostNamed(std::string_view value) const;

  TopologyConfig config_;
  std::unordered_map<uint64_t, Node> nodes_;
  std::unordered_map<std::string, uint64_t> host_alias_;  // every name and alias of a host → its node
  std::unordered_map<uint64_t, std::vector<Parent>> dependents_;
};

// Compact encoding for the topology.saved record and snapshots.
std::string EncodeTopology(const TopologyConfig& config);
core::Result<TopologyConfig> DecodeTopology(std::string_view bytes);

}  // namespace correlate
