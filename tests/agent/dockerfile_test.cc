// Checks the image definition (top-level Dockerfile) against what the agent runs: every program in
// kExternalPrograms must come from a Debian package installed in the runtime stage (ownership asked
// from dpkg on this Debian machine) and be on the runtime PATH; the agent sources must not start any
// program missing from that list; the stages are Debian bookworm and the runtime user is not root.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "operator/agent/external_programs.h"

namespace lifeboat::agent {
namespace {

namespace fs = std::filesystem;

struct Stage {
  std::string from;                 // The FROM line.
  std::vector<std::string> instructions;  // Continuation lines joined.
};

std::vector<Stage> ParseDockerfile(const std::string& path) {
  std::ifstream in(path);
  std::vector<Stage> stages;
  std::string line, current;
  std::vector<std::string> instructions;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') continue;
    bool continues = !line.empty() && line.back() == '\\';
    if (continues) line.pop_back();
    current += line + " ";
    if (continues) continue;
    if (current.find_first_not_of(' ') != std::string::npos) instructions.push_back(current);
    current.clear();
  }
  for (const auto& ins : instructions) {
    std::string trimmed = ins.substr(ins.find_first_not_of(' '));
    if (trimmed.rfind("FROM ", 0) == 0) {
      stages.push_back({trimmed, {}});
    } else if (!stages.empty()) {
      stages.back().instructions.push_back(trimmed);
    }
  }
  return stages;
}

std::set<std::string> AptPackages(const Stage& stage) {
  std::set<std::string> packages;
  for (const auto& ins : stage.instructions) {
    if (ins.rfind("RUN ", 0) != 0) continue;
    std::istringstream words(ins);
    std::string word;
    bool installing = false;
    while (words >> word) {
      if (word == "&&" || word == ";" || word == "|") installing = false;
      else if (word == "install" ) installing = true;
      else if (installing && word[0] != '-') packages.insert(word);
    }
  }
  return packages;
}

std::string RuntimePath(const Stage& stage) {
  std::regex path_re(R"(PATH=([^ ]+))");
  std::smatch m;
  for (const auto& ins : stage.instructions) {
    if (ins.rfind("ENV ", 0) == 0 && std::regex_search(ins, m, path_re)) return m[1];
  }
  return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";  // Debian's default.
}

// The Debian packages owning `path` on this machine (dpkg -S).
std::set<std::string> Owners(const std::string& path) {
  std::set<std::string> out;
  std::string cmd = "dpkg -S '" + path + "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, p) != nullptr) {
    std::string line(buffer);
    auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    std::istringstream names(line.substr(0, colon));
    std::string name;
    while (std::getline(names, name, ',')) {
      name.erase(0, name.find_first_not_of(' '));
      out.insert(name.substr(0, name.find(':')));
    }
  }
  ::pclose(p);
  return out;
}

class DockerfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stages_ = ParseDockerfile(std::string(LIFEBOAT_SOURCE_DIR) + "/Dockerfile");
    ASSERT_GE(stages_.size(), 2u) << "expected a multi-stage Dockerfile";
  }
  std::vector<Stage> stages_;
};

TEST_F(DockerfileTest, EveryStageIsDebianBookworm) {
  for (const auto& s : stages_) EXPECT_NE(s.from.find("debian:bookworm"), std::string::npos) << s.from;
}

TEST_F(DockerfileTest, RuntimeStageInstallsEveryProgramTheAgentRuns) {
  const Stage& runtime = stages_.back();
  std::set<std::string> installed = AptPackages(runtime);
  EXPECT_TRUE(installed.count("ca-certificates")) << "CA certificates are needed for HTTPS repositories";
  std::string path = RuntimePath(runtime);
  for (std::string_view program : kExternalPrograms) {
    bool found = false;
    std::string where;
    std::istringstream dirs(path);
    std::string dir;
    while (!found && std::getline(dirs, dir, ':')) {
      fs::path candidate = fs::path(dir) / program;
      if (!fs::exists(candidate)) continue;
      for (const auto& owner : Owners(candidate.string())) {
        where += candidate.string() + " is from " + owner + "; ";
        if (installed.count(owner)) found = true;
      }
    }
    EXPECT_TRUE(found) << program << " is not provided by a package installed in the runtime stage on its PATH ("
                       << (where.empty() ? "no such file on the runtime PATH on this machine" : where) << ")";
  }
}

TEST_F(DockerfileTest, RuntimeStageCarriesTheDrillsScratchServer) {
  const std::set<std::string> installed = AptPackages(stages_.back());
  for (std::string_view program : kScratchServerPrograms) {
    const std::string path = "/usr/lib/postgresql/15/bin/" + std::string(program);
    bool found = false;
    for (const auto& owner : Owners(path)) found = found || installed.count(owner) > 0;
    EXPECT_TRUE(found) << path << " (the drill's scratch server) is not from a package installed in the runtime stage";
  }
}

TEST_F(DockerfileTest, RuntimeStageRunsAsNonRoot) {
  std::string user;
  for (const auto& ins : stages_.back().instructions) {
    if (ins.rfind("USER ", 0) == 0) user = ins.substr(5);
  }
  ASSERT_FALSE(user.empty()) << "the runtime stage sets no USER";
  EXPECT_NE(user.rfind("root", 0), 0u);
  EXPECT_NE(user.rfind("0", 0), 0u);
}

TEST_F(DockerfileTest, TheAgentStartsNoProgramOutsideTheCheckedList) {
  std::set<std::string> listed(kExternalPrograms.begin(), kExternalPrograms.end());
  // Literal first argv elements: `argv = {"prog", ...}` or `argv.push_back("prog")` of a program.
  std::regex literal_argv(R"re(argv\s*=\s*\{\s*"([^"]+)")re");
  std::regex literal_push(R"re(argv\.push_back\("([^"-][^"]*)"\))re");
  for (const auto& entry : fs::directory_iterator(std::string(LIFEBOAT_SOURCE_DIR) + "/operator/agent")) {
    if (entry.path().extension() != ".cc") continue;
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), {});
    for (const std::regex& re : {literal_argv, literal_push}) {
      for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
        EXPECT_TRUE(listed.count((*it)[1])) << entry.path() << " starts \"" << (*it)[1]
                                            << "\" which is not in kExternalPrograms (external_programs.h)";
      }
    }
  }
}

}  // namespace
}  // namespace lifeboat::agent
