#include "persistence/redis_rate_limiter.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ObjectPool.h>
#include <Poco/Redis/Array.h>
#include <Poco/Redis/Client.h>
#include <Poco/Redis/Exception.h>
#include <Poco/Redis/Type.h>
#include <Poco/SharedPtr.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

namespace gw::persistence {
namespace {

// One domain::Gcra step on the TAT at KEYS[1], atomically. ARGV: cost, burst, increment (the
// nanoseconds the cost takes from the bucket), capacity (a full bucket, ns) and, for tests, now
// (ns). Returns {allowed, TAT before, now}; the caller computes the rest with domain::Gcra.
// A Lua number is a double: whole up to 2^53 only (104 days of nanoseconds), so absolute times
// stay decimal strings, split into seconds and nanoseconds for the arithmetic; differences are
// at most the capacity, which the caller keeps below 2^52.
constexpr const char* kGcraScript = R"lua(
local E9 = 1000000000
local function split(ns)
  if #ns <= 9 then return 0, tonumber(ns) end
  return tonumber(string.sub(ns, 1, -10)), tonumber(string.sub(ns, -9))
end
local function join(s, n)
  if s == 0 then return string.format('%d', n) end
  return string.format('%d%09d', s, n)
end
local cost, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local increment, capacity = tonumber(ARGV[3]), tonumber(ARGV[4])
local now_s, now_n
if ARGV[5] then
  now_s, now_n = split(ARGV[5])
else
  local t = redis.call('TIME')
  now_s, now_n = tonumber(t[1]), tonumber(t[2]) * 1000
end
local now = join(now_s, now_n)
local tat = redis.call('GET', KEYS[1]) or '0'
local tat_s, tat_n = split(tat)
local used = (tat_s - now_s) * E9 + (tat_n - now_n)
if used < 0 then used = 0 end
local ahead = used + increment
if cost > burst or ahead > capacity then return {0, tat, now} end
local total = now_n + ahead
local new_n = math.fmod(total, E9)
-- the key lives until the bucket is full again (an hour with a test's clock, which is not Redis's)
local ttl = ARGV[5] and 3600000 or math.max(1, math.ceil(ahead / 1000000))
redis.call('SET', KEYS[1], join(now_s + (total - new_n) / E9, new_n), 'PX', ttl)
return {1, tat, now}
)lua";

// Buckets whose capacity is longer than this (52 days) go to the fallback: see the script.
constexpr std::int64_t kMaxCapacityNs = std::int64_t{1} << 52;

// A failed call to Redis, with a reason fit for a log line.
class RedisFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Endpoint {
  std::string host;  // TCP; resolved at each connect (a DNS change needs no restart)
  std::uint16_t port = 0;
  std::string socket_path;  // or a unix socket
  int database = 0;
  std::string user;
  std::string password;
};

int ParseDatabase(std::string_view text, const std::string& url) {
  int database = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), database);
  if (ec != std::errc() || end != text.data() + text.size() || database < 0) {
    throw std::invalid_argument("Redis URL '" + url + "': the database must be a number");
  }
  return database;
}

