#include "persistence/pg_file_repository.hpp"

#include <pqxx/pqxx>
#include <string>

#include "domain/cid.hpp"
#include "domain/error.hpp"
#include "persistence/audit_writer.hpp"
#include "persistence/pg_paged_list.hpp"

namespace gw::persistence {
namespace {

using domain::Error;
using domain::ErrorCode;

constexpr const char* kUpsertContent = "files_upsert_content";
constexpr const char* kUpsertFile = "files_upsert_file";
constexpr const char* kFindHeld = "files_find_held";
constexpr const char* kList = "files_list";
constexpr const char* kListReversed = "files_list_reversed";
constexpr const char* kCount = "files_count";
constexpr const char* kCounter = "files_counter";
constexpr const char* kSoftDelete = "files_soft_delete";
constexpr const char* kSetPinned = "files_set_pinned";
constexpr const char* kUsage = "files_usage";
constexpr const char* kCountUpload = "files_count_upload";
constexpr const char* kGcCandidates = "files_gc_candidates";
constexpr const char* kGcLock = "files_gc_lock";
constexpr const char* kGcStillHeld = "files_gc_still_held";
constexpr const char* kGcDeleteDeadFiles = "files_gc_delete_dead_files";
constexpr const char* kGcDeleteContent = "files_gc_delete_content";

// Columns read by ReadFile, in its order.
std::string FileColumns() {
  return "cid, original_filename, safe_filename, size, mime_type, pinned, " + IsoUtc("uploaded_at");
}

// A content is kept while some user holds it (a live row) or pins it.
constexpr const char* kHeld =
    "EXISTS (SELECT 1 FROM files f WHERE f.cid = c.cid AND (f.deleted_at IS NULL OR f.pinned))";

// One statement for every filter combination: a NULL parameter disables its filter. The name
// arrives with LIKE metacharacters escaped (EscapeLike), so it is matched as a literal substring.
constexpr const char* kListFilter =
    " FROM files WHERE user_id = $1 AND deleted_at IS NULL"
    " AND ($2::boolean IS NULL OR pinned = $2::boolean)"
    " AND ($3::text IS NULL OR original_filename ILIKE '%' || $3::text || '%' ESCAPE '\\')"
    " AND ($4::text IS NULL OR cid IN ($4::text, $5::text))";

domain::StoredFile ReadFile(const pqxx::row& row) {
  domain::StoredFile file;
  file.cid = row[0].as<std::string>();
  file.original_filename = row[1].as<std::string>();
  file.safe_filename = row[2].as<std::string>();
  file.size = row[3].as<std::int64_t>();
  file.mime_type = row[4].as<std::string>();
  file.pinned = row[5].as<bool>();
  file.uploaded_at = row[6].as<std::string>();
  return file;
}

const char* PinnedParam(const std::optional<bool>& pinned) {
  if (!pinned) return nullptr;
  return *pinned ? "true" : "false";
}

}  // namespace

std::string EscapeLike(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  return escaped;
}

std::string OtherRecordedSpelling(std::string_view canonical_cid) {
  const auto v0 = domain::Cid::Parse(canonical_cid).ToV0();
  return v0 ? v0->ToString() : std::string(canonical_cid);
}

std::vector<PreparedStatement> PgFileRepository::Statements() {
  auto statements = TaskStatements();
  for (auto& statement : UsageStatements()) statements.push_back(std::move(statement));
  const std::vector<PreparedStatement> own{
      // DO UPDATE (a no-op change) rather than DO NOTHING: it returns the row and locks it for
      // the rest of the transaction, which is what keeps garbage collection away (see below).
      {kUpsertContent,
       "INSERT INTO contents (cid, size, dag_size, mime_type) VALUES ($1, $2, $3, $4) "
       "ON CONFLICT (cid) DO UPDATE SET cid = EXCLUDED.cid RETURNING cid"},
      // One row per user and CID: uploading again revives a deleted holding and makes it new.
      {kUpsertFile,
       "INSERT INTO files (user_id, cid, original_filename, safe_filename, size, mime_type) "
       "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, cid) DO UPDATE SET deleted_at = NULL, "
       "pinned = true, original_filename = EXCLUDED.original_filename, safe_filename = EXCLUDED.safe_filename, "
       "uploaded_at = now(), updated_at = now() RETURNING " +
           FileColumns()},
      // The retrieval's lookup and its audit row in one statement, outside a transaction block:
      // one round trip instead of four (BEGIN, SELECT, INSERT, COMMIT). The row is inserted only
      // when the holding is found, with AuditWriter's columns and details ({"cid": ...}).
      // set_config(..., true) lasts to the end of the statement's own transaction, its commit
      // included: a read's audit row does not wait for the WAL flush (a crash may lose the last
      // fraction of a second of them: wal_writer_delay; any later synchronous commit flushes
      // them too). Visibility is unchanged: the row is there for any reader once we answer.
      // $2 and $3: the two spellings a content may be recorded under (OtherRecordedSpelling);
      // $4 to $7: the audit row's actor, action, request id and client address.
      {kFindHeld,
       "WITH durability AS (SELECT set_config('synchronous_commit', 'off', true)), "
       "held AS (SELECT " +
           FileColumns() +
           " FROM files, durability WHERE user_id = $1 AND cid IN ($2, $3) AND deleted_at IS NULL), "
           "audited AS (INSERT INTO audit_log (user_id, actor_user_id, action, details, request_id, client_address) "
           "SELECT $1, $4::bigint, $5::text, jsonb_build_object('cid', held.cid), $6::text, $7::text FROM held) "
           "SELECT * FROM held"},
      // Paged as persistence/pg_paged_list.hpp describes, along files_user_live_uploaded.
      {kList, "SELECT " + FileColumns() + kListFilter + " ORDER BY uploaded_at DESC, id DESC LIMIT $6 OFFSET $7"},
      {kListReversed, "SELECT " + FileColumns() + kListFilter + " ORDER BY uploaded_at, id LIMIT $6 OFFSET $7"},
      {kCount, BoundedCountStatement(kListFilter, 6)},
      // The live files of user $1 from the counters (V007): all ($2 NULL), the pinned ($2 true)
      // or the others ($2 false: all minus pinned).
      {kCounter,
       "SELECT COALESCE(sum(CASE WHEN list = 'files' THEN CASE WHEN $2::boolean IS DISTINCT FROM true THEN n ELSE 0 "
       "END "
       "WHEN $2::boolean IS NULL THEN 0 WHEN $2::boolean THEN n ELSE -n END), 0)::bigint "
       "FROM list_counts WHERE list IN ('files', 'pinned_files') AND owner = $1"},
      {kSoftDelete,
       "UPDATE files SET deleted_at = now(), pinned = false, updated_at = now() "
       "WHERE user_id = $1 AND cid IN ($2, $3) AND deleted_at IS NULL RETURNING cid"},
      {kSetPinned,
       "UPDATE files SET pinned = $4, updated_at = now() "
       "WHERE user_id = $1 AND cid IN ($2, $3) AND deleted_at IS NULL RETURNING cid"},
      // The month's requests: at most 31 usage_daily rows, read by their primary key.
      {kUsage,
       "SELECT u.usage_count, count(f.id), COALESCE(sum(f.size), 0)::bigint, "
       "COALESCE(sum(f.size) FILTER (WHERE f.pinned), 0)::bigint, "
       "(SELECT COALESCE(sum(d.requests), 0)::bigint FROM usage_daily d WHERE d.user_id = u.id "
       "AND d.day >= date_trunc('month', now() AT TIME ZONE 'UTC')::date) "
       "FROM users u LEFT JOIN files f ON f.user_id = u.id AND f.deleted_at IS NULL "
       "WHERE u.id = $1 GROUP BY u.id"},
      // Today's (UTC) upload count of the user (migrations/V006__usage_daily.sql).
      {kCountUpload,
       "INSERT INTO usage_daily (user_id, day, uploads, bytes) VALUES ($1, (now() AT TIME ZONE 'UTC')::date, 1, $2) "
       "ON CONFLICT (user_id, day) DO UPDATE SET uploads = usage_daily.uploads + 1, "
       "bytes = usage_daily.bytes + EXCLUDED.bytes"},
      {kGcCandidates, std::string("SELECT c.cid FROM contents c WHERE NOT ") + kHeld + " ORDER BY c.cid"},
      // SKIP LOCKED: a content being uploaded right now is simply left for the next run.
      {kGcLock,
       std::string("SELECT c.cid FROM contents c WHERE c.cid = $1 AND NOT ") + kHeld + " FOR UPDATE OF c SKIP LOCKED"},
      {kGcStillHeld, std::string("SELECT ") + kHeld + " FROM contents c WHERE c.cid = $1"},
      {kGcDeleteDeadFiles, "DELETE FROM files WHERE cid = $1 AND deleted_at IS NOT NULL AND NOT pinned"},
      {kGcDeleteContent, "DELETE FROM contents WHERE cid = $1"},
  };
  statements.insert(statements.end(), own.begin(), own.end());
  return statements;
}

domain::StoredFile PgFileRepository::RecordUpload(domain::UserId user, const domain::ImportedContent& content,
                                                  std::string_view original_filename, std::string_view safe_filename,
                                                  const std::function<void()>& make_visible,
                                                  const domain::AuditContext& audit) {
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::work txn(connection);
    const auto locked =
        txn.exec_prepared(kUpsertContent, content.cid, content.size, content.dag_size, content.mime_type);
    ExpectRows(locked.size(), 1, 1, kUpsertContent);
    // The bytes become visible under their CID only while this transaction holds the content
    // row, so a garbage collection of the same CID either finished before (and the bytes are
    // written again here) or waits until this holding is committed (and then keeps them).
    make_visible();
    const auto file = txn.exec_prepared(kUpsertFile, user, content.cid, std::string(original_filename),
                                        std::string(safe_filename), content.size, content.mime_type);
    ExpectRows(file.size(), 1, 1, kUpsertFile);
    auto stored = ReadFile(file[0]);
    AuditWriter::Write(
        txn, user, "upload", audit,
        {{"cid", stored.cid}, {"size", std::to_string(stored.size)}, {"filename", stored.original_filename}});
    // Last: the day's row stays locked (against the user's other uploads and the usage
    // flusher) only for the commit.
    ExpectRows(txn.exec_prepared(kCountUpload, user, stored.size).affected_rows(), 1, 1, kCountUpload);
    txn.commit();
    return stored;
  });
}

