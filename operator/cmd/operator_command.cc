#include "operator/cmd/operator_command.h"

#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <random>
#include <thread>

#include "operator/core/clock.h"
#include "operator/kube/cpprest_http_transport.h"
#include "operator/kube/http_api_client.h"
#include "operator/kube/kube_config.h"
#include "operator/logging/log.h"
#include "operator/runtime/manager.h"
#include "operator/runtime/runtime_metrics.h"

namespace lifeboat::cmd {
namespace {

struct OperatorFlags {
  std::string kubeconfig;
  std::string context;
  std::string watch_namespace;
  std::string http_address = ":8080";
  int workers = 2;
  std::string resync_period = "10m";
  bool leader_elect = true;
  std::string lease_namespace;
  std::string lease_name = "lifeboat-operator";
  std::string identity;
  std::string lease_duration = "15s";
  std::string renew_deadline = "10s";
  std::string retry_period = "2s";
  std::string request_timeout = "10s";
  std::string shutdown_timeout = "5s";
  std::string log_format = "json";
  std::string log_level = "info";
};

std::string DefaultIdentity() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == 0) std::snprintf(host, sizeof host, "lifeboat");
  std::mt19937_64 random(std::random_device{}());
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, "_%012llx", static_cast<unsigned long long>(random() & 0xffffffffffffULL));
  return std::string(host) + suffix;
}

std::chrono::seconds WholeSeconds(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d);
}

int Fail(const std::string& message) {
  log::Error("Cannot start the operator", {{"error", message}});
  return 2;
}

int RunOperator(const OperatorFlags& flags, const std::vector<runtime::ControllerFactory>& factories) {
  auto format = log::ParseFormat(flags.log_format);
  if (!format.ok()) return Fail(format.status().message());
  auto level = log::ParseLevel(flags.log_level);
  if (!level.ok()) return Fail(level.status().message());
  log::Setup(*format, *level);

  struct NamedDuration {
    const char* flag;
    const std::string* text;
    std::chrono::milliseconds value{};
  } durations[] = {{"--resync-period", &flags.resync_period},   {"--lease-duration", &flags.lease_duration},
                   {"--renew-deadline", &flags.renew_deadline}, {"--retry-period", &flags.retry_period},
                   {"--request-timeout", &flags.request_timeout}, {"--shutdown-timeout", &flags.shutdown_timeout}};
  for (auto& d : durations) {
    auto parsed = ParseDuration(*d.text);
    if (!parsed.ok()) return Fail(std::string(d.flag) + ": " + parsed.status().message());
    d.value = *parsed;
  }
  if (flags.workers < 1) return Fail("--workers must be at least 1");

  // Signals go to one thread that asks the manager to stop; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto config = kube::ResolveKubeConfig(flags.kubeconfig, flags.context, kube::ProcessEnv());
  if (!config.ok()) return Fail(config.status().message());
  kube::CppRestTransportOptions transport_options;
  transport_options.request_timeout = WholeSeconds(durations[4].value);
  auto transport = kube::CppRestHttpTransport::Create(*config, transport_options);
  if (!transport.ok()) return Fail(transport.status().message());

  runtime::RuntimeMetrics metrics;
  const Clock& clock = SystemClock::Instance();
  kube::HttpApiClientOptions client_options;
  client_options.user_agent = std::string("lifeboat-operator/") + LIFEBOAT_VERSION;
  kube::HttpApiClient client(**transport, clock, client_options, &metrics);

  runtime::ManagerOptions options;
  options.watch_namespace = flags.watch_namespace;
  options.workers = flags.workers;
  options.resync_period = WholeSeconds(durations[0].value);
  options.health_address = flags.http_address;
  options.leader_election = flags.leader_elect;
  options.election.identity = flags.identity.empty() ? DefaultIdentity() : flags.identity;
  options.election.lease_duration = WholeSeconds(durations[1].value);
  options.election.renew_deadline = WholeSeconds(durations[2].value);
  options.election.retry_period = WholeSeconds(durations[3].value);
  options.lease_name = flags.lease_name;
  options.lease_namespace = flags.lease_namespace;
  if (options.lease_namespace.empty()) {
    auto pod_namespace = kube::ProcessEnv()("POD_NAMESPACE");
    options.lease_namespace = pod_namespace && !pod_namespace->empty() ? *pod_namespace
                              : !config->ns.empty()                    ? config->ns
                                                                       : "default";
  }

  log::Info("Starting lifeboat operator", {{"version", LIFEBOAT_VERSION}, {"config", config->source},
                                          {"server", config->server}, {"identity", options.election.identity},
                                          {"controllers", uint64_t(factories.size())}});
  runtime::Manager manager(client, clock, metrics, options);
  for (const auto& factory : factories) manager.Add(factory());
  Status started = manager.Start();
  if (!started.ok()) return Fail(started.ToString());

  std::thread signal_thread([&manager, signals] {
    int received = 0;
    sigwait(&signals, &received);
    log::Info("Received signal; shutting down", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
    manager.RequestStop();
    sigwait(&signals, &received);
    log::Error("Second signal; exiting at once");
    std::_Exit(1);
  });
  signal_thread.detach();

  Status waited = manager.Wait();
  if (!waited.ok()) {
    // Never act as a stale leader: no graceful drain, exit now.
    log::Error("Exiting because leadership was lost", {{"error", waited}});
    std::_Exit(1);
  }
  auto shutdown_timeout = durations[5].value;
  std::thread([shutdown_timeout] {
    std::this_thread::sleep_for(shutdown_timeout);
    log::Error("Shutdown took too long; exiting", {{"timeoutMs", int64_t(shutdown_timeout.count())}});
    std::_Exit(1);
  }).detach();
  manager.Shutdown();
  return 0;
}

}  // namespace

StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  auto invalid = [&] {
    return InvalidArgumentError("\"" + text + "\" is not a duration such as 15s, 10m, 1h30m or 250ms");
  };
  if (text.empty()) return invalid();
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    if (text.size() > 9) return invalid();
    return std::chrono::milliseconds(std::stoll(text) * 1000);
  }
  std::chrono::milliseconds total{0};
  size_t pos = 0;
  while (pos < text.size()) {
    size_t digits_end = pos;
    while (digits_end < text.size() && std::isdigit(static_cast<unsigned char>(text[digits_end]))) ++digits_end;
    if (digits_end == pos || digits_end - pos > 9) return invalid();
    long long value = std::stoll(text.substr(pos, digits_end - pos));
    size_t unit_end = digits_end;
    while (unit_end < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_end]))) ++unit_end;
    std::string unit = text.substr(digits_end, unit_end - digits_end);
    if (unit == "ms") total += std::chrono::milliseconds(value);
    else if (unit == "s") total += std::chrono::seconds(value);
    else if (unit == "m") total += std::chrono::minutes(value);
    else if (unit == "h") total += std::chrono::hours(value);
    else return invalid();
    pos = unit_end;
  }
  return total;
}

void AddOperatorCommand(CLI::App& app, CommandRegistry& registry, std::vector<runtime::ControllerFactory> controllers) {
  auto flags = std::make_shared<OperatorFlags>();
  CLI::App* cmd = app.add_subcommand(
      "operator", "Run the Lifeboat operator: watch Lifeboat resources and reconcile them (leader-elected)");
  cmd->add_option("--kubeconfig", flags->kubeconfig,
                  "Kubeconfig file (a ':'-separated list uses its first existing file); default: in-cluster service "
                  "account, then $HOME/.kube/config")
      ->envname("KUBECONFIG");
  cmd->add_option("--context", flags->context, "Kubeconfig context to use instead of current-context")
      ->envname("LIFEBOAT_CONTEXT");
  cmd->add_option("--namespace", flags->watch_namespace, "Namespace to watch; empty watches every namespace")
      ->envname("LIFEBOAT_WATCH_NAMESPACE");
  cmd->add_option("--http-address", flags->http_address,
                  "host:port serving /healthz, /readyz and /metrics (:8080 = every interface; port 0 = any free port)")
      ->envname("LIFEBOAT_HTTP_ADDRESS")
      ->capture_default_str();
  cmd->add_option("--workers", flags->workers, "Concurrent reconciles per controller")
      ->envname("LIFEBOAT_WORKERS")
      ->capture_default_str();
  cmd->add_option("--resync-period", flags->resync_period, "How often every object is reconciled even without changes")
      ->envname("LIFEBOAT_RESYNC_PERIOD")
      ->capture_default_str();
  cmd->add_option("--leader-elect", flags->leader_elect,
                  "Elect a leader through a coordination.k8s.io Lease so only one replica reconciles")
      ->envname("LIFEBOAT_LEADER_ELECT")
      ->capture_default_str();
  cmd->add_option("--leader-election-namespace", flags->lease_namespace,
                  "Namespace of the leader Lease; default: $POD_NAMESPACE, the service account's or kubeconfig "
                  "context's namespace, else default")
      ->envname("LIFEBOAT_LEADER_ELECTION_NAMESPACE");
  cmd->add_option("--leader-election-id", flags->lease_name, "Name of the leader Lease")
      ->envname("LIFEBOAT_LEADER_ELECTION_ID")
      ->capture_default_str();
  cmd->add_option("--leader-election-identity", flags->identity,
                  "This replica's identity in the Lease; default: hostname plus a random suffix")
      ->envname("LIFEBOAT_LEADER_ELECTION_IDENTITY");
  cmd->add_option("--lease-duration", flags->lease_duration, "How long followers wait before taking over a lease")
      ->envname("LIFEBOAT_LEASE_DURATION")
      ->capture_default_str();
  cmd->add_option("--renew-deadline", flags->renew_deadline, "How long the leader retries renewing before it gives up")
      ->envname("LIFEBOAT_RENEW_DEADLINE")
      ->capture_default_str();
  cmd->add_option("--retry-period", flags->retry_period, "Time between leader election attempts")
      ->envname("LIFEBOAT_RETRY_PERIOD")
      ->capture_default_str();
  cmd->add_option("--request-timeout", flags->request_timeout, "Timeout of one Kubernetes API request (not watches)")
      ->envname("LIFEBOAT_REQUEST_TIMEOUT")
      ->capture_default_str();
  cmd->add_option("--shutdown-timeout", flags->shutdown_timeout,
                  "After SIGTERM/SIGINT, exit even if reconciles are still running after this long")
      ->envname("LIFEBOAT_SHUTDOWN_TIMEOUT")
      ->capture_default_str();
  cmd->add_option("--log-format", flags->log_format, "json (one JSON object per line) or text")
      ->envname("LIFEBOAT_LOG_FORMAT")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  cmd->add_option("--log-level", flags->log_level, "trace, debug, info, warn or error")
      ->envname("LIFEBOAT_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  registry.commands.emplace_back(cmd, [flags, controllers = std::move(controllers)] {
    return RunOperator(*flags, controllers);
  });
}

}  // namespace lifeboat::cmd
