#include "support/process.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/temp_dir.h"

extern char** environ;

namespace test_support {
namespace {

constexpr auto kCtlTimeout = std::chrono::minutes(1);

std::vector<std::string> MergedEnvironment(const std::vector<std::string>& overrides) {
  std::vector<std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string current = *entry;
    const std::string name = current.substr(0, current.find('='));
    bool replaced = false;
    for (const auto& o : overrides) replaced = replaced || o.substr(0, o.find('=')) == name;
    if (!replaced) merged.push_back(current);
  }
  merged.insert(merged.end(), overrides.begin(), overrides.end());
  return merged;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

int StatusOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// In the child between fork and exec only async-signal-safe calls are allowed: open, dup2, syscall, prctl, execve.
[[noreturn]] void ExecChild(pid_t parent, const char* out_path, const char* err_path, char* const* argv,
                            char* const* envp) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
  int in = open("/dev/null", O_RDONLY);
  int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0 || err < 0) _exit(127);
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
  syscall(SYS_close_range, 3u, ~0u, 0u);
  // The test runner may block or ignore signals; the child must see SIGTERM as a normal process does.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  execve(argv[0], argv, envp);
  _exit(127);
}

}  // namespace

core::Result<pid_t> Spawn(const SpawnOptions& options) {
  std::vector<std::string> args = options.argv;
  std::vector<std::string> env = MergedEnvironment(options.env);
  std::vector<char*> argv = Pointers(args);
  std::vector<char*> envp = Pointers(env);
  const std::string out_path = options.stdout_path.empty() ? "/dev/null" : options.stdout_path;
  const std::string err_path = options.stderr_path.empty() ? "/dev/null" : options.stderr_path;
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid < 0) return core::Internal("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) ExecChild(parent, out_path.c_str(), err_path.c_str(), argv.data(), envp.data());
  return pid;
}

std::optional<int> TryWait(pid_t pid) {
  int status = 0;
  const pid_t r = waitpid(pid, &status, WNOHANG);
  if (r == pid) return StatusOf(status);
  if (r < 0) return -1;  // not our child (any more): treat as ended
  return std::nullopt;
}

std::optional<int> WaitFor(pid_t pid, core::Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto status = TryWait(pid)) return status;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string BinaryPath(const char* env_name, const char* file_name) {
  const char* value = std::getenv(env_name);
  if (value != nullptr && *value != '\0') return value;
  std::error_code ec;
  const auto beside = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() / file_name;
  if (!ec && std::filesystem::exists(beside, ec)) return beside.string();
  std::fprintf(stderr, "%s is not set and there is no %s beside this test: build it, or run through ctest\n",
               env_name, file_name);
  std::abort();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  EXPECT_TRUE(out.good()) << "cannot write " << path;
}

CtlResult RunCtl(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  SpawnOptions options;
  options.argv.push_back(BinaryPath("INCIDENTCTL_BIN", "incidentctl"));
  TempDir dir;
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = env;
  options.stdout_path = (dir.path() / "stdout").string();
  options.stderr_path = (dir.path() / "stderr").string();

  CtlResult result;
  auto pid = Spawn(options);
  if (!pid.ok()) {
    result.err = pid.error().message;
    return result;
  }
  auto status = WaitFor(*pid, kCtlTimeout);
  if (!status) {
    kill(*pid, SIGKILL);
    WaitFor(*pid, std::chrono::seconds(10));
  }
  result.exit_code = status.value_or(-1);
  result.out = ReadFile(options.stdout_path);
  result.err = ReadFile(options.stderr_path);
  return result;
}

}  // namespace test_support
