// LineSplitter: turns arbitrary pieces of a byte stream into complete '\n'-terminated lines,
// joining lines split across chunk boundaries (a watch body arrives in chunks that need not align
// with its newline-delimited events). Pure; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lifeboat::kube {

class LineSplitter {
 public:
  // Appends bytes and returns every line completed by them, without the '\n' (and a trailing '\r'
  // removed). Empty lines are skipped.
  std::vector<std::string> Feed(std::string_view bytes);
  // The bytes of an unterminated last line (returned as the final line at end of stream).
  std::string TakeRemainder();
  bool HasRemainder() const { return !partial_.empty(); }

 private:
  std::string partial_;
};

}  // namespace lifeboat::kube
