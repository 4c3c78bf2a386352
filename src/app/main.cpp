// incidentd: the server. `serve` runs it; `hash-token` prints the SHA-256 a config stores for a token;
// `check-config` validates a configuration file.
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <thread>

#include <openssl/rand.h>
#include <sys/stat.h>

#include "app/config.h"
#include "app/config_reload.h"
#include "app/drill_injector.h"
#include "app/engine_backend.h"
#include "app/follower.h"
#include "app/outbox.h"
#include "domain/escalation/overrides.h"
#include "http/ack_link.h"
#include "engine/engine.h"
#include "http/auth.h"
#include "http/server.h"
#include "journal/record.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace {

constexpr int kExitConfig = 2;
constexpr int kExitCorrupt = 3;
constexpr int kExitStore = 4;

const char* RealGetenv(const char* name) { return std::getenv(name); }

// Journals the topology when it differs from the one in force; waits for the answer.
core::Status SaveTopology(engine::Engine& eng, const correlate::TopologyConfig& topology, std::string& message) {
  std::promise<engine::Outcome> done;
  auto st = eng.Submit(engine::Command{"system:config", engine::SaveTopology{topology}},
                       [&done](engine::Outcome o) { done.set_value(std::move(o)); });
  if (!st.ok()) return st;
  engine::Outcome out = done.get_future().get();
  message = out.message;
  return out.status;
}

// Journals what changed in the configuration since the journal last recorded it (config.changed) and, on reload,
// puts the settings that can change live into force. `changes` gets one line per changed section.
core::Status JournalConfig(engine::Engine& eng, app::Config& cfg, bool at_start, std::vector<std::string>& changes) {
  std::map<std::string, std::string> in_force;
  eng.Read([&](const engine::State& s) { in_force = s.classify.config_digests; });
  engine::ReloadConfig cmd = app::PlanReload(in_force, cfg, at_start);
  changes = cmd.changes;
  if (changes.empty()) return core::Ok();
  std::promise<engine::Outcome> done;
  auto st = eng.Submit(engine::Command{at_start ? "system:start" : "system:reload", std::move(cmd)},
                       [&done](engine::Outcome o) { done.set_value(std::move(o)); });
  if (!st.ok()) return st;
  return done.get_future().get().status;
}

