// Every CID profile (GW_CID_PROFILE) against the pinned JS reference: the reference generator's
// files (tests/reference/gen_files.mjs: 22 files from 0 B to 100 MiB, every chunk and fan-out
// boundary of the default profile, about 422 MiB) are imported by domain::UnixFsImporter with the
// profile's ImportParams and by `node cid.mjs --profile NAME` (ipfs-unixfs-importer 17.1.1: its
// own `profile` option for unixfs-v1-2025 and unixfs-v0-2015, explicit options for
// kubo-add-cidv1), and the CIDs must agree. The default profile is also covered through the live
// stack by tests/e2e/reference_cid_test.cpp.
//
// Speed: all files under all three profiles take about 4 s on the idle 2-core test machine (the
// generator and node ~3 s, the C++ importer ~0.3 s per profile) and under 20 s while other builds
// load it: inside the ~30 s budget, so no file is skipped for the non-default profiles. Should it
// grow past that, skip the files above 20 MiB for unixfs-v1-2025 and unixfs-v0-2015 (never for the
// default profile).
//
// A missing node, a missing `npm ci` or a failing script fails the test; it never skips.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/cid_profile.hpp"
#include "domain/sha256_openssl.hpp"
#include "domain/unixfs_importer.hpp"

namespace gw::domain {
namespace {

constexpr std::uint64_t kChunk = 262144;

struct RefFile {
  std::string path;
  std::uint64_t size = 0;
  std::map<CidProfile, std::string> reference_cid;  //!< from cid.mjs, per profile
};

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Runs a shell command; returns its exit status, its stdout in `out` and stderr in `err`.
int RunCommand(const std::string& command, const std::string& err_file, std::string& out, std::string& err) {
  out.clear();
  std::FILE* pipe = ::popen((command + " 2>" + ShellQuote(err_file)).c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed for " + command);
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = ::pclose(pipe);
  std::ifstream in(err_file);
  err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return status;
}

/// The C++ side: the file streamed through the importer in 1 MiB pieces, as the store reads it.
/// A block sink is given, as the store gives one, so dag-pb leaves take the store's path.
std::string ImportFile(const std::string& path, CidProfile profile, std::uint64_t& size) {
  OpenSslSha256 sha;
  std::uint64_t sunk = 0;
  UnixFsImporter importer(sha, ImportParamsOf(profile),
                          [&sunk](const Cid&, std::span<const std::uint8_t> bytes) { sunk += bytes.size(); });
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<char> buffer(std::size_t{1} << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    importer.Update(std::span(reinterpret_cast<const std::uint8_t*>(buffer.data()), got));
  }
  const ImportResult result = importer.Finish();
  size = result.file_size;
  return result.root.ToString();
}

class ReferenceProfiles : public ::testing::Test {
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
    const auto start = std::chrono::steady_clock::now();
    const char* env = std::getenv("GW_TEST_REFERENCE_DIR");
    const std::string ref = env != nullptr && *env != '\0' ? env : GW_DEFAULT_REFERENCE_DIR;
    std::string dir = (std::filesystem::temp_directory_path() / "gw-ref-profiles.XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr) throw std::runtime_error("mkdtemp " + dir + " failed");
    tmp_dir_ = dir;
    const std::string err_file = tmp_dir_ + "/stderr";
    std::string out;
    std::string err;
    if (RunCommand("node --version", err_file, out, err) != 0) {
      throw std::runtime_error("node is not installed (./gw test installs it): " + err);
    }
    if (!std::filesystem::exists(ref + "/node_modules/ipfs-unixfs-importer")) {
      throw std::runtime_error(ref + "/node_modules has no ipfs-unixfs-importer: run `npm ci` there (./gw test does)");
    }

    const std::string files_dir = tmp_dir_ + "/files";
    const std::string gen = "node " + ShellQuote(ref + "/gen_files.mjs") + " " + ShellQuote(files_dir);
    if (RunCommand(gen, err_file, out, err) != 0) throw std::runtime_error("`" + gen + "` failed:\n" + err);
    std::istringstream manifest(out);
    std::string path;
    std::uint64_t size = 0;
    std::string paths;
    while (manifest >> path >> size) {
      files_.push_back({path, size, {}});
      paths += " " + ShellQuote(path);
    }
    if (files_.empty()) throw std::runtime_error("`" + gen + "` printed no files:\n" + out + err);

    for (const CidProfile profile : kCidProfiles) {
      const std::string name(CidProfileName(profile));
      const std::string cid = "node " + ShellQuote(ref + "/cid.mjs") + " --profile " + name + paths;
      if (RunCommand(cid, err_file, out, err) != 0)
        throw std::runtime_error("cid.mjs --profile " + name + " failed:\n" + err);
      std::map<std::string, std::pair<std::string, std::uint64_t>> by_path;
      std::istringstream lines(out);
      std::string cid_text;
      std::string file;
      std::uint64_t cid_size = 0;
      while (lines >> cid_text >> cid_size >> file) by_path[file] = {cid_text, cid_size};
      for (auto& f : files_) {
        const auto it = by_path.find(f.path);
        if (it == by_path.end())
          throw std::runtime_error("cid.mjs --profile " + name + " printed nothing for " + f.path);
        if (it->second.second != f.size) throw std::runtime_error("cid.mjs size mismatch for " + f.path);
        f.reference_cid[profile] = it->second.first;
      }
    }
    std::cout << "[ reference ] " << files_.size() << " files generated and hashed by node in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count()
              << " ms\n";
  }

  static const RefFile* FileOfSize(std::uint64_t size) {
    for (const auto& f : files_) {
      if (f.size == size) return &f;
    }
    return nullptr;
  }

  static inline std::string tmp_dir_;
  static inline std::string setup_error_;
  static inline std::vector<RefFile> files_;
};

// One test for the three profiles: the generator and node run once (ctest starts a process per test).
TEST_F(ReferenceProfiles, EveryGeneratedFileGetsTheReferenceCidUnderEveryProfile) {
  ASSERT_TRUE(setup_error_.empty()) << setup_error_;
  ASSERT_GE(files_.size(), 20u);
  for (const std::uint64_t boundary : {std::uint64_t{0}, std::uint64_t{1}, kChunk - 1, kChunk, kChunk + 1, 174 * kChunk,
                                       174 * kChunk + 1, std::uint64_t{100} << 20}) {
    EXPECT_NE(FileOfSize(boundary), nullptr) << "the generator wrote no file of " << boundary << " bytes";
  }
  // The reference really ran each profile: one byte past a 256 KiB chunk is two raw leaves under a
  // dag-pb root by default, one raw leaf under unixfs-v1-2025 (1 MiB chunks), CIDv0 under v0.
  const RefFile* past_chunk = FileOfSize(kChunk + 1);
  ASSERT_NE(past_chunk, nullptr);
  EXPECT_TRUE(past_chunk->reference_cid.at(CidProfile::kKuboAddCidV1).starts_with("bafybei"));
  EXPECT_TRUE(past_chunk->reference_cid.at(CidProfile::kUnixFsV1_2025).starts_with("bafkrei"));
  for (const auto& f : files_) EXPECT_TRUE(f.reference_cid.at(CidProfile::kUnixFsV0_2015).starts_with("Qm")) << f.path;

  for (const CidProfile profile : kCidProfiles) {
    SCOPED_TRACE(std::string(CidProfileName(profile)));
    const auto start = std::chrono::steady_clock::now();
    for (const auto& f : files_) {
      SCOPED_TRACE(f.path + " (" + std::to_string(f.size) + " bytes)");
      std::uint64_t size = 0;
      EXPECT_EQ(ImportFile(f.path, profile, size), f.reference_cid.at(profile));
      EXPECT_EQ(size, f.size);
    }
    std::cout << "[ reference ] " << CidProfileName(profile) << ": " << files_.size() << " files imported in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count()
              << " ms\n";
  }
}

}  // namespace
}  // namespace gw::domain
