// Image paths: how the local kubelet maps a container image to host programs. There are no images
// here: a container runs host programs found on PATH. A test can give an image its own binaries by
// mapping the image to directories that are put in front of PATH for that image's containers
// (LIFEBOAT_DEVCLUSTER_IMAGE_PATH="ghcr.io/x/lifeboat=/repo/build/bin;postgres=/usr/lib/postgresql/15/bin").
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

using ImagePathMap = std::map<std::string, std::vector<std::string>>;

// Parses "image=dir[:dir...]" entries separated by ';' or newlines. InvalidArgument for an entry
// without '=' or with a relative directory.
StatusOr<ImagePathMap> ParseImagePathMap(std::string_view text);

// "docker.io/library/postgres:15@sha256:..." -> "docker.io/library/postgres".
std::string ImageRepository(std::string_view image);

// The directories for `image`: an exact entry first, then its repository, then the repository's
// last path segment; empty if none matches.
std::vector<std::string> ImagePathDirs(std::string_view image, const ImagePathMap& map);

// The program a container without `command` runs: the repository's last path segment.
std::string DefaultProgramForImage(std::string_view image);

}  // namespace lifeboat::devcluster
