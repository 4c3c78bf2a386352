// incidentctl: the command-line client of incidentd's HTTP API.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <functional>
#include <iostream>
#include <limits.h>

#include "cli/commands.h"
#include "cli/http_transport.h"
#ifdef INCIDENTCTL_OFFLINE_VERIFY
#include "cli/offline_verify.h"
#endif

namespace {

constexpr auto kRequestTimeout = std::chrono::seconds(30);

core::Timestamp Now() {
  return std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
}

std::string HostName() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "incidentctl";
  return name;
}

}  // namespace

int main(int argc, char** argv) {
  using cli::Console;
  using cli::Transport;

  CLI::App app{"Command-line client of an incidentd server.", "incidentctl"};
  app.fallthrough();  // global flags may follow the subcommand
  app.require_subcommand(1);
  app.footer("Exit status: 0 done, 1 refused by the server (or journal broken), 2 server unreachable, 64 usage.");

  std::string server = "http://127.0.0.1:9797";
  std::string token;
  app.add_option("--server", server, "incidentd's base URL (http:// only)")
      ->envname("INCIDENTD_SERVER")
      ->capture_default_str();
  app.add_option("--token", token, "bearer token")->envname("INCIDENTD_TOKEN");

  // The chosen command, set by a subcommand's callback once its arguments parsed.
  std::function<int(Transport&, Console)> remote;
  std::function<int(Console)> local;

  auto* incidents = app.add_subcommand("incidents", "list, inspect and act on incidents")->require_subcommand(1);

  cli::ListOptions list;
  auto* list_cmd = incidents->add_subcommand("list", "incidents, newest first");
  list_cmd->add_option("--state", list.states, "triggered, acknowledged, resolved, closed (comma-separated)")
      ->delimiter(',');
  list_cmd->add_option("--service", list.service, "only this service");
  list_cmd->add_option("--severity", list.severity, "only this severity");
  list_cmd->add_option("--limit", list.limit, "at most N (page size with --all)")->check(CLI::Range(1, 500));
  list_cmd->add_flag("--all", list.all, "follow every page");
  list_cmd->add_flag("--json", list.json, "print the API's JSON");
  list_cmd->callback([&] { remote = [&](Transport& t, Console c) { return ListIncidents(t, list, Now(), c); }; });

  uint64_t id = 0;
  bool json = false;
  auto* show_cmd = incidents->add_subcommand("show", "one incident and its alerts");
  show_cmd->add_option("id", id, "incident id")->required();
  show_cmd->add_flag("--json", json, "print the API's JSON");
  show_cmd->callback([&] { remote = [&](Transport& t, Console c) { return ShowIncident(t, id, json, Now(), c); }; });

  auto* ack_cmd = incidents->add_subcommand("ack", "acknowledge an incident");
  ack_cmd->add_option("id", id, "incident id")->required();
  ack_cmd->callback([&] { remote = [&](Transport& t, Console c) { return AcknowledgeIncident(t, id, c); }; });

  std::string note;
  auto* resolve_cmd = incidents->add_subcommand("resolve", "resolve an incident");
  resolve_cmd->add_option("id", id, "incident id")->required();
  auto* note_opt = resolve_cmd->add_option("--note", note, "why, for the timeline");
  resolve_cmd->callback([&] {
    remote = [&](Transport& t, Console c) {
      return ResolveIncident(t, id, note_opt->count() > 0 ? std::optional(note) : std::nullopt, c);
    };
  });

  std::string text;
  auto* note_cmd = incidents->add_subcommand("note", "add a note to an incident's timeline");
  note_cmd->add_option("id", id, "incident id")->required();
  note_cmd->add_option("text", text, "the note")->required();
  note_cmd->callback([&] { remote = [&](Transport& t, Console c) { return AddNote(t, id, text, c); }; });

  auto* timeline_cmd = incidents->add_subcommand("timeline", "an incident's history: time, actor, kind, text");
  timeline_cmd->add_option("id", id, "incident id")->required();
  timeline_cmd->add_flag("--json", json, "print the API's JSON");
  timeline_cmd->callback([&] { remote = [&](Transport& t, Console c) { return ShowTimeline(t, id, json, c); }; });

  auto* paging_cmd = incidents->add_subcommand("paging", "who was paged, by which policy and rule, and each delivery");
  paging_cmd->add_option("id", id, "incident id")->required();
  paging_cmd->add_flag("--json", json, "print the API's JSON");
  paging_cmd->callback([&] { remote = [&](Transport& t, Console c) { return ShowPaging(t, id, json, c); }; });

  std::string reassign_user, reassign_policy;
  auto* reassign_cmd = incidents->add_subcommand("reassign", "restart the escalation with a person or a policy");
  reassign_cmd->add_option("id", id, "incident id")->required();
  reassign_cmd->add_option("--user", reassign_user, "page this person");
  reassign_cmd->add_option("--policy", reassign_policy, "run this escalation policy from its first step");
  reassign_cmd->callback([&] {
    remote = [&](Transport& t, Console c) { return Reassign(t, id, reassign_user, reassign_policy, c); };
  });

  std::string escalate_reason;
  auto* escalate_cmd = incidents->add_subcommand("escalate", "move the running escalation to its next step now");
  escalate_cmd->add_option("id", id, "incident id")->required();
  escalate_cmd->add_option("--reason", escalate_reason, "why (on the timeline)");
  escalate_cmd->callback(
      [&] { remote = [&](Transport& t, Console c) { return Escalate(t, id, escalate_reason, c); }; });

  std::string category, subcategory, reason;
  auto* reclassify_cmd = incidents->add_subcommand("reclassify", "set an incident's category (recorded, with reason)");
  reclassify_cmd->add_option("id", id, "incident id")->required();
  reclassify_cmd->add_option("--category", category, "a top-level category of the taxonomy")->required();
  reclassify_cmd->add_option("--subcategory", subcategory, "one of its subcategories");
  reclassify_cmd->add_option("--reason", reason, "why (on the timeline)");
  reclassify_cmd->callback([&] {
    remote = [&](Transport& t, Console c) { return Reclassify(t, id, category, subcategory, reason, c); };
  });

  std::string owner_team;
  auto* owner_cmd = incidents->add_subcommand("owner", "make a team the incident's primary owner");
  owner_cmd->add_option("id", id, "incident id")->required();
  owner_cmd->add_option("--team", owner_team, "the owning team")->required();
  owner_cmd->add_option("--reason", reason, "why (on the timeline)");
  owner_cmd->callback([&] { remote = [&](Transport& t, Console c) { return AssignOwner(t, id, owner_team, reason, c); }; });

  auto* class_cmd = incidents->add_subcommand("classification", "category, major, severity, priority, owner: why");
  class_cmd->add_option("id", id, "incident id")->required();
  class_cmd->add_flag("--json", json, "print the API's JSON");
  class_cmd->callback([&] { remote = [&](Transport& t, Console c) { return ShowClassification(t, id, json, c); }; });

  std::string role, role_user, log_kind = "note", log_text, update_text;
  bool handoff = false, no_change = false;
  auto* roles_cmd = incidents->add_subcommand("roles", "assign an incident role; the commander changes only by hand-off");
  roles_cmd->add_option("id", id, "incident id")->required();
  roles_cmd->add_option("--role", role, "commander, communications, scribe, operations or liaison")->required();
  roles_cmd->add_option("--user", role_user, "who takes it (empty: the holder steps down)");
  roles_cmd->add_flag("--handoff", handoff, "hand command over (by the outgoing commander or an admin)");
  roles_cmd->add_option("--reason", reason, "why (on the timeline)");
  roles_cmd->callback([&] {
    remote = [&](Transport& t, Console c) { return AssignRole(t, id, role, role_user, handoff, reason, c); };
  });
  auto* log_cmd = incidents->add_subcommand("log", "add a typed entry to the incident log");
  log_cmd->add_option("id", id, "incident id")->required();
  log_cmd->add_option("text", log_text, "what was decided, done or seen")->required();
  log_cmd->add_option("--kind", log_kind, "decision, action, observation or note")
      ->check(CLI::IsMember({"decision", "action", "observation", "note"}))
      ->capture_default_str();
  log_cmd->callback([&] { remote = [&](Transport& t, Console c) { return AddLogEntry(t, id, log_kind, log_text, c); }; });
  auto* update_cmd = incidents->add_subcommand("update", "post a status update (restarts the update cadence)");
  update_cmd->add_option("id", id, "incident id")->required();
  update_cmd->add_option("text", update_text, "the update");
  update_cmd->add_flag("--no-change", no_change, "nothing changed since the last update (a valid update)");
  update_cmd->callback([&] {
    remote = [&](Transport& t, Console c) { return PostStatusUpdate(t, id, update_text, no_change, c); };
  });
  auto* coord_cmd = incidents->add_subcommand("coordination", "roles, channel and when the next status update is due");
  coord_cmd->add_option("id", id, "incident id")->required();
  coord_cmd->add_flag("--json", json, "print the API's JSON");
  coord_cmd->callback([&] { remote = [&](Transport& t, Console c) { return ShowCoordination(t, id, json, c); }; });

  std::string pool_name, pool_note;
  auto* request_pool_cmd = incidents->add_subcommand("request-pool", "ask a shared responder pool (e.g. dba) for help");
  request_pool_cmd->add_option("id", id, "incident id")->required();
  request_pool_cmd->add_option("pool", pool_name, "pool id")->required();
  request_pool_cmd->add_option("--note", pool_note, "what you need them for (on the timeline)");
  request_pool_cmd->callback(
      [&] { remote = [&](Transport& t, Console c) { return RequestPool(t, id, pool_name, pool_note, c); }; });
  auto* release_pool_cmd = incidents->add_subcommand("release-pool", "give the pool back (the next waiting gets it)");
  release_pool_cmd->add_option("id", id, "incident id")->required();
  release_pool_cmd->add_option("pool", pool_name, "pool id")->required();
  release_pool_cmd->callback([&] { remote = [&](Transport& t, Console c) { return ReleasePool(t, id, pool_name, c); }; });

  std::string export_format = "json";
  std::string export_output;
  auto* export_cmd =
      incidents->add_subcommand("export", "the incident's bundle: its journal records and their hashes");
  export_cmd->add_option("id", id, "incident id")->required();
  export_cmd->add_option("--format", export_format, "json (verifiable offline) or markdown (for people)")
      ->check(CLI::IsMember({"json", "markdown"}))
      ->capture_default_str();
  export_cmd->add_option("-o,--output", export_output, "write to this file instead of standard output");
  export_cmd->callback([&] {
    remote = [&](Transport& t, Console c) { return ExportIncident(t, id, export_format, export_output, c); };
  });

  auto* taxonomy = app.add_subcommand("taxonomy", "incident categories")->require_subcommand(1);
  auto* usage_cmd = taxonomy->add_subcommand("usage", "how often each category is chosen and reclassified");
  usage_cmd->add_flag("--json", json, "print the API's JSON");
  usage_cmd->callback([&] { remote = [&](Transport& t, Console c) { return ShowTaxonomyUsage(t, json, c); }; });

  auto* pools = app.add_subcommand("pools", "shared responder pools: queues, conflicts, yields")->require_subcommand(1);
  auto* pools_list = pools->add_subcommand("list", "every pool: capacity, holding, waiting, conflicts, breaches");
  pools_list->add_flag("--json", json, "print the API's JSON");
  pools_list->callback([&] { remote = [&](Transport& t, Console c) { return ListPools(t, json, c); }; });
  auto* pools_queue = pools->add_subcommand("queue", "who holds the pool and who waits, in order, with expected response");
  pools_queue->add_option("pool", pool_name, "pool id")->required();
  pools_queue->add_flag("--json", json, "print the API's JSON");
  pools_queue->callback([&] { remote = [&](Transport& t, Console c) { return ShowPoolQueue(t, pool_name, json, c); }; });
  uint64_t yield_from = 0, yield_to = 0;
  std::string yield_reason;
  auto* pools_yield = pools->add_subcommand("yield", "an incident holding the pool gives its slot to a waiting one");
  pools_yield->add_option("pool", pool_name, "pool id")->required();
  pools_yield->add_option("--from", yield_from, "the incident holding a slot")->required()->check(CLI::PositiveNumber);
  pools_yield->add_option("--to", yield_to, "the waiting incident")->required()->check(CLI::PositiveNumber);
  pools_yield->add_option("--reason", yield_reason, "why it goes first (on both timelines)")->required();
  pools_yield->callback([&] {
    remote = [&](Transport& t, Console c) { return YieldPool(t, pool_name, yield_from, yield_to, yield_reason, c); };
  });

  std::string delivery_state;
  auto* deliveries = app.add_subcommand("deliveries", "the notification outbox")->require_subcommand(1);
  auto* dlist_cmd = deliveries->add_subcommand("list", "deliveries, newest first");
  dlist_cmd->add_option("--state", delivery_state, "pending, delivered, failed or cancelled")
      ->check(CLI::IsMember({"pending", "delivered", "failed", "cancelled"}));
  dlist_cmd->add_flag("--json", json, "print the API's JSON");
  dlist_cmd->callback(
      [&] { remote = [&](Transport& t, Console c) { return ListDeliveries(t, delivery_state, json, c); }; });

  std::string drill_name;
  auto* drills = app.add_subcommand("drills", "fire drills of the paging chain")->require_subcommand(1);
  auto* drills_list = drills->add_subcommand("list", "every drill: next run, last result, passes and failures");
  drills_list->add_flag("--json", json, "print the API's JSON");
  drills_list->callback([&] { remote = [&](Transport& t, Console c) { return ListDrills(t, json, c); }; });
  auto* drills_show = drills->add_subcommand("show", "one drill's runs with the broken link of each failure");
  drills_show->add_option("name", drill_name, "drill name")->required();
  drills_show->add_flag("--json", json, "print the API's JSON");
  drills_show->callback([&] { remote = [&](Transport& t, Console c) { return ShowDrill(t, drill_name, json, c); }; });
  auto* drills_run = drills->add_subcommand("run", "run a drill now");
  drills_run->add_option("name", drill_name, "drill name")->required();
  drills_run->callback([&] { remote = [&](Transport& t, Console c) { return RunDrill(t, drill_name, c); }; });

  cli::OverrideOptions override_options;
  uint64_t override_id = 0;
  auto* schedules = app.add_subcommand("schedules", "on-call schedules")->require_subcommand(1);
  auto* overrides = schedules->add_subcommand("override", "overrides made at run time")->require_subcommand(1);
  auto* override_add = overrides->add_subcommand("add", "make an override (journaled; paging uses it at once)");
  override_add->add_option("schedule", override_options.schedule, "schedule name")->required();
  override_add->add_option("--start", override_options.start, "RFC 3339 start, 2026-12-24T00:00:00Z")->required();
  override_add->add_option("--end", override_options.end, "RFC 3339 end (at most 90 days after the start)")
      ->required();
  override_add->add_option("--kind", override_options.kind, "replace (default), add or remove")
      ->check(CLI::IsMember({"replace", "add", "remove"}));
  override_add->add_option("--user", override_options.user, "who comes in (replace, add) or goes out (remove)")
      ->required();
  override_add->add_option("--replaces", override_options.replaces, "replace only: who is replaced (default: all)");
  override_add->add_option("--reason", override_options.reason, "why (shown with the override)");
  override_add->add_flag("--json", override_options.json, "print the API's JSON");
  override_add->callback([&] { remote = [&](Transport& t, Console c) { return AddOverride(t, override_options, c); }; });
  auto* override_remove = overrides->add_subcommand("remove", "remove an override made at run time");
  override_remove->add_option("schedule", override_options.schedule, "schedule name")->required();
  override_remove->add_option("id", override_id, "override id")->required();
  override_remove->callback([&] {
    remote = [&](Transport& t, Console c) { return RemoveOverride(t, override_options.schedule, override_id, c); };
  });

  auto* events = app.add_subcommand("events", "send events like a monitoring tool")->require_subcommand(1);
  cli::EventOptions event;
  event.hostname = HostName();
  auto* send_cmd = events->add_subcommand("send", "POST /v2/enqueue and print the dedup key");
  send_cmd->add_option("--routing-key", event.routing_key, "selects the service")->required();
  send_cmd->add_option("--action", event.action, "trigger, acknowledge or resolve")
      ->check(CLI::IsMember({"trigger", "acknowledge", "resolve"}))
      ->capture_default_str();
  send_cmd->add_option("--dedup-key", event.dedup_key, "the alert's key (made by the server when omitted)");
  send_cmd->add_option("--summary", event.summary, "what is wrong");
  send_cmd->add_option("--source", event.source, "where (default for triggers: this host's name)");
  send_cmd->add_option("--severity", event.severity, "critical, error, warning, info (default for triggers: error)");
  send_cmd->add_option("--custom-details", event.custom_details, "a JSON value");
  send_cmd->callback([&] { remote = [&](Transport& t, Console c) { return SendEvent(t, event, c); }; });

  auto* maintenance = app.add_subcommand("maintenance", "maintenance windows: expected alerts held out of incidents")
                          ->require_subcommand(1);
  std::string window_id;

  auto* mlist_cmd = maintenance->add_subcommand("list", "every window: open, then scheduled, then ended");
  mlist_cmd->add_flag("--json", json, "print the API's JSON");
  mlist_cmd->callback([&] { remote = [&](Transport& t, Console c) { return ListWindows(t, json, c); }; });

  auto* mshow_cmd = maintenance->add_subcommand("show", "one window and the alerts it suppressed");
  mshow_cmd->add_option("id", window_id, "window id")->required();
  mshow_cmd->add_flag("--json", json, "print the API's JSON");
  mshow_cmd->callback(
      [&] { remote = [&](Transport& t, Console c) { return ShowWindow(t, window_id, json, Now(), c); }; });

  cli::WindowOptions window;
  auto* create_cmd = maintenance->add_subcommand("create", "a one-off or recurring window");
  create_cmd->add_option("--name", window.name, "what the work is")->required();
  create_cmd->add_option("--owner", window.owner, "who is reminded before the end and told what was held")
      ->required();
  create_cmd->add_option("--start", window.start, "local start in --time-zone, e.g. 2026-12-06T02:00")->required();
  create_cmd->add_option("--duration", window.duration, "e.g. 2h (wall-clock: DST changes shorten or lengthen it)")
      ->required();
  create_cmd->add_option("--time-zone", window.time_zone, "IANA zone of --start (default UTC), e.g. Europe/Berlin");
  create_cmd->add_option("--rrule", window.rrule, "RFC 5545 recurrence, e.g. 'FREQ=WEEKLY;BYDAY=SU'");
  create_cmd->add_option("--service", window.services, "scope: alerts of this service (repeatable)");
  create_cmd->add_option("--host", window.hosts, "scope: alerts about this host (repeatable)");
  create_cmd->add_option("--matcher", window.matchers,
                         "scope: alerts whose labels match, e.g. 'team=\"db\"' (repeatable)");
  create_cmd->add_option("--expect-alertname", window.expect_alertnames,
                         "expected: this alertname or event class (repeatable)");
  create_cmd->add_option("--expect-service", window.expect_services, "expected: this service (repeatable)");
  create_cmd->add_option("--expect-severity", window.expect_severities, "expected: this severity (repeatable)")
      ->check(CLI::IsMember({"critical", "error", "warning", "info"}));
  create_cmd->add_option("--max-length", window.max_length, "no occurrence or extension runs longer (default 12h)");
  create_cmd->add_option("--remind-before", window.remind_before, "remind the owner this long before the end (15m)");
  create_cmd->add_flag("--keep-pending", window.keep_pending,
                       "do not cancel the pending notifications of its services' open incidents when it opens");
  create_cmd->add_flag("--json", window.json, "print the API's JSON");
  create_cmd->callback([&] { remote = [&](Transport& t, Console c) { return CreateWindow(t, window, c); }; });

  std::string until;
  std::string by;
  auto* extend_cmd = maintenance->add_subcommand("extend", "move the open occurrence's end");
  extend_cmd->add_option("id", window_id, "window id")->required();
  auto* until_opt = extend_cmd->add_option("--until", until, "the new end, RFC 3339 (2026-12-06T05:00:00Z)");
  auto* by_opt = extend_cmd->add_option("--by", by, "this much past the current end, e.g. 30m");
  until_opt->excludes(by_opt);
  extend_cmd->callback(
      [&] { remote = [&](Transport& t, Console c) { return ExtendWindow(t, window_id, until, by, c); }; });

  auto* end_cmd = maintenance->add_subcommand("end", "end the open occurrence now (later ones still happen)");
  end_cmd->add_option("id", window_id, "window id")->required();
  end_cmd->callback([&] { remote = [&](Transport& t, Console c) { return EndWindow(t, window_id, false, c); }; });

  auto* cancel_cmd = maintenance->add_subcommand("cancel", "end the open occurrence and every later one");
  cancel_cmd->add_option("id", window_id, "window id")->required();
  cancel_cmd->callback([&] { remote = [&](Transport& t, Console c) { return EndWindow(t, window_id, true, c); }; });

  auto* topology = app.add_subcommand("topology", "the service topology in force")->require_subcommand(1);
  auto* topology_cmd = topology->add_subcommand("show", "segments, hosts, services, dependencies, failure rules");
  topology_cmd->add_flag("--json", json, "print the API's JSON");
  topology_cmd->callback([&] { remote = [&](Transport& t, Console c) { return ShowTopology(t, json, c); }; });

  auto* whoami_cmd = app.add_subcommand("whoami", "who the token is: name, role, actor, teams");
  whoami_cmd->add_flag("--json", json, "print the API's JSON");
  whoami_cmd->callback([&] { remote = [&](Transport& t, Console c) { return Whoami(t, json, c); }; });

  auto* journal = app.add_subcommand("journal", "check the journal's hash chain")->require_subcommand(1);
  std::string data_dir;
  std::string bundle_file;
  auto* verify_cmd = journal->add_subcommand("verify", "verify the whole journal, or an exported bundle");
  auto* data_dir_opt = verify_cmd->add_option("--data-dir", data_dir,
                                              "verify offline, from this data directory, instead of asking the server");
  auto* bundle_opt = verify_cmd->add_option("--bundle", bundle_file,
                                            "verify an incident's bundle (incidents export) offline");
  std::string store_url;
  auto* store_opt = verify_cmd->add_option("--store", store_url,
                                           "verify offline, from this PostgreSQL database (postgres://...), instead "
                                           "of asking the server");
  data_dir_opt->excludes(bundle_opt);
  store_opt->excludes(bundle_opt);
  store_opt->excludes(data_dir_opt);
  verify_cmd->callback([&] {
    if (!bundle_file.empty()) {
#ifdef INCIDENTCTL_OFFLINE_VERIFY
      local = [&](Console c) { return cli::VerifyBundleFile(bundle_file, c); };
#else
      local = [](Console c) {
        c.err << "incidentctl: this build cannot verify bundles (built without the engine)\n";
        return cli::kExitFailed;
      };
#endif
      return;
    }
    if (!store_url.empty()) {
#ifdef INCIDENTCTL_POSTGRES_VERIFY
      local = [&](Console c) { return cli::VerifyJournalInPostgres(store_url, c); };
#else
      local = [](Console c) {
        c.err << "incidentctl: this build cannot verify a PostgreSQL journal (built without the PostgreSQL store)\n";
        return cli::kExitFailed;
      };
#endif
      return;
    }
    if (data_dir.empty()) {
      remote = [](Transport& t, Console c) { return VerifyJournalOnline(t, c); };
      return;
    }
#ifdef INCIDENTCTL_OFFLINE_VERIFY
    local = [&](Console c) { return cli::VerifyJournalOffline(data_dir, c); };
#else
    local = [](Console c) {
      c.err << "incidentctl: this build cannot verify offline (built without the SQLite store)\n";
      return cli::kExitFailed;
    };
#endif
  });

  uint64_t seq = 0;
  auto* hash_cmd = journal->add_subcommand("hash", "one record's hash in the live journal (to compare a bundle with)");
  hash_cmd->add_option("seq", seq, "record sequence number")->required()->check(CLI::PositiveNumber);
  hash_cmd->callback([&] { remote = [&](Transport& t, Console c) { return ShowRecordHash(t, seq, c); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? cli::kExitOk : cli::kExitUsage;
  }

  Console console{std::cout, std::cerr};
  if (local) return local(console);
  if (!remote) return cli::kExitUsage;  // unreachable: CLI11 requires a command
  auto transport = cli::HttpTransport::Create(server, token, kRequestTimeout);
  if (!transport.ok()) {
    std::cerr << "incidentctl: " << transport.error().message << "\n";
    return cli::kExitUsage;
  }
  return remote(**transport, console);
}
