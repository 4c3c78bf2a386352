// The real incidentd binary (BinaryPath) run for one test: a fresh temp directory and config, port 0, start and
// stop and crash on demand, stderr kept for assertions.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace test_support {

// The admin token reaches the server through INCIDENTD_TOKEN (token_env); the viewer's is configured as its SHA-256.
inline constexpr const char* kAdminToken = "it-admin-token-5d1f0c7a";
inline constexpr const char* kViewerToken = "it-viewer-token-93b2e461";

// Services in the generated config: `checkout` groups by dedup key, `grouped` by source; `prometheus` and `db`
// take Alertmanager-API alerts.
inline constexpr const char* kCheckoutKey = "checkout-key";
inline constexpr const char* kGroupedKey = "grouped-key";
// Alertmanager routes in the generated config (left out when extra_yaml has its own `alertmanager:`): alerts with
// team="db" go to service `db` grouped by alertname and instance, everything else to `prometheus` by alertname.
inline constexpr const char* kAlertmanagerYaml =
    "alertmanager:\n"
    "  resolve_timeout: 5m\n"
    "  routes:\n"
    "    - service: db\n"
    "      matchers: ['team=\"db\"']\n"
    "      group_by: [alertname, instance]\n"
    "    - service: prometheus\n"
    "      group_by: [alertname]\n";

// Not thread-safe. The thread that starts the server must outlive it (the child is killed when that thread ends,
// so a crashed test leaves no server behind).
class ServerProcess {
 public:
  // Writes <tmp>/config.yaml; `extra_yaml` is appended to it (top-level keys the generated part does not set; a
  // `services:` or `alertmanager:` of its own replaces the generated one).
  // Does not start the server.
  explicit ServerProcess(const std::string& extra_yaml = "");
  // SIGKILLs a running server; prints its stderr when the current test failed; removes the temp directory.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Runs `incidentd serve --config F --data-dir D --listen 127.0.0.1:0 --ready-file R` and waits up to 20 s for R
  // to hold "127.0.0.1:PORT\n". kUnavailable when the process exits first (exit_status() then says how, stderr
  // why) or is not ready in time (it is killed). Must not be running.
  core::Status Start();
  // Start in two steps, for a server that becomes ready only later (a follower waiting for the writer lock):
  // Launch spawns it; WaitReady waits up to `timeout` for the ready file (killing it when that passes), with
  // Start's errors.
  core::Status Launch();
  core::Status WaitReady(core::Duration timeout);
  // Stop() when running, then Start() on the same directory and config; the port changes.
  core::Status Restart();
  // SIGTERM, then waits up to 30 s (SIGKILL after that, reported as a test failure). Returns the exit status
  // (the code, or 128 + signal), or -1 when it was not running.
  int Stop();
  // SIGKILL and wait: a crash. Returns the exit status (137), or -1 when it was not running.
  int Kill();
  // Sends `signal_number` (SIGHUP: reload) without waiting; false when not running.
  bool Signal(int signal_number) const;

  bool running() const { return pid_.has_value(); }
  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  std::filesystem::path database_path() const { return data_dir_ / "incidentd.db"; }
  const std::filesystem::path& config_path() const { return config_path_; }
  // How the last run ended; nullopt while running or before the first run ended.
  std::optional<int> exit_status() const { return exit_status_; }
  // Everything the current (or last) run wrote to stderr.
  std::string ReadStderr() const;

  // A client of this server (its current port) with the admin token, or `token` when given.
  HttpClient Client(const std::string& token = kAdminToken) const;
  // incidentctl --server <url> args..., with INCIDENTD_TOKEN set to the admin token.
  CtlResult Ctl(const std::vector<std::string>& args) const;

 private:
  std::optional<int> Reap(int signal_number, core::Duration timeout);

  std::string binary_;  // resolved before dir_ exists, so a missing binary aborts without leaving a directory
  TempDir dir_;
  std::filesystem::path data_dir_;
  std::filesystem::path config_path_;
  std::filesystem::path ready_path_;
  std::filesystem::path stderr_path_;
  std::optional<pid_t> pid_;
  std::optional<int> exit_status_;
  uint16_t port_ = 0;
  int runs_ = 0;
};

}  // namespace test_support
