// The gateway's CIDs against the pinned JS reference (tests/reference: ipfs-unixfs-importer, Kubo
// `ipfs add --cid-version=1` profile) for every file of the reference generator: all chunk and
// fan-out boundaries up to 100 MiB. Bodies are streamed from the files and responses hashed as
// they arrive. The reference runs through node; a missing node or a failing script fails the test
// (never a skip): `./gw test` installs node and runs `npm ci` in tests/reference. Files of 10 MiB
// or more are uploaded asynchronously (202 and a task): their CID is the succeeded task's result.
#include <stdlib.h>

#include <set>
#include <sstream>

#include "task_support.hpp"

namespace gw::e2e {
namespace {

constexpr std::uint64_t kChunk = 262144;
constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

struct RefFile {
  std::string path;
  std::uint64_t size = 0;
  std::string cid;     // from cid.mjs
  std::string sha256;  // of the file
};

class ReferenceCid : public TaskTest {
 protected:
  static void SetUpTestSuite() {
    try {
      Prepare();
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    if (!tmp_dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(tmp_dir_, ignored);
    }
  }

  static void Prepare() {
    const std::string ref = GetEnvOrEmpty("GW_TEST_REFERENCE_DIR");
    if (ref.empty())
      throw std::runtime_error("GW_TEST_REFERENCE_DIR is not set; run the e2e tests through `./gw test`");
    std::string dir = (std::filesystem::temp_directory_path() / "gw-e2e-ref.XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr) throw std::runtime_error("mkdtemp " + dir + " failed");
    tmp_dir_ = dir;

    std::string output;
    const std::string gen = "node " + ShellQuote(ref + "/gen_files.mjs") + " " + ShellQuote(tmp_dir_);
    if (RunCommand(gen, output) != 0) throw std::runtime_error("`" + gen + "` failed:\n" + output);
    std::istringstream manifest(output);
    std::string path;
    std::uint64_t size = 0;
    std::string paths;
    while (manifest >> path >> size) {
      files_.push_back({path, size, "", ""});
      paths += " " + ShellQuote(path);
    }
    if (files_.empty()) throw std::runtime_error("`" + gen + "` printed no files:\n" + output);

    const std::string cid = "node " + ShellQuote(ref + "/cid.mjs") + paths;
    if (RunCommand(cid, output) != 0) throw std::runtime_error("cid.mjs failed:\n" + output);
    std::istringstream lines(output);
    std::string cid_text, file;
    std::uint64_t cid_size = 0;
    std::map<std::string, std::pair<std::string, std::uint64_t>> by_path;
    while (lines >> cid_text >> cid_size >> file) by_path[file] = {cid_text, cid_size};
    for (auto& f : files_) {
      const auto it = by_path.find(f.path);
      if (it == by_path.end()) throw std::runtime_error("cid.mjs printed nothing for " + f.path + ":\n" + output);
      if (it->second.second != f.size || std::filesystem::file_size(f.path) != f.size) {
        throw std::runtime_error("size mismatch for " + f.path);
      }
      f.cid = it->second.first;
      f.sha256 = Sha256OfFile(f.path);
    }
  }

  static inline std::string tmp_dir_;
  static inline std::string setup_error_;
  static inline std::vector<RefFile> files_;
};

TEST_F(ReferenceCid, EveryGeneratedFileGetsTheReferenceCidAndRoundTrips) {
  ASSERT_TRUE(setup_error_.empty()) << setup_error_;
  ASSERT_GE(files_.size(), 20u);
  std::set<std::uint64_t> sizes;
  for (const auto& f : files_) sizes.insert(f.size);
  for (const std::uint64_t boundary : {std::uint64_t{0}, std::uint64_t{1}, kChunk - 1, kChunk, kChunk + 1, 174 * kChunk,
                                       174 * kChunk + 1, 100 * kMiB - 1, 100 * kMiB}) {
    EXPECT_TRUE(sizes.count(boundary) == 1) << "the generator wrote no file of " << boundary << " bytes";
  }

  const auto user = RegisterUser("reference");
  for (const auto& f : files_) {
    SCOPED_TRACE(f.path + " (" + std::to_string(f.size) + " bytes, reference " + f.cid + ")");
    const auto start = std::chrono::steady_clock::now();
    const auto up = UploadFileRaw(env_, user.api_key, f.path);
    ASSERT_EQ(up.error, "") << up.response.Describe();
    ASSERT_EQ(up.response.status, f.size >= kAsyncThreshold ? 202 : 201) << up.response.Describe();
    const auto data = UploadedFile(user, up.response, f.size);
    ASSERT_TRUE(data.is_object()) << up.response.Describe();
    EXPECT_EQ(data.value("cid", ""), f.cid) << data.dump();
    EXPECT_EQ(data.value("size", -1LL), static_cast<long long>(f.size)) << data.dump();

    const auto got = StreamRequest(env_, "GET", "/retrieve/" + f.cid, {{"X-API-Key", user.api_key}});
    ASSERT_EQ(got.error, "") << got.response.Describe();
    ASSERT_EQ(got.response.status, 200) << got.response.Describe();
    EXPECT_EQ(got.body_size, f.size);
    EXPECT_EQ(got.body_sha256, f.sha256) << "retrieved bytes differ from the file";
    EXPECT_EQ(got.response.Header("content-length").value_or(""), std::to_string(f.size));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    std::cout << "[ reference ] " << std::filesystem::path(f.path).filename().string() << " " << f.cid << " "
              << ms.count() << " ms upload (HTTP " << up.response.status << ")+retrieve\n";
  }

  // one file as multipart/form-data (a part inside the body, not the whole body): same CID
  const auto multi =
      std::find_if(files_.begin(), files_.end(), [](const RefFile& f) { return f.size == 174 * kChunk + 1; });
  ASSERT_NE(multi, files_.end());
  const auto other = RegisterUser("reference-mp");
  const auto up = UploadFileMultipart(env_, other.api_key, multi->path);
  ASSERT_EQ(up.error, "") << up.response.Describe();
  ASSERT_EQ(up.response.status, multi->size >= kAsyncThreshold ? 202 : 201) << up.response.Describe();
  const auto data = UploadedFile(other, up.response, multi->size);
  ASSERT_TRUE(data.is_object()) << up.response.Describe();
  EXPECT_EQ(data.value("cid", ""), multi->cid) << data.dump();
  EXPECT_EQ(data.value("size", -1LL), static_cast<long long>(multi->size)) << data.dump();
  EXPECT_EQ(data.value("original_filename", ""), std::filesystem::path(multi->path).filename().string()) << data.dump();
  const auto got = StreamRequest(env_, "GET", "/retrieve/" + multi->cid, {{"X-API-Key", other.api_key}});
  ASSERT_EQ(got.response.status, 200) << got.response.Describe();
  EXPECT_EQ(got.body_sha256, multi->sha256);
}

}  // namespace
}  // namespace gw::e2e
