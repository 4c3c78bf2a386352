// The configuration file (YAML): loading, validation with errors naming file, line and key, and the defaults.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "channels/channel.h"
#include "core/result.h"
#include "domain/correlate/routes.h"
#include "domain/correlate/topology.h"
#include "domain/classify/pipeline.h"
#include "domain/classify/taxonomy.h"
#include "domain/coord/coord.h"
#include "domain/escalation/config.h"
#include "domain/incident/config.h"
#include "domain/oncall/schedule.h"
#include "domain/pools/pools.h"
#include "engine/engine.h"
#include "http/server.h"

namespace app {

struct Config {
  std::string data_dir = "./data";
  // Key `store`: "" or "sqlite" (<data_dir>/incidentd.db, the default) or a postgres:// URL (docs/deploy.md).
  std::string store = {};
  http::ServerOptions http;  // listen address and port (key `listen`), service tokens (`auth`) and users (`users`)
  engine::Options engine;
  incident::Config services;  // with the taxonomy as its classifier
  std::shared_ptr<const classify::Taxonomy> taxonomy;  // key `taxonomy` (default list when absent)
  classify::Config classify;  // services[].slos and the burn-rate rules (key `slo_alerting`)
  correlate::Config alerts;  // key `alertmanager`: routes for Alertmanager's API and webhooks
  correlate::TopologyConfig topology;  // key `topology`: journaled at start and on reload
  std::vector<oncall::Schedule> schedules;  // key `schedules`: on-call schedules (read at start)
  // schedules[].gap_alert_service: schedule name → the service a coverage-gap alert opens on.
  std::map<std::string, std::string> gap_alert_service;

  // Paging (docs/paging.md). `public_url` is the base of the acknowledgement links in messages (default: the
  // listen address over http).
  std::string public_url;
  // Key `cluster.node_url`: where the other nodes reach this one (http://); recorded as the writer's address when
  // this node is the writer, so followers forward writes there. Default: public_url, else the listen address.
  std::string node_url = {};
  std::vector<channels::ChannelConfig> channels;  // key `channels`
  // Keys people, teams, escalation_policies, routing, drills, and the services' time_zone, business_hours and
  // criticality; checked against the schedules and channels.
  escalation::Config paging;
  escalation::ConfigInput paging_input;  // what `paging` was made from (the loader fills it piece by piece)
  struct Delivery {
    size_t workers = 4;                           // deliveries in flight at once
    core::Duration ack_link_ttl = std::chrono::hours(24);  // how long an acknowledgement link works
    std::string ack_secret_env;                   // HMAC key for the links; unset: <data_dir>/ack.key (generated)
  } delivery;
  coord::Config coordination;  // key `coordination`: channel templates, status-update cadence, commander check
  pools::Config pools;         // key `pools`: shared responder pools, capacities, response-time expectations
  // A digest per section of the file (app/config_reload.h), to tell what a reload changes and journal it.
  std::map<std::string, std::string> digests;
};

// Looks up an environment variable; nullptr when unset. Injected so tests need not touch the real environment.
using Getenv = std::function<const char*(const char*)>;

// Reads and validates the file. kInvalid with a message like
// "examples/incidentd.yaml:14: auth.tokens[0].role: must be one of admin, commander, communicator, responder, ingest,
// viewer".
// Unknown keys are errors too (a typo must not silently fall back to a default).
core::Result<Config> LoadConfig(const std::string& path, const Getenv& getenv);
// The same, from text (`name` stands in for the file name in messages).
core::Result<Config> ParseConfig(const std::string& text, const std::string& name, const Getenv& getenv);

// Splits "127.0.0.1:9797" / "[::1]:0" / ":9797" (loopback) into address and port. kInvalid otherwise.
core::Status ParseListen(const std::string& text, std::string& address, uint16_t& port);

}  // namespace app