// Checks every schedule that alerts on coverage gaps: the engine opens (or resolves) its alert. Does not wait.
void CheckCoverage(engine::Engine& eng, const app::Config& cfg) {
  const auto now = std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
  for (const auto& configured : cfg.schedules) {
    auto it = cfg.gap_alert_service.find(configured.definition().name);
    if (it == cfg.gap_alert_service.end()) continue;
    // Overrides made at run time count: removing the only person on call for a night is a gap.
    std::vector<escalation::CreatedOverride> created;
    eng.Read([&](const engine::State& s) { created = escalation::CreatedOverridesOf(s.paging, it->first); });
    const oncall::Schedule schedule = escalation::WithCreatedOverrides(configured, created);
    auto gaps = schedule.Gaps(now, now + std::chrono::hours(24 * 14));
    engine::ReportCoverage report{schedule.definition().name, it->second, !gaps.empty(), {}, {}};
    if (!gaps.empty()) {
      report.gap_start = gaps.front().start;
      report.gap_end = gaps.front().end;
    }
    auto st = eng.Submit(engine::Command{"system:oncall", std::move(report)}, [](engine::Outcome o) {
      if (!o.status.ok()) spdlog::error("coverage check: {}", o.status.error().message);
    });
    if (!st.ok()) spdlog::warn("coverage check not queued: {}", st.error().message);
  }
}

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  INCIDENTD_CHECK(RAND_bytes(buf.data(), static_cast<int>(buf.size())) == 1);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : buf) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// The key acknowledgement links are signed with: from the environment when configured, else <data_dir>/ack.key,
// created (0600) on first start so links survive restarts.
core::Result<std::string> AckSecret(const app::Config& cfg) {
  if (!cfg.delivery.ack_secret_env.empty()) {
    const char* v = std::getenv(cfg.delivery.ack_secret_env.c_str());
    if (v == nullptr || std::string_view(v).size() < 16) {
      return core::Invalid("delivery.ack_secret_env: " + cfg.delivery.ack_secret_env +
                           " must hold at least 16 characters");
    }
    return std::string(v);
  }
  const auto path = std::filesystem::path(cfg.data_dir) / "ack.key";
  std::ifstream in(path);
  std::string key;
  if (in && std::getline(in, key) && key.size() >= 32) return key;
  key = RandomHex(32);
  const std::string tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << key << "\n";
    if (!out) return core::Internal("cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), 0600);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return core::Internal("cannot create " + path.string() + ": " + ec.message());
  return key;
}

bool IsPostgresUrl(std::string_view store) {
  return store.starts_with("postgres://") || store.starts_with("postgresql://");
}

// The URL without its password, for messages and logs.
std::string Redacted(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + ":***" + url.substr(at);
}

// The store `store` names: a postgres:// URL, or SQLite in the data directory ("" or "sqlite"). `postgres` points
// at the store when it is PostgreSQL.
core::Result<std::unique_ptr<engine::Store>> OpenStore(const std::string& store, const std::string& db_path,
                                                       store::postgres::PostgresStore*& postgres) {
  postgres = nullptr;
  if (IsPostgresUrl(store)) {
    auto opened = store::postgres::PostgresStore::Open(store);
    if (!opened.ok()) return opened.error();
    postgres = opened->get();
    return std::unique_ptr<engine::Store>(std::move(opened).value());
  }
  if (!store.empty() && store != "sqlite") {
    return core::Invalid("store: expected sqlite or a postgres:// URL, got " + Redacted(store), "store");
  }
  auto opened = store::sqlite::SqliteStore::Open(db_path);
  if (!opened.ok()) return opened.error();
  return std::unique_ptr<engine::Store>(std::move(opened).value());
}

// Serve's answer when the process should start over (execv itself): a PostgreSQL writer whose store failed.
constexpr int kRestartProcess = -1;

int Serve(const std::string& config_path, std::string data_dir, const std::string& listen,
          const std::string& ready_file, const std::string& store_flag) {
  // Block the stop signals before any thread starts, so only sigtimedwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);  // reload the configuration (docs/configuration.md)
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto cfg = app::LoadConfig(config_path, RealGetenv);
  if (!cfg.ok()) {
    std::cerr << "incidentd: configuration error: " << cfg.error().message << "\n";
    return kExitConfig;
  }
  if (!data_dir.empty()) cfg->data_dir = data_dir;
  if (!listen.empty()) {
    if (auto st = app::ParseListen(listen, cfg->http.address, cfg->http.port); !st.ok()) {
      std::cerr << "incidentd: --listen: " << st.error().message << "\n";
      return kExitConfig;
    }
  }

  std::error_code ec;
  std::filesystem::create_directories(cfg->data_dir, ec);
  if (ec) {
    std::cerr << "incidentd: cannot create data directory " << cfg->data_dir << ": " << ec.message() << "\n";
    return kExitStore;
  }
  const std::string store_spec = store_flag.empty() ? cfg->store : store_flag;
  const bool on_postgres = IsPostgresUrl(store_spec);
  const std::string db_path = on_postgres ? Redacted(store_spec)
                                          : (std::filesystem::path(cfg->data_dir) / "incidentd.db").string();
  store::postgres::PostgresStore* postgres = nullptr;
  auto store = OpenStore(store_spec, db_path, postgres);
  if (!store.ok()) {
    std::cerr << "incidentd: cannot open " << db_path << ": " << store.error().message << "\n";
    if (store.error().code == core::ErrorCode::kInvalid) return kExitConfig;
    return store.error().code == core::ErrorCode::kCorrupt ? kExitCorrupt : kExitStore;
  }

  auto ack_secret = AckSecret(*cfg);
  if (!ack_secret.ok()) {
    std::cerr << "incidentd: " << ack_secret.error().message << "\n";
    return kExitConfig;
  }
  cfg->http.ack_secret = ack_secret.value();
  // The drill injector's own ingest token: random per start, only its hash kept by the server.
  const std::string drill_token = RandomHex(32);
  cfg->http.tokens.push_back(http::Token{"incidentd-drills", "ingest", http::HashToken(drill_token)});

  if (postgres != nullptr) {
    // One writer per journal: every node takes the writer lock before it replays the journal, so it continues
    // from the last record the previous writer committed. A node that waits here is a follower; it takes over
    // when the writer's session ends (the process died, or lost the server).
    bool stopped = false;
    // While it waits, a follower folds the journal with an engine of its own and serves on its address: reads from
    // that fold, writes forwarded to the writer (app/follower.h).
    std::unique_ptr<app::Follower> follower;
    std::string follower_failure;  // the follower's journal did not verify
    auto retry_follower = std::chrono::steady_clock::time_point::max();
    auto start_follower = [&] {
      follower = std::make_unique<app::Follower>(**store, *cfg, [postgres] { return postgres->WriterAddress(); });
      auto bound = follower->Start(cfg->http.port);
      if (!bound.ok()) {
        follower.reset();
        if (bound.error().code == core::ErrorCode::kCorrupt) {
          follower_failure = bound.error().message;
          return;
        }
        spdlog::warn("follower: not serving, trying again in 5s: {}", bound.error().message);
        retry_follower = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        return;
      }
      retry_follower = std::chrono::steady_clock::time_point::max();
      spdlog::info("follower: serving on {} (reads from this node's fold of the journal, writes {} the writer, until "
                   "this node takes over)",
                   bound.value(), cfg->http.forward_writes ? "forwarded to" : "answered 503 naming");
      // Once it takes over, the node serves on the same address (also when the configuration says port 0).
      cfg->http.port = static_cast<uint16_t>(std::stoul(bound.value().substr(bound.value().rfind(':') + 1)));
    };
    // Between tries for the lock: stop on SIGTERM/SIGINT, (re)start the follower when due, keep its copy of the
    // writer's address fresh, and stop when the journal it follows does not verify.
    auto stop_waiting = [&] {
      timespec now{0, 0};
      int sig = sigtimedwait(&stop_signals, nullptr, &now);
      stopped = sig == SIGTERM || sig == SIGINT;
      if (stopped) return true;
      if (follower == nullptr && std::chrono::steady_clock::now() >= retry_follower) start_follower();
      if (follower != nullptr) {
        follower->Refresh();
        if (follower->failed()) follower_failure = follower->fatal_error();
      }
      return !follower_failure.empty();
    };
    core::Status st = core::Ok();
    bool announced = false, unreachable = false;
    for (;;) {
      st = postgres->AcquireWriterLock(stop_waiting, std::chrono::milliseconds(250), [&] {
        if (!announced) {
          spdlog::info("another node is the writer of {}; following it and waiting to take over", db_path);
          announced = true;
        }
        unreachable = false;
        if (follower == nullptr) start_follower();
      });
      if (st.ok() || stopped || !follower_failure.empty() || st.error().code != core::ErrorCode::kUnavailable) break;
      // PostgreSQL cannot be reached for the lock: the follower keeps serving what it has folded (its /readyz turns
      // 503), and the node tries again every second; the lock session reconnects by itself.
      if (!unreachable) spdlog::warn("cannot try the writer lock, trying again every second: {}", st.error().message);
      unreachable = true;
      for (int i = 0; i < 4 && !stop_waiting(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(250));
      if (stopped || !follower_failure.empty()) break;
    }
    if (follower != nullptr) {
      follower->Stop();
      if (st.ok()) spdlog::info("follower: stopped serving; taking over");
      follower.reset();
    }
    if (!follower_failure.empty()) {
      std::cerr << "incidentd: refusing to follow: " << follower_failure << "\n";
      std::cerr << "incidentd: the journal in " << db_path
                << " failed verification; nothing was changed. Restore the database from a backup.\n";
      return kExitCorrupt;
    }
    if (!st.ok()) {
      if (stopped) {
        spdlog::info("stopped while waiting to become the writer");
        return 0;
      }
      std::cerr << "incidentd: cannot become the writer of " << db_path << ": " << st.error().message << "\n";
      return kExitStore;
    }
    spdlog::info("this node is the writer of {}", db_path);
  }

  auto clock = [] { return std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now()); };
  engine::Engine eng(**store, cfg->services, cfg->alerts, clock, cfg->engine);
  eng.SetPaging(cfg->paging);
  eng.SetClassify(cfg->classify);
  eng.SetCoord(cfg->coordination);
  eng.SetPools(cfg->pools);
  auto started = std::chrono::steady_clock::now();
  if (auto st = eng.Recover(); !st.ok()) {
    std::cerr << "incidentd: refusing to start: " << st.error().message << "\n";
    if (st.error().code == core::ErrorCode::kCorrupt) {
      std::cerr << "incidentd: the journal in " << db_path << " failed verification; nothing was changed. "
                << (on_postgres ? std::string("Restore the database from a backup.")
                                : "Inspect it with `incidentctl journal verify --data-dir " + cfg->data_dir +
                                      "` and restore from a backup.")
                << "\n";
    }
    return st.error().code == core::ErrorCode::kCorrupt ? kExitCorrupt : kExitStore;
  }
  double recover_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("recovered {} records (head seq {}) from {} in {:.3f}s; {} open incidents, {} open alerts",
               eng.stats().records.load(), eng.stats().last_seq.load(), db_path, recover_s,
               eng.stats().open_incidents.load(), eng.stats().open_alerts.load());

  app::EngineBackend backend(eng, cfg->alerts, cfg->schedules, cfg->taxonomy.get());
  http::Server server(backend, cfg->http);
  eng.mutable_stats().on_batch = [&server](size_t n, double s) { server.ObserveBatch(n, s); };
  eng.Start();
  {
    std::string message;
    if (auto st = SaveTopology(eng, cfg->topology, message); !st.ok()) {
      std::cerr << "incidentd: cannot save the topology: " << st.error().message << "\n";
      eng.Stop();
      return kExitConfig;
    }
    spdlog::info("{}: {} services, {} hosts, {} segments, {} failure rules", message, cfg->topology.services.size(),
                 cfg->topology.hosts.size(), cfg->topology.segments.size(), cfg->topology.failures.size());
  }
  {
    std::vector<std::string> changes;
    if (auto st = JournalConfig(eng, *cfg, true, changes); !st.ok()) {
      std::cerr << "incidentd: cannot journal the configuration: " << st.error().message << "\n";
      eng.Stop();
      return kExitConfig;
    }
    for (const auto& line : changes) spdlog::info("configuration: {}", line);
  }
  auto bound = server.Start();
  if (!bound.ok()) {
    std::cerr << "incidentd: cannot listen on " << cfg->http.address << ":" << cfg->http.port << ": "
              << bound.error().message << "\n";
    eng.Stop();
    return kExitStore;
  }
  spdlog::info("listening on {}", bound.value());
  if (postgres != nullptr) {
    // Where followers forward writes: cluster.node_url, else public_url, else the address this node listens on.
    const std::string address = !cfg->node_url.empty()     ? cfg->node_url
                                : !cfg->public_url.empty() ? cfg->public_url
                                                           : "http://" + bound.value();
    if (auto st = postgres->SetWriterAddress(address); !st.ok()) {
      spdlog::warn("cannot record this node's address as the writer's: {}", st.error().message);
    }
  }

  // Paging: the outbox sends what the engine queued; the drill injector sends drills' synthetic events here.
  const std::string self_url = "http://" + bound.value();
  const std::string public_url = cfg->public_url.empty() ? self_url : cfg->public_url;
  const core::Duration ack_ttl = cfg->delivery.ack_link_ttl;
  app::EngineOutboxPort outbox_port(eng, [&](uint64_t incident_id, const std::string& user, core::Timestamp now) {
    return public_url + "/ack/" + http::MakeAckToken(cfg->http.ack_secret, {incident_id, user, now + ack_ttl});
  });
  app::Outbox outbox(outbox_port, cfg->channels, cfg->delivery.workers, clock);
  outbox.Start();
  uint64_t outbox_wake = eng.Subscribe(
      [&outbox](const std::vector<engine::Published>& records) {
        for (const auto& r : records) {
          if (r.type.starts_with("delivery.")) {
            outbox.Wake();
            return;
          }
        }
      },
      /*summaries=*/false);
  app::DrillInjector drills(eng, cfg->services, self_url, drill_token);
  drills.Start();
  spdlog::info("paging: {} channels, {} people, {} escalation policies, {} routing rules, {} drills",
               cfg->channels.size(), cfg->paging.people().size(), cfg->paging.policies().size(),
               cfg->paging.routes().size(), cfg->paging.drills().size());
  if (!ready_file.empty()) {
    std::string tmp = ready_file + ".tmp";
    std::ofstream(tmp) << bound.value() << "\n";
    std::filesystem::rename(tmp, ready_file, ec);
  }

  int exit_code = 0;
  bool restart_logged = false;
  // Coverage of the on-call schedules: at start, then every minute (a gap in the next 14 days is an alert).
  CheckCoverage(eng, *cfg);
  auto next_coverage = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  for (;;) {
    if (std::chrono::steady_clock::now() >= next_coverage) {
      CheckCoverage(eng, *cfg);
      next_coverage = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    }
    timespec timeout{1, 0};
    int sig = sigtimedwait(&stop_signals, nullptr, &timeout);
    if (sig == SIGTERM || sig == SIGINT) {
      spdlog::info("signal {}: draining", sig);
      break;
    }
    if (sig == SIGHUP) {
      // Reload: every change is journaled (config.changed); what can change live does (app/config_reload.h).
      auto fresh = app::LoadConfig(config_path, RealGetenv);
      if (!fresh.ok()) {
        spdlog::error("reload refused, the configuration in force stays: {}", fresh.error().message);
        continue;
      }
      std::string message;
      if (auto st = SaveTopology(eng, fresh->topology, message); !st.ok()) {
        spdlog::error("reload: cannot save the topology: {}", st.error().message);
      } else {
        spdlog::info("reload: {}", message);
      }
      std::vector<std::string> changes;
      if (auto st = JournalConfig(eng, *fresh, false, changes); !st.ok()) {
        spdlog::error("reload: cannot journal the configuration: {}", st.error().message);
      } else if (changes.empty()) {
        spdlog::info("reload: configuration unchanged");
      }
      for (const auto& line : changes) spdlog::info("reload: {}", line);
      continue;
    }
    if (eng.failed()) {
      if (postgres == nullptr) {
        spdlog::error("stopping: {}", eng.fatal_error());
        exit_code = kExitStore;
        break;
      }
      // On PostgreSQL the node recovers by itself: it answers 503 while the server cannot be reached, then starts
      // over (replaying what was committed, or following when another node took over meanwhile).
      if (!restart_logged) {
        spdlog::error("the store failed, answering 503 until PostgreSQL answers again: {}", eng.fatal_error());
        restart_logged = true;
      }
      if (postgres->Head().ok()) {
        spdlog::info("PostgreSQL answers again: starting over");
        exit_code = kRestartProcess;
        break;
      }
    }
  }
  // Order matters: stop taking requests and sending, then let the engine commit and answer everything queued.
  server.Stop();
  drills.Stop();
  eng.Unsubscribe(outbox_wake);
  outbox.Stop();
  eng.Stop();
  spdlog::info("stopped at seq {}", eng.stats().last_seq.load());
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  // Logs go to stderr (stdout stays free for command output).
  spdlog::set_default_logger(spdlog::stderr_color_mt("incidentd"));
  CLI::App cli{"incidentd: incident management server"};
  cli.require_subcommand(1);

  std::string config_path = "examples/incidentd.yaml", data_dir, listen, ready_file;
  auto* serve = cli.add_subcommand("serve", "Run the server");
  serve->add_option("--config,-c", config_path, "Configuration file")->check(CLI::ExistingFile);
  serve->add_option("--data-dir,-d", data_dir, "Data directory (overrides data_dir in the file)");
  serve->add_option("--listen,-l", listen, "ADDRESS:PORT to listen on (port 0 picks a free port)");
  serve->add_option("--ready-file", ready_file,
                    "Write the bound ADDRESS:PORT here once serving (on PostgreSQL: once this node is the writer)");
  std::string store_flag;
  serve->add_option("--store", store_flag,
                    "Where the journal lives: sqlite (<data-dir>/incidentd.db, the default) or "
                    "postgres://user@host:port/db (overrides store in the file)");

  auto* hash = cli.add_subcommand("hash-token", "Read a token on stdin and print its SHA-256 for token_sha256");
  auto* hash_password = cli.add_subcommand(
      "hash-password", "Read a password on stdin and print its Argon2id string for users[].password_argon2id");

  std::string check_path;
  auto* check = cli.add_subcommand("check-config", "Validate a configuration file and exit");
  check->add_option("config", check_path, "Configuration file")->required();

  CLI11_PARSE(cli, argc, argv);

  if (*serve) {
    int code = Serve(config_path, data_dir, listen, ready_file, store_flag);
    if (code == kRestartProcess) {
      spdlog::default_logger()->flush();
      execv("/proc/self/exe", argv);
      std::cerr << "incidentd: cannot start over: " << std::strerror(errno) << "\n";
      return kExitStore;
    }
    return code;
  }
  if (*hash) {
    std::string token;
    std::getline(std::cin, token);
    if (token.empty()) {
      std::cerr << "incidentd hash-token: no token on stdin\n";
      return 1;
    }
    std::cout << journal::HashHex(http::HashToken(token)) << "\n";
    return 0;
  }
  if (*hash_password) {
    // One line, without its line break; everything else in it (spaces included) is the password. From a terminal
    // it is asked for without echo.
    std::string password;
    termios saved{};
    const bool terminal = isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (terminal) {
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
      std::cerr << "Password: " << std::flush;
    }
    std::getline(std::cin, password);
    if (terminal) {
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
      std::cerr << "\n";
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) {
      std::cerr << "incidentd hash-password: no password on stdin\n";
      return 1;
    }
    auto encoded = http::HashPassword(password);
    if (!encoded.ok()) {
      std::cerr << "incidentd hash-password: " << encoded.error().message << "\n";
      return 1;
    }
    std::cout << *encoded << "\n";
    return 0;
  }
  if (*check) {
    auto cfg = app::LoadConfig(check_path, RealGetenv);
    if (!cfg.ok()) {
      std::cerr << cfg.error().message << "\n";
      return kExitConfig;
    }
    std::cout << check_path << ": OK (" << cfg->services.services().size() << " services, " << cfg->http.tokens.size()
              << " tokens, " << cfg->http.users.size() << " users)\n";
    return 0;
  }
  return 0;
}
