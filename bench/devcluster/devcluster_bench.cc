// devcluster_bench: measures an API server (the devcluster, or any cluster reachable with a token
// kubeconfig) over HTTPS and prints the numbers:
//   1. create → watch-event latency with one client (p50/p99/max),
//   2. create throughput for --objects ConfigMaps (--writers connections),
//   3. list latency of all --objects (one page, and pages of 500),
//   4. watch fan-out: --watchers watches while --updates patches run; delivered events/s and the
//      update → event latency seen by the watchers (p50/p99).
// Everything happens in two fresh namespaces, deleted at the end.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>
#include <vector>

#include "bench/devcluster/bench_client.h"

namespace {

using lifeboat::bench::BenchClient;
using lifeboat::bench::ClusterConfig;
using Clock = std::chrono::steady_clock;

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p / 100.0 * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "devcluster_bench: " << message << std::endl;
  std::exit(1);
}

std::string ConfigMapBody(const std::string& name, const std::string& value) {
  return nlohmann::json{{"apiVersion", "v1"},
                        {"kind", "ConfigMap"},
                        {"metadata", {{"name", name}, {"labels", {{"bench", "yes"}}}}},
                        {"data", {{"v", value}}}}
      .dump();
}

std::string ListResourceVersion(BenchClient& client, const std::string& ns) {
  auto response = client.Request("GET", "/api/v1/namespaces/" + ns + "/configmaps?limit=1");
  if (!response.ok() || response->code != 200) Die("list failed in " + ns);
  return nlohmann::json::parse(response->body)["metadata"]["resourceVersion"].get<std::string>();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"devcluster_bench: API server latency and throughput"};
  std::string kubeconfig;
  int latency_samples = 300;
  int objects = 10000;
  int writers = 8;
  int watchers = 50;
  int updates = 1000;
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig with a token user")->required();
  app.add_option("--latency-samples", latency_samples, "creates measured one by one")->check(CLI::PositiveNumber);
  app.add_option("--objects", objects, "objects created and listed")->check(CLI::PositiveNumber);
  app.add_option("--writers", writers, "parallel writer connections")->check(CLI::PositiveNumber);
  app.add_option("--watchers", watchers, "parallel watches during the update phase")->check(CLI::PositiveNumber);
  app.add_option("--updates", updates, "patches observed by every watcher")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  auto config = lifeboat::bench::LoadClusterConfig(kubeconfig);
  if (!config.ok()) Die(config.status().ToString());
  BenchClient admin(*config);
  const std::string suffix = std::to_string(::getpid());
  const std::string lat_ns = "bench-lat-" + suffix;
  const std::string tp_ns = "bench-tp-" + suffix;
  for (const auto& ns : {lat_ns, tp_ns}) {
    auto response = admin.Request("POST", "/api/v1/namespaces",
                                  nlohmann::json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}}.dump());
    if (!response.ok() || (response->code != 201 && response->code != 409)) Die("cannot create namespace " + ns);
  }

  // 1. create → watch-event latency, one client.
  {
    BenchClient watcher(*config);
    BenchClient creator(*config);
    std::string rv = ListResourceVersion(admin, lat_ns);
    auto started = watcher.StartStream("/api/v1/namespaces/" + lat_ns + "/configmaps?watch=1&resourceVersion=" + rv +
                                       "&timeoutSeconds=600");
    if (!started.ok()) Die(started.ToString());
    std::vector<double> latencies;
    for (int i = 0; i < latency_samples; ++i) {
      std::string name = "lat-" + std::to_string(i);
      auto t0 = Clock::now();
      auto response = creator.Request("POST", "/api/v1/namespaces/" + lat_ns + "/configmaps", ConfigMapBody(name, "x"));
      if (!response.ok() || response->code != 201) Die("create failed: " + (response.ok() ? response->body : response.status().ToString()));
      const std::string needle = "\"name\":\"" + name + "\"";
      while (true) {
        auto line = watcher.ReadLine();
        if (!line.ok()) Die("watch ended: " + line.status().ToString());
        if (line->find(needle) != std::string::npos && line->find("\"type\":\"ADDED\"") != std::string::npos) break;
      }
      latencies.push_back(Millis(Clock::now() - t0));
    }
    std::printf("create->watch latency (%d creates, 1 client): p50 %.2f ms  p99 %.2f ms  max %.2f ms\n",
                latency_samples, Percentile(latencies, 50), Percentile(latencies, 99),
                *std::max_element(latencies.begin(), latencies.end()));
  }

  // 2. create throughput.
  {
    std::atomic<int> next{0};
    std::atomic<bool> failed{false};
    auto t0 = Clock::now();
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&] {
        BenchClient client(*config);
        int i;
        while ((i = next.fetch_add(1)) < objects) {
          auto response = client.Request("POST", "/api/v1/namespaces/" + tp_ns + "/configmaps",
                                         ConfigMapBody("obj-" + std::to_string(i), "0"));
          if (!response.ok() || response->code != 201) failed = true;
        }
      });
    }
    for (auto& t : threads) t.join();
    double elapsed = Millis(Clock::now() - t0);
    if (failed) Die("some creates failed");
    std::printf("create throughput: %d objects in %.0f ms with %d connections = %.0f creates/s\n", objects, elapsed,
                writers, objects / (elapsed / 1000.0));
  }

  // 3. list latency.
  {
    std::vector<double> full;
    size_t count = 0;
    for (int run = 0; run < 3; ++run) {
      auto t0 = Clock::now();
      auto response = admin.Request("GET", "/api/v1/namespaces/" + tp_ns + "/configmaps");
      full.push_back(Millis(Clock::now() - t0));
      if (!response.ok() || response->code != 200) Die("list failed");
      count = nlohmann::json::parse(response->body)["items"].size();
    }
    if (count != static_cast<size_t>(objects)) Die("list returned " + std::to_string(count) + " objects");
    auto t0 = Clock::now();
    std::string token;
    size_t paged = 0;
    int pages = 0;
    do {
      std::string path = "/api/v1/namespaces/" + tp_ns + "/configmaps?limit=500";
      if (!token.empty()) path += "&continue=" + token;
      auto response = admin.Request("GET", path);
      if (!response.ok() || response->code != 200) Die("paginated list failed");
      auto body = nlohmann::json::parse(response->body);
      paged += body["items"].size();
      token = body["metadata"].value("continue", "");
      ++pages;
    } while (!token.empty());
    double paged_ms = Millis(Clock::now() - t0);
    if (paged != static_cast<size_t>(objects)) Die("paginated list returned " + std::to_string(paged));
    std::printf("list %d objects: one page best %.0f ms (median %.0f ms); %d pages of 500: %.0f ms\n", objects,
                *std::min_element(full.begin(), full.end()), Percentile(full, 50), pages, paged_ms);
  }

  // 4. watch fan-out under updates.
  {
    std::string rv = ListResourceVersion(admin, tp_ns);
    std::mutex mutex;
    std::vector<double> latencies;
    std::atomic<int> ready{0};
    std::atomic<int> complete{0};
    std::atomic<int64_t> last_event_ns{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < watchers; ++w) {
      threads.emplace_back([&] {
        BenchClient client(*config);
        auto started = client.StartStream("/api/v1/namespaces/" + tp_ns + "/configmaps?watch=1&resourceVersion=" + rv +
                                          "&timeoutSeconds=300");
        ready++;
        if (!started.ok()) return;
        std::vector<double> mine;
        mine.reserve(static_cast<size_t>(updates));
        int seen = 0;
        while (seen < updates) {
          auto line = client.ReadLine();
          if (!line.ok()) break;
          size_t at = line->find("\"v\":\"t");
          if (at == std::string::npos) continue;
          int64_t sent = std::atoll(line->c_str() + at + 6);
          int64_t now = NowNanos();
          mine.push_back(static_cast<double>(now - sent) / 1e6);
          ++seen;
        }
        int64_t done = NowNanos();
        int64_t previous = last_event_ns.load();
        while (done > previous && !last_event_ns.compare_exchange_weak(previous, done)) {
        }
        if (seen == updates) complete++;
        std::lock_guard lock(mutex);
        latencies.insert(latencies.end(), mine.begin(), mine.end());
      });
    }
    while (ready.load() < watchers) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let every watch request reach the server
    std::atomic<int> next{0};
    int64_t start_ns = NowNanos();
    std::vector<std::thread> writers_threads;
    int update_writers = std::min(writers, 4);
    for (int w = 0; w < update_writers; ++w) {
      writers_threads.emplace_back([&] {
        BenchClient client(*config);
        int i;
        while ((i = next.fetch_add(1)) < updates) {
          std::string patch = "{\"data\":{\"v\":\"t" + std::to_string(NowNanos()) + "\"}}";
          auto response = client.Request("PATCH", "/api/v1/namespaces/" + tp_ns + "/configmaps/obj-" +
                                                      std::to_string(i % objects), patch, "application/merge-patch+json");
          if (!response.ok() || response->code != 200) Die("patch failed");
        }
      });
    }
    for (auto& t : writers_threads) t.join();
    int64_t writes_done_ns = NowNanos();
    for (auto& t : threads) t.join();
    if (complete.load() != watchers) Die(std::to_string(watchers - complete.load()) + " watchers missed events");
    double elapsed_ms = static_cast<double>(last_event_ns.load() - start_ns) / 1e6;
    double write_ms = static_cast<double>(writes_done_ns - start_ns) / 1e6;
    std::printf("watch fan-out: %d watchers x %d updates (%d writers): updates %.0f/s, %.0f events delivered/s; "
                "update->event latency p50 %.2f ms  p99 %.2f ms\n",
                watchers, updates, update_writers, updates / (write_ms / 1000.0),
                static_cast<double>(watchers) * updates / (elapsed_ms / 1000.0), Percentile(latencies, 50),
                Percentile(latencies, 99));
  }

  for (const auto& ns : {lat_ns, tp_ns}) admin.Request("DELETE", "/api/v1/namespaces/" + ns);
  return 0;
}
