#include "operator/agent/stream_backup_decision.h"

#include <csignal>

namespace lifeboat::agent {

std::string FirstErrorLine(const std::string& stderr_text) {
  std::size_t start = 0;
  std::string first;
  while (start < stderr_text.size()) {
    auto nl = stderr_text.find('\n', start);
    std::string line = stderr_text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? stderr_text.size() : nl + 1;
    if (line.empty()) continue;
    if (line.find("error") != std::string::npos || line.find("Fatal") != std::string::npos ||
        line.find("FATAL") != std::string::npos) {
      return line;
    }
    if (first.empty()) first = line;
  }
  return first;
}

StreamBackupDecision DecideStreamBackup(const std::string& producer_name, const PipelineResult& pipeline,
                                        const std::optional<ResticBackupSummary>& summary) {
  StreamBackupDecision d;
  const bool saved = pipeline.consumer.Succeeded() && summary && !summary->snapshot_id.empty();
  // restic failing on its own (wrong password, storage error) breaks the pipe under pg_dump: then
  // restic's error is the cause, not pg_dump's broken pipe.
  const bool consumer_failed_by_itself = !pipeline.consumer.Succeeded() && pipeline.consumer.term_signal == 0;
  const bool producer_lost_its_pipe =
      pipeline.producer.term_signal == SIGPIPE || pipeline.producer.stderr_tail.find("Broken pipe") != std::string::npos;
  if (!pipeline.producer.Succeeded() && !(consumer_failed_by_itself && producer_lost_its_pipe)) {
    std::string detail = FirstErrorLine(pipeline.producer.stderr_tail);
    d.status = InternalError(producer_name + " " + pipeline.producer.Describe() + (detail.empty() ? "" : ": " + detail));
    d.reason = "DumpFailed";
    if (summary && !summary->snapshot_id.empty()) d.forget_snapshot = summary->snapshot_id;
    return d;
  }
  if (!pipeline.consumer.Succeeded()) {
    d.status = ClassifyResticFailure("storing the " + producer_name + " output", pipeline.consumer);
    d.reason = d.status.code() == StatusCode::kPermissionDenied ? "RepositoryAccessDenied" : "RepositoryFailed";
    if (summary && !summary->snapshot_id.empty()) d.forget_snapshot = summary->snapshot_id;
    return d;
  }
  if (!saved) {
    d.status = InternalError("restic finished without reporting a snapshot for the " + producer_name + " output");
    d.reason = "RepositoryFailed";
    return d;
  }
  d.snapshot_id = summary->snapshot_id;
  return d;
}

}  // namespace lifeboat::agent
