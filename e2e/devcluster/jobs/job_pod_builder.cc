#include "e2e/devcluster/jobs/job_pod_builder.h"

#include "e2e/devcluster/jobs/job_decide.h"

namespace lifeboat::devcluster {

std::string RandomNameSuffix(std::mt19937_64& random) {
  std::uniform_int_distribution<size_t> pick(0, kNameSuffixAlphabet.size() - 1);
  std::string suffix;
  for (int i = 0; i < 5; ++i) suffix.push_back(kNameSuffixAlphabet[pick(random)]);
  return suffix;
}

std::string GeneratedName(std::string_view base, std::string_view suffix) {
  constexpr size_t kMaxGeneratedBaseLength = 63 - 5;
  return std::string(base.substr(0, kMaxGeneratedBaseLength)) + std::string(suffix);
}

nlohmann::json BuildJobPod(const nlohmann::json& job, std::string_view suffix) {
  using nlohmann::json;
  const json& metadata = job.at("metadata");
  const std::string job_name = metadata.value("name", "");
  const std::string uid = metadata.value("uid", "");
  json template_spec = json::object();
  json template_metadata = json::object();
  if (job.contains("spec") && job["spec"].contains("template")) {
    const json& tmpl = job["spec"]["template"];
    if (tmpl.contains("spec") && tmpl["spec"].is_object()) template_spec = tmpl["spec"];
    if (tmpl.contains("metadata") && tmpl["metadata"].is_object()) template_metadata = tmpl["metadata"];
  }
  json labels = template_metadata.contains("labels") && template_metadata["labels"].is_object()
                    ? template_metadata["labels"]
                    : json::object();
  labels["job-name"] = job_name;
  labels["controller-uid"] = uid;
  labels["batch.kubernetes.io/job-name"] = job_name;
  labels["batch.kubernetes.io/controller-uid"] = uid;

  json pod_metadata = {
      {"name", GeneratedName(job_name + "-", suffix)},
      {"generateName", job_name + "-"},
      {"namespace", metadata.value("namespace", "default")},
      {"labels", labels},
      {"finalizers", json::array({kJobTrackingFinalizer})},
      {"ownerReferences",
       json::array({{{"apiVersion", "batch/v1"},
                     {"kind", "Job"},
                     {"name", job_name},
                     {"uid", uid},
                     {"controller", true},
                     {"blockOwnerDeletion", true}}})},
  };
  if (template_metadata.contains("annotations") && template_metadata["annotations"].is_object()) {
    pod_metadata["annotations"] = template_metadata["annotations"];
  }
  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", pod_metadata}, {"spec", template_spec}};
}

}  // namespace lifeboat::devcluster
