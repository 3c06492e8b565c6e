// Image paths: what the local kubelet knows of a container image instead of pulling it. There are
// no images here: a container runs host programs found on PATH. A test can give an image its own
// binaries by mapping the image to directories that are put in front of PATH for that image's
// containers, and can state the user the image's config names (its Dockerfile `USER`), which a
// container runs as unless its securityContext says otherwise:
//
//   LIFEBOAT_DEVCLUSTER_IMAGE_PATH="ghcr.io/x/lifeboat=/repo/build/bin,user=65532:65532;postgres=/usr/lib/postgresql/15/bin"
//
// Entries are separated by ';' or newlines. An entry is `image=FIELD[,FIELD...]` where a FIELD is
//   /dir[:/dir...]        absolute directories put in front of PATH (the original syntax)
//   user=USER[:GROUP]     the image's USER, exactly as a Dockerfile writes it: a numeric uid or a
//                         name (looked up in the sandbox's /etc/passwd, i.e. the host's), and
//                         optionally the group its processes get
// in any order (`distroless=user=65532` maps only a user). An image without a user runs as root,
// as an image without USER does.
//
// A container without `command` runs the program named like the image (last path segment, tag and
// digest dropped: "docker.io/library/postgres:15" runs "postgres") with its `args`.
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

// What one entry says about an image.
struct ImageConfig {
  std::vector<std::string> dirs;  // in front of PATH, in order
  // The image's USER ("65532", "65532:65532", "postgres", "nobody:nogroup"); "" when the entry
  // names none (the image runs as root).
  std::string user;
  friend bool operator==(const ImageConfig&, const ImageConfig&) = default;
};

using ImagePathMap = std::map<std::string, ImageConfig>;

// Parses the entries (syntax above). InvalidArgument for an entry without '=', a relative
// directory, an empty or malformed user, or a field that is neither.
StatusOr<ImagePathMap> ParseImagePathMap(std::string_view text);

// "docker.io/library/postgres:15@sha256:..." -> "docker.io/library/postgres".
std::string ImageRepository(std::string_view image);

// The entry for `image`: an exact entry first, then its repository, then the repository's last
// path segment; nullptr if none matches. The first entry that matches supplies everything.
const ImageConfig* FindImageConfig(std::string_view image, const ImagePathMap& map);

// The directories for `image` (FindImageConfig's), empty if none matches.
std::vector<std::string> ImagePathDirs(std::string_view image, const ImagePathMap& map);

// The USER of `image` (FindImageConfig's), "" if none matches or the entry names none.
std::string ImageUserFor(std::string_view image, const ImagePathMap& map);

// The program a container without `command` runs: the repository's last path segment.
std::string DefaultProgramForImage(std::string_view image);

}  // namespace lifeboat::devcluster
