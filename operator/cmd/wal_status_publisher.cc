#include "operator/cmd/wal_status_publisher.h"

#include <nlohmann/json.hpp>

namespace lifeboat::cmd {
namespace {

const kube::ResourceRef kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};

}  // namespace

WalStatusPublisher::WalStatusPublisher(kube::ApiClient& api, const Clock& clock, std::string ns,
                                       std::string config_map, Log log, std::chrono::seconds heartbeat)
    : api_(api),
      clock_(clock),
      ns_(std::move(ns)),
      config_map_(std::move(config_map)),
      log_(std::move(log)),
      heartbeat_(heartbeat) {}

void WalStatusPublisher::Publish(const agent::WalStreamStatus& status) {
  nlohmann::json document = agent::WalStreamStatusToJson(status);
  nlohmann::json without_time = document;
  without_time.erase("updated");
  const std::string content = without_time.dump();
  const SteadyTime now = clock_.SteadyNow();
  const bool news = content != last_written_;
  const bool heartbeat_due = last_write_ == SteadyTime{} || now - last_write_ >= heartbeat_;
  if (!news && !heartbeat_due) return;

  nlohmann::json patch = {{"data", {{kWalStatusKey, document.dump()}}}};
  auto written = api_.Patch(kConfigMaps, ns_, config_map_, kube::PatchType::kMerge, patch);
  if (!written.ok()) {
    std::string error = "Writing the streamer's status to ConfigMap " + ns_ + "/" + config_map_ + ": " +
                        written.status().message();
    if (error != last_error_) log_("warn", error);
    last_error_ = error;
    return;
  }
  if (!last_error_.empty()) log_("info", "The streamer's status reaches ConfigMap " + ns_ + "/" + config_map_ + " again");
  last_error_.clear();
  last_written_ = content;
  last_write_ = now;
}

}  // namespace lifeboat::cmd
