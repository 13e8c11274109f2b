// CID computation throughput: the streaming UnixFS importer vs plain SHA-256 over the same bytes.
// SHA-256 of every byte is the floor of any import (raw leaves are hashed once), so the gap
// between the two is what chunking, tree building and dag-pb encoding cost.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "domain/cid.hpp"
#include "domain/sha256_openssl.hpp"
#include "domain/unixfs_importer.hpp"

namespace {

using gw::domain::Cid;
using gw::domain::ImportParams;
using gw::domain::OpenSslSha256;
using gw::domain::UnixFsImporter;

constexpr std::size_t kMiB = 1024 * 1024;

/// One 100 MiB random buffer shared by all benchmarks (random so nothing compresses or repeats).
std::span<const std::uint8_t> Data(std::size_t size) {
  static const std::vector<std::uint8_t> data = [] {
    std::vector<std::uint8_t> bytes(100 * kMiB);
    std::mt19937_64 rng(42);
    for (std::size_t i = 0; i < bytes.size(); i += 8) {
      const std::uint64_t word = rng();
      for (std::size_t j = 0; j < 8; ++j) bytes[i + j] = static_cast<std::uint8_t>(word >> (8 * j));
    }
    return bytes;
  }();
  return std::span(data).first(size);
}

void BM_Sha256(benchmark::State& state) {
  const auto data = Data(static_cast<std::size_t>(state.range(0)));
  OpenSslSha256 sha;
  for (auto _ : state) benchmark::DoNotOptimize(sha.Digest(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(data.size()));
}

/// Full `ipfs add --cid-version=1` CID computation, fed in 64 KiB pieces like an upload stream.
void Import(benchmark::State& state, ImportParams params) {
  const auto data = Data(static_cast<std::size_t>(state.range(0)));
  OpenSslSha256 sha;
  for (auto _ : state) {
    UnixFsImporter importer(sha, params);
    for (std::size_t at = 0; at < data.size(); at += 64 * 1024) {
      importer.Update(data.subspan(at, std::min<std::size_t>(64 * 1024, data.size() - at)));
    }
    auto result = importer.Finish();
    benchmark::DoNotOptimize(result.root);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(data.size()));
}

void BM_ImportCidV1(benchmark::State& state) { Import(state, {}); }
void BM_ImportUnixFsV1_2025(benchmark::State& state) { Import(state, ImportParams::UnixFsV1_2025()); }
void BM_ImportUnixFsV0_2015(benchmark::State& state) { Import(state, ImportParams::UnixFsV0_2015()); }

BENCHMARK(BM_Sha256)->Arg(1 * kMiB)->Arg(100 * kMiB)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ImportCidV1)->Arg(1 * kMiB)->Arg(100 * kMiB)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ImportUnixFsV1_2025)->Arg(100 * kMiB)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ImportUnixFsV0_2015)->Arg(100 * kMiB)->Unit(benchmark::kMillisecond);

void BM_CidParse(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(Cid::Parse("bafybeigcisqd7m5nf3qmuvjdbakl5bdnh4ocrmacaqkpuh77qjvggmt2sa"));
  }
}
BENCHMARK(BM_CidParse);

void BM_CidParseV0(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Cid::Parse("Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"));
}
BENCHMARK(BM_CidParseV0);

void BM_CidToString(benchmark::State& state) {
  const Cid cid = Cid::Parse("bafybeigcisqd7m5nf3qmuvjdbakl5bdnh4ocrmacaqkpuh77qjvggmt2sa");
  for (auto _ : state) benchmark::DoNotOptimize(cid.ToString());
}
BENCHMARK(BM_CidToString);

}  // namespace
