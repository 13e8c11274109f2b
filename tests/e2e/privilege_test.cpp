// Least privilege (label e2e): no process that serves requests runs as root, and the secret files
// of a stack are readable by their owner only.
//
// The processes are found from the pid files `./gw test` leaves (the layout is gw's, gw.d/*.sh;
// the root of a stack is the parent of its GW_TEST_RUN_DIR):
//   <stack>/run/server.pid            the app's supervisor; its children are the FastCGI workers
//                                     and job workers (also named by <stack>/run/*worker-*.pid)
//   <stack>/nginx/nginx.pid           nginx's master; its children are the workers (and cache ones)
//   <stack>/pg/data/postmaster.pid    PostgreSQL
//   <main>/redis/redis.pid            the throwaway redis-server
//   <main>/hosts/{a,b}/server.pid     the two more app "hosts", and <main>/hosts/nginx.pid their nginx
//   <main>/filebase/stack/...         the Filebase stack (GW_TEST_FILEBASE_RUN_DIR), and
//   <main>/filebase/double/double.pid the Filebase double (node)
// Each pid and all its descendants (by /proc/PID/stat's parent pid) must have real, effective,
// saved and filesystem uids other than 0, except the nginx masters themselves: they read the TLS
// key (root's, mode 0600) and may bind ports below 1024. When ./gw runs as a normal user, all of
// them are that user's and the test holds trivially; as root (CI) it fails if any is root.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace gw::e2e {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

/// The first line of a pid file as a pid; 0 when missing or not a number.
int PidFrom(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!std::getline(in, line)) return 0;
  try {
    return std::stoi(line);
  } catch (const std::exception&) {
    return 0;
  }
}

/// Every live process's parent: /proc/PID/stat's fourth field (after the parenthesised name).
std::map<int, int> ParentsOfAllProcesses() {
  std::map<int, int> parents;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;  // exited meanwhile
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    int ppid = 0;
    if (rest >> state >> ppid) parents[std::stoi(name)] = ppid;
  }
  return parents;
}

/// pid and all its descendants.
std::set<int> Tree(int pid, const std::map<int, int>& parents) {
  std::set<int> tree{pid};
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [child, parent] : parents) {
      if (tree.count(parent) != 0 && tree.insert(child).second) grew = true;
    }
  }
  return tree;
}

struct Ids {
  std::vector<long> uids;  // real, effective, saved, filesystem
  std::string name;
};

Ids IdsOf(int pid) {
  Ids ids;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Name:")) ids.name = line.substr(line.find_first_not_of(" \t", 5));
    if (line.starts_with("Uid:")) {
      std::istringstream fields(line.substr(4));
      long id = 0;
      while (fields >> id) ids.uids.push_back(id);
    }
  }
  return ids;
}

struct Serving {
  std::string what;
  fs::path pid_file;
  bool nginx_master = false;
  bool may_be_gone = false;  // a worker's pid file: a test may just have had it replaced
};

/// The serving processes of every stack `./gw test` started (see the comment at the top).
std::vector<Serving> ServingPidFiles(const fs::path& main_root, const fs::path& filebase_root) {
  std::vector<Serving> all;
  for (const auto& [label, root] : {std::pair{"main stack", main_root}, std::pair{"Filebase stack", filebase_root}}) {
    all.push_back({std::string(label) + " app supervisor", root / "run" / "server.pid"});
    all.push_back({std::string(label) + " nginx", root / "nginx" / "nginx.pid", true});
    all.push_back({std::string(label) + " PostgreSQL", root / "pg" / "data" / "postmaster.pid"});
    for (const auto& entry : fs::directory_iterator(root / "run")) {
      const std::string name = entry.path().filename().string();
      if (name.find("worker-") != std::string::npos && name.ends_with(".pid")) {
        all.push_back({std::string(label) + " " + name, entry.path(), false, true});
      }
    }
  }
  all.push_back({"redis-server", main_root / "redis" / "redis.pid"});
  all.push_back({"test host a", main_root / "hosts" / "a" / "server.pid"});
  all.push_back({"test host b", main_root / "hosts" / "b" / "server.pid"});
  all.push_back({"test hosts' nginx", main_root / "hosts" / "nginx.pid", true});
  all.push_back({"Filebase double", main_root / "filebase" / "double" / "double.pid"});
  return all;
}