Endpoint ParseEndpoint(const std::string& url) {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception&) {
    throw std::invalid_argument("not a Redis URL (redis://host:port/db or redis+unix:///path)");
  }
  // Messages name the URL without its user info (the password).
  const std::string shown = uri.getScheme() + "://" + uri.getHost() + uri.getPath();
  Endpoint endpoint;
  if (const std::string info = uri.getUserInfo(); !info.empty()) {
    const auto colon = info.find(':');
    if (colon == std::string::npos) throw std::invalid_argument("Redis URL '" + shown + "': write user:password@");
    // Poco 1.11 leaves the user info %-encoded; a ':' in either part is written %3A
    Poco::URI::decode(info.substr(0, colon), endpoint.user);
    Poco::URI::decode(info.substr(colon + 1), endpoint.password);
  }
  if (uri.getScheme() == "redis") {
    if (uri.getHost().empty() || !uri.getRawQuery().empty()) {
      throw std::invalid_argument("Redis URL '" + shown + "' needs a host and no query");
    }
    const std::string& path = uri.getPath();
    if (path.size() > 1) endpoint.database = ParseDatabase(std::string_view(path).substr(1), shown);
    endpoint.host = uri.getHost();
    endpoint.port = uri.getPort() == 0 ? 6379 : uri.getPort();
  } else if (uri.getScheme() == "redis+unix" || uri.getScheme() == "unix") {
    const std::string query = uri.getRawQuery();
    if (!uri.getHost().empty() || uri.getPath().empty() || (!query.empty() && !query.starts_with("db="))) {
      throw std::invalid_argument("Redis URL '" + shown + "' needs a socket path (redis+unix:///path?db=N)");
    }
    if (!query.empty()) endpoint.database = ParseDatabase(std::string_view(query).substr(3), shown);
    endpoint.socket_path = uri.getPath();
  } else {
    throw std::invalid_argument("Redis URL '" + shown + "': the scheme must be redis or redis+unix");
  }
  return endpoint;
}

// A pooled connection, and the pool's epoch when it connected (see Connections::Gcra).
struct PooledClient {
  Poco::Redis::Client client;
  std::uint64_t epoch = 0;
};
using PooledClientPtr = Poco::SharedPtr<PooledClient>;

// Pooled clients start unconnected: Poco's pool creates objects with its lock held, and a
// connect that waits for its timeout must not hold up every other borrower. A client whose
// call failed is disconnected, and the pool then drops it (its reply stream may be half read).
class ClientFactory {
 public:
  PooledClientPtr createObject() { return new PooledClient(); }
  bool validateObject(PooledClientPtr pooled) { return pooled->client.isConnected(); }
  void activateObject(PooledClientPtr) {}
  void deactivateObject(PooledClientPtr) {}
  void destroyObject(PooledClientPtr) {}
};

using ClientPool = Poco::ObjectPool<PooledClient, PooledClientPtr, ClientFactory>;

Poco::Redis::RedisType::Ptr Send(Poco::Redis::Client& client, const Poco::Redis::Array& command) {
  auto reply = client.sendCommand(command);
  if (reply.isNull()) throw RedisFailure("no answer");
  return reply;
}

std::string ErrorText(const Poco::Redis::RedisType::Ptr& reply) {
  return static_cast<const Poco::Redis::Type<Poco::Redis::Error>&>(*reply).value().getMessage();
}

std::int64_t ParseNs(const Poco::Redis::BulkString& text) {
  std::int64_t value = -1;
  if (text.isNull()) throw RedisFailure("the script answered no time");
  const std::string& s = text.value();
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < 0) throw RedisFailure("a stored TAT is not a time");
  return value;
}

// The nanoseconds `units` (at most the burst) take from the bucket, exactly as domain::Gcra
// counts them: the TAT its first step from an empty bucket at time 0 stores.
std::int64_t IntervalOf(const domain::RateLimit& limit, std::int64_t units) {
  return domain::Gcra(limit, 0, 0, units).new_tat_ns;
}

}  // namespace

class RedisRateLimiter::Connections {
 public:
  Connections(Endpoint endpoint, std::chrono::milliseconds timeout, std::size_t pool_size, std::string client_name)
      : endpoint_(std::move(endpoint)),
        timeout_(timeout),
        client_name_(std::move(client_name)),
        pool_(ClientFactory(), std::max<std::size_t>(1, pool_size), std::max<std::size_t>(1, pool_size)) {}

