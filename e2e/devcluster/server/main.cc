// lifeboat-devcluster: a Kubernetes-compatible HTTPS API server (and, when built with it, the local
// job runner) for tests and the demo. Prints one line when ready:
//   lifeboat-devcluster ready https://127.0.0.1:<port> kubeconfig=<file>
// and stops cleanly on SIGTERM or SIGINT.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "e2e/devcluster/server/api_handler.h"
#include "e2e/devcluster/server/https_server.h"
#include "e2e/devcluster/server/kubeconfig.h"
#include "e2e/devcluster/server/request_log.h"
#include "e2e/devcluster/server/tls_material.h"
#include "e2e/devcluster/store/object_store.h"
#include "e2e/devcluster/jobs/job_runner.h"

namespace {

int Fail(const std::string& message) {
  std::cerr << "lifeboat-devcluster: " << message << std::endl;
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lifeboat;
  using namespace lifeboat::devcluster;

  CLI::App app{"lifeboat-devcluster: a Kubernetes-compatible API server for tests and the demo"};
  int port = 0;
  std::string data_dir;
  std::string kubeconfig_out;
  bool no_job_runner = false;
  size_t watch_history = 1000;
  app.add_option("--port", port, "TCP port on 127.0.0.1 (0 picks a free one)")->check(CLI::Range(0, 65535));
  app.add_option("--data-dir", data_dir, "Directory for state, certificates, logs and volumes")->required();
  app.add_option("--kubeconfig-out", kubeconfig_out, "Where to write the kubeconfig (default <data-dir>/kubeconfig)");
  app.add_flag("--no-job-runner", no_job_runner, "Do not run Job pods as local processes");
  app.add_option("--watch-history", watch_history, "How many changes watches can resume from (older: 410 Expired)")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Fail("cannot create data dir " + data_dir + ": " + ec.message());
  const std::filesystem::path data = std::filesystem::absolute(data_dir);
  if (kubeconfig_out.empty()) kubeconfig_out = (data / "kubeconfig").string();

  // Block the stop signals before any thread starts, so every thread inherits the mask and only
  // sigwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto material = LoadOrCreateTlsMaterial(data / "pki");
  if (!material.ok()) return Fail(material.status().ToString());

  ObjectStoreOptions store_options;
  store_options.data_dir = data;
  store_options.watch_history = watch_history;
  auto store = ObjectStore::Open(store_options, SystemClock::Instance());
  if (!store.ok()) return Fail("cannot open the store: " + store.status().ToString());

  RequestLog request_log(SystemClock::Instance());
  if (Status s = request_log.Open(data / "requests.log"); !s.ok()) return Fail(s.ToString());

  ApiHandlerOptions handler_options;
  handler_options.data_dir = data;
  handler_options.token = material->token;
  ApiHandler* handler_ptr = nullptr;
  HttpsServer server(*material, [&handler_ptr](const HttpRequest& request, ResponseWriter& writer) {
    handler_ptr->Handle(request, writer);
  });
  // The handler needs the bound port (for /api): bind first, build the handler, then serve.
  if (Status s = server.Listen(port); !s.ok()) return Fail(s.ToString());
  handler_options.server_address = "127.0.0.1:" + std::to_string(server.port());
  ApiHandler handler(**store, handler_options, SystemClock::Instance(), &request_log);
  handler_ptr = &handler;
  server.Serve();

  std::unique_ptr<JobRunner> job_runner;
  if (!no_job_runner) {
    job_runner = std::make_unique<JobRunner>(**store, data, SystemClock::Instance());
    job_runner->SetInClusterApi({"127.0.0.1", server.port(), material->ca_cert_pem, material->token});
    job_runner->Start();
  }

  const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
  KubeconfigParams kubeconfig{url, material->ca_cert_pem, material->token};
  if (Status s = WriteKubeconfig(kubeconfig_out, kubeconfig); !s.ok()) return Fail(s.ToString());

  std::cout << "lifeboat-devcluster ready " << url << " kubeconfig=" << kubeconfig_out << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cerr << "lifeboat-devcluster: stopping (signal " << signal_number << ")" << std::endl;
  if (job_runner) job_runner->Stop();
  server.Stop();
  if (Status s = (*store)->Close(); !s.ok()) return Fail("closing the store: " + s.ToString());
  return 0;
}
