#include "e2e/devcluster/jobs/image_paths.h"

namespace lifeboat::devcluster {
namespace {

std::string Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  const size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

// Splits `text` at `separator`, trimming each part and dropping empty ones.
std::vector<std::string> Split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    std::string part = Trim(text.substr(start, end - start));
    if (!part.empty()) parts.push_back(std::move(part));
    start = end + 1;
  }
  return parts;
}

bool ValidUserPart(std::string_view part) {
  return !part.empty() && part.find_first_of(" \t:=,;/") == std::string_view::npos;
}

// "user=USER[:GROUP]" -> the USER[:GROUP] text, validated.
StatusOr<std::string> ParseUserField(const std::string& entry, std::string_view value) {
  const size_t colon = value.find(':');
  const std::string_view user = value.substr(0, colon);
  const bool group_ok = colon == std::string_view::npos || ValidUserPart(value.substr(colon + 1));
  if (!ValidUserPart(user) || !group_ok) {
    return InvalidArgumentError("image path entry \"" + entry + "\": user \"" + std::string(value) +
                                "\" is not of the form USER[:GROUP] (a uid or a name)");
  }
  return std::string(value);
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
      return InvalidArgumentError("image path entry \"" + entry +
                                  "\" is not of the form image=/dir[:/dir...][,user=USER[:GROUP]]");
    }
    const std::string image = Trim(std::string_view(entry).substr(0, eq));
    ImageConfig config;
    for (const std::string& field : Split(std::string_view(entry).substr(eq + 1), ',')) {
      constexpr std::string_view kUser = "user=";
      if (field.rfind(kUser, 0) == 0) {
        auto user = ParseUserField(entry, Trim(std::string_view(field).substr(kUser.size())));
        if (!user.ok()) return user.status();
        config.user = *user;
        continue;
      }
      for (const std::string& dir : Split(field, ':')) {
        if (dir.front() != '/') {
          return InvalidArgumentError("image path entry \"" + entry + "\": directory " + dir +
                                      " is not absolute (fields are /dir[:/dir...] or user=USER[:GROUP])");
        }
        config.dirs.push_back(dir);
      }
    }
    ImageConfig& existing = map[image];
    existing.dirs.insert(existing.dirs.end(), config.dirs.begin(), config.dirs.end());
    if (!config.user.empty()) existing.user = config.user;
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

const ImageConfig* FindImageConfig(std::string_view image, const ImagePathMap& map) {
  const std::string repo = ImageRepository(image);
  const std::string last = repo.substr(repo.rfind('/') == std::string::npos ? 0 : repo.rfind('/') + 1);
  for (const std::string& key : {std::string(image), repo, last}) {
    auto it = map.find(key);
    if (it != map.end()) return &it->second;
  }
  return nullptr;
}

std::vector<std::string> ImagePathDirs(std::string_view image, const ImagePathMap& map) {
  const ImageConfig* config = FindImageConfig(image, map);
  return config ? config->dirs : std::vector<std::string>{};
}

std::string ImageUserFor(std::string_view image, const ImagePathMap& map) {
  const ImageConfig* config = FindImageConfig(image, map);
  return config ? config->user : "";
}

std::string DefaultProgramForImage(std::string_view image) {
  const std::string repo = ImageRepository(image);
  const size_t slash = repo.rfind('/');
  return slash == std::string::npos ? repo : repo.substr(slash + 1);
}

}  // namespace lifeboat::devcluster