std::optional<domain::StoredFile> PgFileRepository::FindHeld(domain::UserId user, std::string_view cid,
                                                             std::string_view action,
                                                             const domain::AuditContext& audit) {
  const auto actor = audit.actor_user_id ? std::optional(std::to_string(*audit.actor_user_id)) : std::nullopt;
  return connection_.Run([&](pqxx::connection_base& connection) -> std::optional<domain::StoredFile> {
    // One statement, its own transaction (kFindHeld): no BEGIN/COMMIT round trips.
    pqxx::nontransaction txn(connection);
    const auto result =
        txn.exec_prepared(kFindHeld, user, std::string(cid), OtherRecordedSpelling(cid), NullableParam(actor),
                          std::string(action), audit.request_id, audit.client_address);
    ExpectRows(result.size(), 0, 1, kFindHeld);
    if (result.empty()) return std::nullopt;
    return ReadFile(result[0]);
  });
}

domain::Page<domain::StoredFile> PgFileRepository::List(domain::UserId user, const domain::FileQuery& query,
                                                        const domain::AuditContext& audit) {
  const auto window = MakePageWindow(query.page, query.limit);
  std::optional<std::string> name;
  if (query.name) name = EscapeLike(*query.name);
  std::optional<std::string> other_cid;
  if (query.cid) other_cid = OtherRecordedSpelling(*query.cid);
  return connection_.Run([&](pqxx::connection_base& connection) {
    // No transaction block (no BEGIN and COMMIT round trips): each read sees what is committed
    // when it runs, as it did in the READ COMMITTED transaction before, and the audit row, the
    // only write, commits on its own without waiting for the WAL flush (WriteOfRead).
    pqxx::nontransaction txn(connection);
    // The counters answer every pinned filter; a name or CID is counted (the CID: 2 rows at most).
    const bool counted = !name && !query.cid;
    const auto total = counted ? ReadCounter(txn, kCounter, user, PinnedParam(query.pinned))
                               : CountAtMost(txn, window, kCount, user, PinnedParam(query.pinned), NullableParam(name),
                                             NullableParam(query.cid), NullableParam(other_cid));
    auto page = ReadPage<domain::StoredFile>(txn, window, total, kList, kListReversed, ReadFile, user,
                                             PinnedParam(query.pinned), NullableParam(name), NullableParam(query.cid),
                                             NullableParam(other_cid));
    AuditWriter::WriteOfRead(txn, user, "list_files", audit,
                             {{"page", std::to_string(page.page)},
                              {"limit", std::to_string(page.limit)},
                              {"total", std::to_string(page.total)}});
    return page;
  });
}

