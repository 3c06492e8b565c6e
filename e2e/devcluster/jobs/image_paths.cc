#include "e2e/devcluster/jobs/image_paths.h"

namespace lifeboat::devcluster {
namespace {

std::string Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  const size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

}  // namespace

StatusOr<ImagePathMap> ParseImagePathMap(std::string_view text) {
  ImagePathMap map;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(";\n", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string entry = Trim(text.substr(start, end - start));
    start = end + 1;
    if (entry.empty()) continue;
    const size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("image path entry \"" + entry + "\" is not of the form image=/dir[:/dir...]");
    }
    const std::string image = Trim(std::string_view(entry).substr(0, eq));
    std::string_view dirs = std::string_view(entry).substr(eq + 1);
    size_t d = 0;
    while (d <= dirs.size()) {
      size_t colon = dirs.find(':', d);
      if (colon == std::string_view::npos) colon = dirs.size();
      const std::string dir = Trim(dirs.substr(d, colon - d));
      d = colon + 1;
      if (dir.empty()) continue;
      if (dir.front() != '/') {
        return InvalidArgumentError("image path entry \"" + entry + "\": directory " + dir + " is not absolute");
      }
      map[image].push_back(dir);
    }
  }
  return map;
}

std::string ImageRepository(std::string_view image) {
  std::string_view repo = image.substr(0, image.find('@'));
  const size_t slash = repo.rfind('/');
  const size_t colon = repo.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) repo = repo.substr(0, colon);
  return std::string(repo);
}

std::vector<std::string> ImagePathDirs(std::string_view image, const ImagePathMap& map) {
  const std::string repo = ImageRepository(image);
  const std::string last = repo.substr(repo.rfind('/') == std::string::npos ? 0 : repo.rfind('/') + 1);
  for (const std::string& key : {std::string(image), repo, last}) {
    auto it = map.find(key);
    if (it != map.end()) return it->second;
  }
  return {};
}

std::string DefaultProgramForImage(std::string_view image) {
  const std::string repo = ImageRepository(image);
  const size_t slash = repo.rfind('/');
  return slash == std::string::npos ? repo : repo.substr(slash + 1);
}

}  // namespace lifeboat::devcluster
