// Job pod builder: the Pod the job controller creates from a Job's template, as the real one does
// (name `<job>-<5 random chars>` with generateName `<job>-`, the base cut to 58 characters, labels job-name/controller-uid and
// their batch.kubernetes.io/ forms, a controller ownerReference with blockOwnerDeletion, and the
// job-tracking finalizer). Pure functions; thread-safe. Randomness is injected.
#pragma once

#include <random>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace lifeboat::devcluster {

// The alphabet the API server uses for generateName suffixes (no vowels, no look-alikes).
inline constexpr std::string_view kNameSuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

// Five characters drawn from kNameSuffixAlphabet.
std::string RandomNameSuffix(std::mt19937_64& random);

// The name the API server gives an object with `generateName: base`: the base cut to 58
// characters (so that the name stays a 63-character DNS label), then the 5-character suffix.
std::string GeneratedName(std::string_view base, std::string_view suffix);

// The Pod (apiVersion v1, kind Pod) for `job` named GeneratedName("<job name>-", suffix), in the
// Job's namespace.
nlohmann::json BuildJobPod(const nlohmann::json& job, std::string_view suffix);

}  // namespace lifeboat::devcluster