std::optional<std::string> PgFileRepository::Remove(domain::UserId user, std::string_view cid,
                                                    const domain::AuditContext& audit) {
  return connection_.Run([&](pqxx::connection_base& connection) -> std::optional<std::string> {
    pqxx::work txn(connection);
    const auto result = txn.exec_prepared(kSoftDelete, user, std::string(cid), OtherRecordedSpelling(cid));
    ExpectRows(result.size(), 0, 1, kSoftDelete);
    if (result.empty()) return std::nullopt;
    auto recorded = result[0][0].as<std::string>();
    AuditWriter::Write(txn, user, "delete_file", audit, {{"cid", recorded}});
    txn.commit();
    return recorded;
  });
}

std::optional<std::string> PgFileRepository::SetPinned(domain::UserId user, std::string_view cid, bool pinned,
                                                       const domain::AuditContext& audit) {
  return connection_.Run([&](pqxx::connection_base& connection) -> std::optional<std::string> {
    pqxx::work txn(connection);
    const auto result = txn.exec_prepared(kSetPinned, user, std::string(cid), OtherRecordedSpelling(cid), pinned);
    ExpectRows(result.size(), 0, 1, kSetPinned);
    if (result.empty()) return std::nullopt;
    auto recorded = result[0][0].as<std::string>();
    AuditWriter::Write(txn, user, pinned ? "pin" : "unpin", audit, {{"cid", recorded}});
    txn.commit();
    return recorded;
  });
}