  /// The script's answer {allowed, TAT before, now} for KEYS[1] = key.
  ///
  /// A failure bumps the epoch, and a connection from an earlier epoch is replaced before its
  /// next use: after a Redis restart every idle connection is dead, and each would otherwise
  /// fail once (and together open the breaker).
  Poco::Redis::Array Gcra(const std::string& key, const std::vector<std::string>& args) {
    PooledClientPtr pooled = pool_.borrowObject(static_cast<long>(timeout_.count()));
    if (pooled.isNull()) throw RedisFailure("no free connection within the timeout");
    auto& client = pooled->client;
    try {
      const std::uint64_t epoch = epoch_.load();
      if (client.isConnected() && pooled->epoch != epoch) client.disconnect();
      if (!client.isConnected()) {
        Connect(client);
        pooled->epoch = epoch;
      }
      auto answer = Evaluate(client, key, args);
      pool_.returnObject(pooled);
      return answer;
    } catch (const Poco::Redis::RedisException& e) {
      Discard(pooled);
      // how Poco's client reports a reply that never came (its stream swallows the timeout)
      if (e.message() == "Lost connection to Redis server" || e.message() == "Invalid Redis type returned") {
        throw RedisFailure("no answer within the timeout, or the connection was closed");
      }
      throw;
    } catch (...) {
      Discard(pooled);
      throw;
    }
  }

 private:
  void Connect(Poco::Redis::Client& client) {
    const Poco::Timespan timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout_).count());
    client.connect(endpoint_.socket_path.empty()
                       ? Poco::Net::SocketAddress(endpoint_.host, endpoint_.port)
                       : Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, endpoint_.socket_path),
                   timeout);
    client.setReceiveTimeout(timeout);
    if (!endpoint_.password.empty()) {
      Poco::Redis::Array auth;
      auth << "AUTH";
      if (!endpoint_.user.empty()) auth << endpoint_.user;
      auth << endpoint_.password;
      if (const auto reply = Send(client, auth); reply->isError()) throw RedisFailure("AUTH: " + ErrorText(reply));
    }
    Poco::Redis::Array name;
    name << "CLIENT"
         << "SETNAME" << client_name_;  // for CLIENT LIST
    if (const auto reply = Send(client, name); reply->isError())
      throw RedisFailure("CLIENT SETNAME: " + ErrorText(reply));
    if (endpoint_.database != 0) {
      Poco::Redis::Array select;
      select << "SELECT" << std::to_string(endpoint_.database);
      if (const auto reply = Send(client, select); reply->isError()) throw RedisFailure("SELECT: " + ErrorText(reply));
    }
  }

  // EVALSHA with the SHA from SCRIPT LOAD (once per pool); EVAL when Redis has forgotten the
  // script (a restart, SCRIPT FLUSH), which also caches it again.
  Poco::Redis::Array Evaluate(Poco::Redis::Client& client, const std::string& key,
                              const std::vector<std::string>& args) {
    std::string sha = Sha(client);
    Poco::Redis::Array command;
    command << "EVALSHA" << sha << "1" << key;
    for (const auto& arg : args) command << arg;
    auto reply = Send(client, command);
    if (reply->isError() && ErrorText(reply).starts_with("NOSCRIPT")) {
      Poco::Redis::Array eval;
      eval << "EVAL" << kGcraScript << "1" << key;
      for (const auto& arg : args) eval << arg;
      reply = Send(client, eval);
    }
    if (reply->isError()) throw RedisFailure("script: " + ErrorText(reply));
    if (!reply->isArray()) throw RedisFailure("script: unexpected answer");
    auto answer = static_cast<const Poco::Redis::Type<Poco::Redis::Array>&>(*reply).value();
    if (answer.size() != 3) throw RedisFailure("script: unexpected answer");
    return answer;
  }

  std::string Sha(Poco::Redis::Client& client) {
    {
      const std::lock_guard lock(sha_mutex_);
      if (!sha_.empty()) return sha_;
    }
    Poco::Redis::Array load;
    load << "SCRIPT"
         << "LOAD" << kGcraScript;
    const auto reply = Send(client, load);
    if (reply->isError()) throw RedisFailure("SCRIPT LOAD: " + ErrorText(reply));
    if (!reply->isBulkString()) throw RedisFailure("SCRIPT LOAD: unexpected answer");
    const auto& sha = static_cast<const Poco::Redis::Type<Poco::Redis::BulkString>&>(*reply).value();
    if (sha.isNull()) throw RedisFailure("SCRIPT LOAD: no SHA");
    const std::lock_guard lock(sha_mutex_);
    sha_ = sha.value();
    return sha_;
  }

  void Discard(PooledClientPtr pooled) {
    ++epoch_;
    pooled->client.disconnect();
    pool_.returnObject(pooled);
  }

  const Endpoint endpoint_;
  const std::chrono::milliseconds timeout_;
  const std::string client_name_;
  ClientPool pool_;
  std::atomic<std::uint64_t> epoch_{0};
  std::mutex sha_mutex_;
  std::string sha_;
};

