// FakeProcessRunner: a ProcessRunner that records every call and answers from a test-supplied
// handler, so orchestration is tested without starting processes. Thread-safe (calls are recorded
// under a mutex; the handler must be thread-safe if the code under test calls concurrently).
#pragma once

#include <algorithm>
#include <mutex>

#include "operator/agent/process_runner.h"

namespace lifeboat::agent::testing {

struct FakeCall {
  std::string kind;        // "run", "pipeline", "start-finish", "start-abort"
  ProcessSpec spec;        // The process (the producer for a pipeline).
  ProcessSpec consumer;    // Pipelines only.
  std::string stdin_data;  // run and start-finish.

  // The first argv element after the program that is one of restic's/our subcommands.
  std::string Subcommand() const {
    const ProcessSpec& s = kind == "pipeline" ? consumer : spec;
    for (std::size_t i = 1; i < s.argv.size(); ++i) {
      if (s.argv[i].rfind("-", 0) != 0 && (i == 1 || s.argv[i - 1].rfind("--cacert", 0) != 0)) return s.argv[i];
    }
    return "";
  }
  bool HasArg(const std::string& arg) const {
    return std::find(spec.argv.begin(), spec.argv.end(), arg) != spec.argv.end() ||
           std::find(consumer.argv.begin(), consumer.argv.end(), arg) != consumer.argv.end();
  }
};

struct FakeResponse {
  ProcessResult result;                  // The process (the consumer for a pipeline).
  ProcessResult producer;                // Pipelines only.
  std::vector<std::string> stdout_lines;
  std::uint64_t bytes = 0;
};

class FakeProcessRunner final : public ProcessRunner {
 public:
  using Handler = std::function<FakeResponse(const FakeCall&)>;
  explicit FakeProcessRunner(Handler handler) : handler_(std::move(handler)) {}

  StatusOr<ProcessResult> Run(const ProcessSpec& spec, const std::string& stdin_data, const LineCallback& cb) override {
    FakeResponse r = Record({"run", spec, {}, stdin_data});
    for (const auto& line : r.stdout_lines) if (cb) cb(line);
    return r.result;
  }
  StatusOr<PipelineResult> RunPipeline(const ProcessSpec& producer, const ProcessSpec& consumer, const LineCallback& cb) override {
    FakeResponse r = Record({"pipeline", producer, consumer, ""});
    for (const auto& line : r.stdout_lines) if (cb) cb(line);
    PipelineResult out;
    out.producer = r.producer;
    out.consumer = r.result;
    out.bytes_transferred = r.bytes;
    return out;
  }
  StatusOr<std::unique_ptr<RunningProcess>> Start(const ProcessSpec& spec, const LineCallback& cb) override {
    return std::unique_ptr<RunningProcess>(std::make_unique<Running>(this, spec, cb));
  }

  std::vector<FakeCall> Calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<FakeCall> CallsOf(const std::string& subcommand) const {
    std::vector<FakeCall> out;
    for (const auto& c : Calls()) if (c.Subcommand() == subcommand) out.push_back(c);
    return out;
  }

 private:
  class Running final : public RunningProcess {
   public:
    Running(FakeProcessRunner* owner, ProcessSpec spec, LineCallback cb) : owner_(owner), spec_(std::move(spec)), cb_(std::move(cb)) {}
    StatusOr<ProcessResult> Finish(const std::string& data) override {
      FakeResponse r = owner_->Record({"start-finish", spec_, {}, data});
      for (const auto& line : r.stdout_lines) if (cb_) cb_(line);
      return r.result;
    }
    ProcessResult Abort() override {
      owner_->Record({"start-abort", spec_, {}, ""});
      ProcessResult r;
      r.term_signal = 15;
      return r;
    }

   private:
    FakeProcessRunner* owner_;
    ProcessSpec spec_;
    LineCallback cb_;
  };

  FakeResponse Record(FakeCall call) {
    {
      std::lock_guard lock(mutex_);
      calls_.push_back(call);
    }
    if (call.kind == "start-abort") return {};
    return handler_(call);
  }

  Handler handler_;
  mutable std::mutex mutex_;
  std::vector<FakeCall> calls_;
};

}  // namespace lifeboat::agent::testing