domain::UsageSummary PgFileRepository::Usage(domain::UserId user, const domain::AuditContext& audit) {
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::work txn(connection);
    const auto result = txn.exec_prepared(kUsage, user);
    ExpectRows(result.size(), 0, 1, kUsage);
    if (result.empty()) throw Error(ErrorCode::kNotFound, {}, {}, "Usage: no user " + std::to_string(user));
    const auto row = result[0];
    domain::UsageSummary usage;
    usage.request_count = row[0].as<std::int64_t>();
    usage.file_count = row[1].as<std::int64_t>();
    usage.stored_bytes = row[2].as<std::int64_t>();
    usage.pinned_bytes = row[3].as<std::int64_t>();
    usage.requests_this_month = row[4].as<std::int64_t>();
    AuditWriter::Write(txn, user, "usage", audit, {});
    txn.commit();
    return usage;
  });
}

std::vector<std::string> PgFileRepository::CollectGarbage(const std::function<void(const std::string&)>& remove_bytes) {
  const auto candidates = connection_.Run([](pqxx::connection_base& connection) {
    pqxx::nontransaction txn(connection);
    std::vector<std::string> cids;
    for (const auto& row : txn.exec_prepared(kGcCandidates)) cids.push_back(row[0].as<std::string>());
    return cids;
  });
  std::vector<std::string> removed;
  for (const auto& cid : candidates) {
    if (CollectOne(cid, remove_bytes)) removed.push_back(cid);
  }
  return removed;
}

// Why this is safe against a concurrent upload of the same bytes: RecordUpload locks the
// content row (its upsert) before it makes the bytes visible and keeps the lock until its
// holding is committed. Here the row is locked before the bytes are removed, so the two never
// overlap: either the upload waits for this transaction (and, the row gone, inserts it anew and
// writes the bytes again), or this one skips the row. The lock query alone is not enough: in
// READ COMMITTED its NOT EXISTS may be judged on a snapshot taken before an upload committed
// its holding and released the row, so the holdings are checked again, on a fresh snapshot,
// once the lock is ours; no new holding can appear while we hold it.
bool PgFileRepository::CollectOne(const std::string& cid, const std::function<void(const std::string&)>& remove_bytes) {
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::work txn(connection);
    const auto locked = txn.exec_prepared(kGcLock, cid);
    ExpectRows(locked.size(), 0, 1, kGcLock);
    if (locked.empty()) return false;  // held again, being uploaded, or already collected
    const auto held = txn.exec_prepared(kGcStillHeld, cid);
    ExpectRows(held.size(), 1, 1, kGcStillHeld);
    if (held[0][0].as<bool>()) return false;
    // Bytes first: if removing them fails, the row stays and the next run tries again; if the
    // commit fails after, the row stays without bytes and the next upload writes them again.
    remove_bytes(cid);
    txn.exec_prepared(kGcDeleteDeadFiles, cid);
    ExpectRows(txn.exec_prepared(kGcDeleteContent, cid).affected_rows(), 1, 1, kGcDeleteContent);
    txn.commit();
    return true;
  });
}

}  // namespace gw::persistence
