#include "domain/correlate/topology.h"

#include <algorithm>
#include <deque>
#include <unordered_set>

#include "domain/correlate/silence.h"
#include "journal/codec.h"

namespace correlate {
namespace {

constexpr const char* kHostRule = "host-dependency";
constexpr const char* kSegmentRule = "segment-dependency";
constexpr const char* kServiceRule = "service-dependency";
constexpr uint8_t kTopologyFormat = 1;

std::string_view StripPort(std::string_view v) {
  // "db-1:9100" → "db-1"; "[::1]:9100" → "::1"; a bare IPv6 address stays as it is.
  if (!v.empty() && v.front() == '[') {
    size_t close = v.find(']');
    if (close != std::string_view::npos) return v.substr(1, close - 1);
  }
  size_t colon = v.rfind(':');
  if (colon != std::string_view::npos && v.find(':') == colon) return v.substr(0, colon);
  return v;
}

core::Error Bad(const std::string& key, const std::string& message) {
  return core::Invalid("topology." + key + ": " + message, "/topology/" + key);
}

}  // namespace

const char* ToString(NodeKind kind) {
  switch (kind) {
    case NodeKind::kService: return "service";
    case NodeKind::kHost: return "host";
    case NodeKind::kSegment: return "segment";
  }
  return "service";
}

uint64_t NodeId(NodeKind kind, std::string_view name) {
  std::string key = ToString(kind);
  key += ':';
  key += name;
  return core::Fnv1a64(key);
}

core::Result<Topology> Topology::Make(TopologyConfig config) {
  Topology t;
  auto add = [&](NodeKind kind, const std::string& name, const std::string& key) -> core::Status {
    if (name.empty()) return Bad(key + ".name", "must not be empty");
    auto [it, fresh] = t.nodes_.try_emplace(NodeId(kind, name));
    if (!fresh) return Bad(key + ".name", std::string("duplicate ") + ToString(kind) + " '" + name + "'");
    it->second.kind = kind;
    it->second.name = name;
    return core::Ok();
  };
  for (size_t i = 0; i < config.segments.size(); ++i) {
    if (auto st = add(NodeKind::kSegment, config.segments[i].name, "segments[" + std::to_string(i) + "]"); !st.ok()) {
      return st.error();
    }
  }
  for (size_t i = 0; i < config.hosts.size(); ++i) {
    const auto& h = config.hosts[i];
    std::string key = "hosts[" + std::to_string(i) + "]";
    if (auto st = add(NodeKind::kHost, h.name, key); !st.ok()) return st.error();
    uint64_t id = NodeId(NodeKind::kHost, h.name);
    if (!h.segment.empty()) {
      uint64_t seg = NodeId(NodeKind::kSegment, h.segment);
      if (t.nodes_.count(seg) == 0) return Bad(key + ".segment", "unknown segment '" + h.segment + "'");
      t.nodes_[id].up.emplace_back(seg, kSegmentRule);
    }
    for (const std::string& name : [&] {
           std::vector<std::string> all{h.name};
           all.insert(all.end(), h.aliases.begin(), h.aliases.end());
           return all;
         }()) {
      auto [it, fresh] = t.host_alias_.try_emplace(name, id);
      if (!fresh && it->second != id) return Bad(key + ".aliases", "'" + name + "' already names another host");
    }
  }
  for (size_t i = 0; i < config.services.size(); ++i) {
    if (auto st = add(NodeKind::kService, config.services[i].name, "services[" + std::to_string(i) + "]");
        !st.ok()) {
      return st.error();
    }
  }
  for (size_t i = 0; i < config.services.size(); ++i) {
    const auto& s = config.services[i];
    std::string key = "services[" + std::to_string(i) + "]";
    Node& node = t.nodes_[NodeId(NodeKind::kService, s.name)];
    for (const auto& h : s.hosts) {
      uint64_t id = NodeId(NodeKind::kHost, h);
      if (t.nodes_.count(id) == 0) return Bad(key + ".hosts", "unknown host '" + h + "'");
      node.up.emplace_back(id, kHostRule);
    }
    for (const auto& d : s.depends_on) {
      uint64_t id = NodeId(NodeKind::kService, d);
      if (t.nodes_.count(id) == 0) return Bad(key + ".depends_on", "unknown service '" + d + "'");
      if (d == s.name) return Bad(key + ".depends_on", "a service cannot depend on itself");
      node.up.emplace_back(id, kServiceRule);
    }
  }
  // Dependency cycles would make a service its own parent: refuse them.
  for (size_t i = 0; i < config.services.size(); ++i) {
    uint64_t start = NodeId(NodeKind::kService, config.services[i].name);
    std::deque<uint64_t> queue{start};
    std::unordered_set<uint64_t> seen;
    while (!queue.empty()) {
      uint64_t n = queue.front();
      queue.pop_front();
      for (const auto& [up, rule] : t.nodes_[n].up) {
        if (up == start) {
          return Bad("services[" + std::to_string(i) + "].depends_on",
                     "dependency cycle through '" + config.services[i].name + "'");
        }
        if (seen.insert(up).second) queue.push_back(up);
      }
    }
  }
  for (size_t i = 0; i < config.failures.size(); ++i) {
    const auto& f = config.failures[i];
    std::string key = "failures[" + std::to_string(i) + "]";
    if (f.name.empty()) return Bad(key + ".rule", "must not be empty");
    if (f.matchers.empty()) return Bad(key + ".matchers", "at least one matcher is needed");
    if (f.kind == NodeKind::kSegment && f.node_label.empty()) {
      return Bad(key + ".node_label", "a segment rule must name the label that names the segment");
    }
  }
  // Reverse edges, transitively: every node that depends on each node, with the rule of the edge into it.
  for (const auto& [id, node] : t.nodes_) {
    std::deque<std::pair<uint64_t, const char*>> queue;
    std::unordered_set<uint64_t> seen{id};
    for (const auto& [up, rule] : node.up) queue.emplace_back(up, rule);
    // Walk up from `id`: `id` depends on everything reached; record it under each ancestor with the rule of the
    // edge into that ancestor.
    while (!queue.empty()) {
      auto [up, rule] = queue.front();
      queue.pop_front();
      if (!seen.insert(up).second) continue;
      t.dependents_[up].push_back(Parent{id, rule, ToString(node.kind) + std::string(" ") + node.name});
      for (const auto& [next, next_rule] : t.nodes_[up].up) queue.emplace_back(next, next_rule);
    }
  }
  for (auto& [id, list] : t.dependents_) {
    std::sort(list.begin(), list.end(), [](const Parent& a, const Parent& b) { return a.node < b.node; });
  }
  t.config_ = std::move(config);
  return t;
}

uint64_t Topology::HostNamed(std::string_view value) const {
  if (value.empty()) return 0;
  auto it = host_alias_.find(std::string(value));
  if (it == host_alias_.end()) it = host_alias_.find(std::string(StripPort(value)));
  return it == host_alias_.end() ? 0 : it->second;
}

Topology::Subject Topology::SubjectOf(std::string_view service, const core::LabelSet& labels) const {
  Subject s;
  if (empty()) return s;
  for (const auto& name : config_.host_labels) {
    if (uint64_t h = HostNamed(labels.Get(name)); h != 0) {
      s.host = h;
      break;
    }
  }
  for (const auto& rule : config_.failures) {
    bool all = std::all_of(rule.matchers.begin(), rule.matchers.end(),
                           [&](const core::Matcher& m) { return m.Matches(labels); });
    if (!all) continue;
    uint64_t node = 0;
    switch (rule.kind) {
      case NodeKind::kHost:
        node = rule.node_label.empty() ? s.host : HostNamed(labels.Get(rule.node_label));
        break;
      case NodeKind::kSegment: {
        uint64_t id = NodeId(NodeKind::kSegment, labels.Get(rule.node_label));
        node = nodes_.count(id) ? id : 0;
        break;
      }
      case NodeKind::kService: {
        std::string_view name = rule.node_label.empty() ? service : labels.Get(rule.node_label);
        node = NodeId(NodeKind::kService, name);
        break;
      }
    }
    if (node == 0) continue;  // the rule matched but names no node we know
    s.node = node;
    s.failure = true;
    s.rule = rule.name;
    return s;
  }
  s.node = NodeId(NodeKind::kService, service);
  return s;
}

std::vector<Parent> Topology::Ancestors(uint64_t node, uint64_t host) const {
  std::vector<Parent> out;
  if (node == 0) return out;
  std::deque<std::pair<uint64_t, const char*>> queue;
  auto it = nodes_.find(node);
  const bool service = it == nodes_.end() || it->second.kind == NodeKind::kService;
  if (service && host != 0) {
    // The alert names its host: that host (not every host of the service) and the service's upstream services.
    queue.emplace_back(host, kHostRule);
    if (it != nodes_.end()) {
      for (const auto& [up, rule] : it->second.up) {
        if (nodes_.at(up).kind == NodeKind::kService) queue.emplace_back(up, rule);
      }
    }
  } else if (it != nodes_.end()) {
    for (const auto& [up, rule] : it->second.up) queue.emplace_back(up, rule);
  }
  std::unordered_set<uint64_t> seen{node};
  while (!queue.empty()) {
    auto [id, rule] = queue.front();
    queue.pop_front();
    if (!seen.insert(id).second) continue;
    const Node& n = nodes_.at(id);
    out.push_back(Parent{id, rule, ToString(n.kind) + std::string(" ") + n.name});
    for (const auto& [up, up_rule] : n.up) queue.emplace_back(up, up_rule);
  }
  return out;
}

const std::vector<Parent>& Topology::Dependents(uint64_t node) const {
  static const std::vector<Parent> kNone;
  auto it = dependents_.find(node);
  return it == dependents_.end() ? kNone : it->second;
}

std::string Topology::Describe(uint64_t node) const {
  auto it = nodes_.find(node);
  if (it == nodes_.end()) return {};
  return ToString(it->second.kind) + std::string(" ") + it->second.name;
}

std::string EncodeTopology(const TopologyConfig& c) {
  journal::Writer w;
  w.U8(kTopologyFormat);
  w.I64(c.window.count());
  w.Bool(c.join_while_failing);
  auto strs = [&](const std::vector<std::string>& v) {
    w.U64(v.size());
    for (const auto& s : v) w.Str(s);
  };
  strs(c.host_labels);
  w.U64(c.segments.size());
  for (const auto& s : c.segments) w.Str(s.name);
  w.U64(c.hosts.size());
  for (const auto& h : c.hosts) {
    w.Str(h.name);
    w.Str(h.segment);
    strs(h.aliases);
  }
  w.U64(c.services.size());
  for (const auto& s : c.services) {
    w.Str(s.name);
    strs(s.hosts);
    strs(s.depends_on);
  }
  w.U64(c.failures.size());
  for (const auto& f : c.failures) {
    w.Str(f.name);
    w.U8(static_cast<uint8_t>(f.kind));
    w.Str(f.node_label);
    WriteMatchers(w, f.matchers);
  }
  return w.Take();
}

core::Result<TopologyConfig> DecodeTopology(std::string_view bytes) {
  journal::Reader r(bytes);
  TopologyConfig c;
  if (r.U8() != kTopologyFormat) return core::Corrupt("unknown topology format");
  c.window = core::Duration(r.I64());
  c.join_while_failing = r.Bool();
  auto strs = [&] {
    std::vector<std::string> v;
    uint64_t n = r.U64();
    for (uint64_t i = 0; i < n && r.ok(); ++i) v.push_back(r.Str());
    return v;
  };
  c.host_labels = strs();
  uint64_t n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) c.segments.push_back({r.Str()});
  n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    TopologyConfig::Host h;
    h.name = r.Str();
    h.segment = r.Str();
    h.aliases = strs();
    c.hosts.push_back(std::move(h));
  }
  n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    TopologyConfig::Service s;
    s.name = r.Str();
    s.hosts = strs();
    s.depends_on = strs();
    c.services.push_back(std::move(s));
  }
  n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    TopologyConfig::FailureRule f;
    f.name = r.Str();
    uint8_t kind = r.U8();
    f.kind = kind <= 2 ? static_cast<NodeKind>(kind) : NodeKind::kHost;
    f.node_label = r.Str();
    if (auto st = ReadMatchers(r, f.matchers); !st.ok()) return st.error().WithContext("topology");
    c.failures.push_back(std::move(f));
  }
  if (auto st = r.Finish("topology"); !st.ok()) return st.error();
  return c;
}

}  // namespace correlate
