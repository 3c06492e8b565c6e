#include "operator/kube/line_splitter.h"

namespace lifeboat::kube {

std::vector<std::string> LineSplitter::Feed(std::string_view bytes) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < bytes.size()) {
    size_t newline = bytes.find('\n', start);
    if (newline == std::string_view::npos) {
      partial_.append(bytes.substr(start));
      break;
    }
    partial_.append(bytes.substr(start, newline - start));
    if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
    if (!partial_.empty()) lines.push_back(std::move(partial_));
    partial_.clear();
    start = newline + 1;
  }
  return lines;
}

std::string LineSplitter::TakeRemainder() {
  std::string rest = std::move(partial_);
  partial_.clear();
  if (!rest.empty() && rest.back() == '\r') rest.pop_back();
  return rest;
}

}  // namespace lifeboat::kube
