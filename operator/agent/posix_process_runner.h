// PosixProcessRunner: ProcessRunner on posix_spawn with pipes and one thread per stream.
// In RunPipeline the producer's output flows through a bounded in-memory buffer (kPipelineBufferBytes)
// to the consumer; when the producer ends with a failure, the consumer is terminated (SIGTERM) instead
// of seeing EOF, so restic never completes a snapshot of a truncated stream.
// Thread-safe: calls are independent. Ignores SIGPIPE in the agent process (children get the default).
#pragma once

#include "operator/agent/process_runner.h"

namespace lifeboat::agent {

inline constexpr std::size_t kPipelineBufferBytes = 256u << 20;

class PosixProcessRunner final : public ProcessRunner {
 public:
  PosixProcessRunner();

  StatusOr<ProcessResult> Run(const ProcessSpec& spec, const std::string& stdin_data,
                              const LineCallback& on_stdout_line) override;
  StatusOr<PipelineResult> RunPipeline(const ProcessSpec& producer, const ProcessSpec& consumer,
                                       const LineCallback& on_consumer_stdout_line) override;
  StatusOr<std::unique_ptr<RunningProcess>> Start(const ProcessSpec& spec,
                                                  const LineCallback& on_stdout_line) override;
};

}  // namespace lifeboat::agent