RedisRateLimiter::RedisRateLimiter(RedisRateLimiterOptions options, domain::CircuitBreaker& breaker,
                                   domain::RateLimitStore& fallback)
    : options_(std::move(options)),
      breaker_(breaker),
      fallback_(fallback),
      connections_(std::make_unique<Connections>(ParseEndpoint(options_.url), options_.timeout, options_.pool_size,
                                                 options_.client_name)) {}

RedisRateLimiter::~RedisRateLimiter() = default;

domain::RateDecision RedisRateLimiter::Acquire(std::string_view key, const domain::RateLimit& limit,
                                               std::int64_t cost) {
  if (limit.Unlimited()) return domain::Gcra(limit, 0, 0, cost).decision;
  if (IntervalOf(limit, limit.burst) > kMaxCapacityNs) return fallback_.Acquire(key, limit, cost);
  auto permit = breaker_.Acquire();
  if (!permit.Granted()) return fallback_.Acquire(key, limit, cost);
  try {
    const auto decision = Run(key, limit, cost, {});
    permit.Succeeded();
    return decision;
  } catch (const Poco::Exception& e) {
    permit.Failed();
    if (options_.on_error) options_.on_error(e.displayText());
  } catch (const std::exception& e) {
    permit.Failed();
    if (options_.on_error) options_.on_error(e.what());
  }
  return fallback_.Acquire(key, limit, cost);
}

domain::RateDecision RedisRateLimiter::AcquireAt(std::string_view key, const domain::RateLimit& limit,
                                                 std::int64_t cost, std::int64_t now_ns) {
  if (now_ns < 0) throw std::invalid_argument("now_ns must not be negative");
  if (limit.Unlimited()) return domain::Gcra(limit, 0, 0, cost).decision;
  return Run(key, limit, cost, std::to_string(now_ns));
}

domain::RateDecision RedisRateLimiter::Run(std::string_view key, const domain::RateLimit& limit, std::int64_t cost,
                                           std::string_view now_ns) {
  cost = std::max<std::int64_t>(cost, 0);
  std::vector<std::string> args{std::to_string(cost), std::to_string(limit.burst),
                                std::to_string(cost <= limit.burst ? IntervalOf(limit, cost) : 0),
                                std::to_string(IntervalOf(limit, limit.burst))};
  if (!now_ns.empty()) args.emplace_back(now_ns);
  const auto answer = connections_->Gcra(options_.prefix + "rl:" + std::string(key), args);
  const bool allowed = answer.get<Poco::Int64>(0) == 1;
  // The same step in the domain gives the numbers; it agrees with the script on `allowed`.
  auto decision = domain::Gcra(limit, ParseNs(answer.get<Poco::Redis::BulkString>(1)),
                               ParseNs(answer.get<Poco::Redis::BulkString>(2)), cost)
                      .decision;
  decision.allowed = allowed;
  return decision;
}

}  // namespace gw::persistence
