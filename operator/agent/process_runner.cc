#include "operator/agent/process_runner.h"

#include <cstring>

namespace lifeboat::agent {

std::string ProcessResult::Describe() const {
  if (term_signal != 0) return "killed by signal " + std::to_string(term_signal) + " (" + strsignal(term_signal) + ")";
  return "exited with status " + std::to_string(exit_code);
}

}  // namespace lifeboat::agent