TEST(LeastPrivilege, NoProcessServingRequestsRunsAsRoot) {
  const std::string run_dir = Env("GW_TEST_RUN_DIR");
  const std::string filebase_run_dir = Env("GW_TEST_FILEBASE_RUN_DIR");
  ASSERT_FALSE(run_dir.empty()) << "GW_TEST_RUN_DIR is not set: run through ./gw test";
  ASSERT_FALSE(filebase_run_dir.empty()) << "GW_TEST_FILEBASE_RUN_DIR is not set: run through ./gw test";
  const fs::path main_root = fs::path(run_dir).parent_path();
  const fs::path filebase_root = fs::path(filebase_run_dir).parent_path();

  const auto parents = ParentsOfAllProcesses();
  std::set<int> masters;
  std::map<int, std::string> checked;  // pid -> what it belongs to
  int workers = 0;
  for (const auto& serving : ServingPidFiles(main_root, filebase_root)) {
    const int pid = PidFrom(serving.pid_file);
    const bool running = pid > 0 && fs::exists("/proc/" + std::to_string(pid));
    if (serving.may_be_gone && !running) continue;
    ASSERT_GT(pid, 0) << serving.what << ": no pid in " << serving.pid_file;
    ASSERT_TRUE(running) << serving.what << " (pid " << pid << ") is not running";
    if (serving.nginx_master) masters.insert(pid);
    if (serving.may_be_gone) ++workers;
    for (const int member : Tree(pid, parents)) checked.emplace(member, serving.what);
  }
  // not vacuous: both apps' workers and every nginx's workers were found
  EXPECT_GE(workers, 2) << "worker pid files in both stacks' run dirs";
  for (const int master : masters) {
    const auto children = Tree(master, parents);
    EXPECT_GE(children.size(), 2u) << "nginx master " << master << " has no worker";
  }

  int root_count = 0;
  for (const auto& [pid, what] : checked) {
    const Ids ids = IdsOf(pid);
    if (ids.uids.size() != 4) continue;  // exited meanwhile
    const bool root = std::find(ids.uids.begin(), ids.uids.end(), 0L) != ids.uids.end();
    if (!root) continue;
    ++root_count;
    EXPECT_TRUE(masters.count(pid) != 0) << what << ": pid " << pid << " (" << ids.name << ") runs with uid "
                                         << ids.uids[0] << " euid " << ids.uids[1] << " suid " << ids.uids[2]
                                         << " fsuid " << ids.uids[3] << ": only the nginx masters may be root";
  }
  EXPECT_LE(root_count, static_cast<int>(masters.size()));
  EXPECT_GE(checked.size(), masters.size() * 2 + 8) << "too few serving processes found";
}

/// mode & 0777 of a file, and its owner.
struct FileMode {
  unsigned mode = 0;
  long uid = -1;
};

FileMode ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {static_cast<unsigned>(st.st_mode & 0777), static_cast<long>(st.st_uid)};
}

TEST(LeastPrivilege, SecretFilesAreReadableByTheirOwnerOnly) {
  const std::string run_dir = Env("GW_TEST_RUN_DIR");
  const std::string filebase_run_dir = Env("GW_TEST_FILEBASE_RUN_DIR");
  ASSERT_FALSE(run_dir.empty()) << "GW_TEST_RUN_DIR is not set: run through ./gw test";
  ASSERT_FALSE(filebase_run_dir.empty()) << "GW_TEST_FILEBASE_RUN_DIR is not set: run through ./gw test";
  for (const fs::path& root : {fs::path(run_dir).parent_path(), fs::path(filebase_run_dir).parent_path()}) {
    SCOPED_TRACE(root.string());
    const long app_uid = IdsOf(PidFrom(root / "run" / "server.pid")).uids.at(1);
    const long master_uid = IdsOf(PidFrom(root / "nginx" / "nginx.pid")).uids.at(1);
    // the operator's administrator key: gw's own user's
    const FileMode admin_key = ModeOf((root / "admin.key").string());
    EXPECT_EQ(admin_key.mode, 0600u) << "admin.key";
    EXPECT_EQ(admin_key.uid, static_cast<long>(::geteuid())) << "admin.key belongs to whoever ran ./gw";
    // the pepper: the app's (it reads it), nobody else's
    const FileMode pepper = ModeOf((root / "secrets" / "key_pepper").string());
    EXPECT_EQ(pepper.mode, 0600u) << "secrets/key_pepper";
    EXPECT_EQ(pepper.uid, app_uid) << "secrets/key_pepper belongs to the app's user";
    EXPECT_EQ(ModeOf((root / "secrets").string()).mode & 0077u & ~0010u, 0u) << "secrets/ lists nothing to others";
    // the TLS key: nginx's master's (root when gw runs as root), never its workers'
    const FileMode tls_key = ModeOf((root / "tls" / "key.pem").string());
    EXPECT_EQ(tls_key.mode, 0600u) << "tls/key.pem";
    EXPECT_EQ(tls_key.uid, master_uid) << "tls/key.pem belongs to nginx's master";
    if (master_uid == 0) {
      EXPECT_NE(app_uid, 0) << "as root, the app runs as the service user";
    }
  }
  // the variable the e2e tests are handed names the same pepper
  EXPECT_EQ(ModeOf(Env("GW_TEST_KEY_PEPPER_FILE")).mode, 0600u);
}

}  // namespace
}  // namespace gw::e2e
