"use client";

import { useCallback, useEffect, useState } from "react";
import { ConfirmDialog } from "@/components/Dialog";
import ErrorAlert from "@/components/ErrorAlert";
import Loading from "@/components/Loading";
import Pager from "@/components/Pager";
import TableScroller from "@/components/TableScroller";
import { AdminOnly } from "@/components/Shell";
import {
  api,
  formatTime,
  isApiError,
  pageInfo,
  type AdminUser,
  type ApiError,
  type PageInfo,
} from "@/lib/api";

const LIMIT = 20;
type StateFilter = "" | "active" | "revoked";
type Pending = { user: AdminUser; action: "revoke" | "reactivate" };

function Users() {
  const [q, setQ] = useState("");
  const [query, setQuery] = useState("");
  const [stateFilter, setStateFilter] = useState<StateFilter>("");
  const [page, setPage] = useState(1);
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [info, setInfo] = useState<PageInfo | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState("");

  useEffect(() => {
    const t = setTimeout(() => {
      setQuery(q.trim());
      setPage(1);
    }, 300);
    return () => clearTimeout(t);
  }, [q]);

  const load = useCallback(async () => {
    try {
      const { data, headers } = await api<AdminUser[]>("/admin/users", {
        query: { q: query, state: stateFilter, page, limit: LIMIT },
      });
      setUsers(data);
      setInfo(pageInfo(headers, page, LIMIT, data.length));
      setError(null);
    } catch (e: unknown) {
      if (isApiError(e)) setError(e);
    }
  }, [query, stateFilter, page]);

  useEffect(() => {
    void load();
  }, [load]);

  async function confirm() {
    if (!pending) return;
    const { user, action } = pending;
    setBusy(true);
    setError(null);
    try {
      await api(`/${action}`, { method: "POST", body: { email: user.email } });
      setNotice(`${user.email} ${action === "revoke" ? "revoked" : "reactivated"}`);
      setPending(null);
      await load();
    } catch (e: unknown) {
      setPending(null);
      if (isApiError(e)) setError(e);
    } finally {
      setBusy(false);
    }
  }

  const label = pending?.action === "revoke" ? "Revoke" : "Reactivate";

  return (
    <>
      <div className="mb-4 grid gap-3 sm:grid-cols-[1fr_12rem]">
        <div>
          <label htmlFor="user-search" className="field-label">
            Search by email
          </label>
          <input
            id="user-search"
            type="search"
            className="field"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </div>
        <div>
          <label htmlFor="state" className="field-label">
            State
          </label>
          <select
            id="state"
            className="field"
            value={stateFilter}
            onChange={(e) => {
              setStateFilter(e.target.value as StateFilter);
              setPage(1);
            }}
          >
            <option value="">All</option>
            <option value="active">Active</option>
            <option value="revoked">Revoked</option>
          </select>
        </div>
      </div>
      <ErrorAlert error={error} />
      <p aria-live="polite" className="sr-only">
        {notice}
      </p>
      {users === null ? (
        error ? null : (
          <Loading />
        )
      ) : users.length === 0 ? (
        <p className="card">No users match these filters.</p>
      ) : (
        <TableScroller label="Users table">
          <table>
            <caption className="sr-only">Users</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">State</th>
                <th scope="col">Plan</th>
                <th scope="col">Key prefix</th>
                <th scope="col">Created</th>
                <th scope="col">Requests</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.email}>
                  <td className="break-all">
                    {u.email}
                    {u.is_admin ? (
                      <span className="ml-2 rounded bg-slate-200 px-1.5 py-0.5 text-xs">admin</span>
                    ) : null}
                  </td>
                  <td>{u.state}</td>
                  <td>{u.plan}</td>
                  <td>
                    <code className="mono">{u.key_prefix ?? "none"}</code>
                  </td>
                  <td className="whitespace-nowrap">{formatTime(u.created_at)}</td>
                  <td>{u.usage_count}</td>
                  <td>
                    {u.state === "revoked" ? (
                      <button
                        type="button"
                        className="btn-secondary"
                        onClick={() => setPending({ user: u, action: "reactivate" })}
                      >
                        Reactivate
                      </button>
                    ) : (
                      <button
                        type="button"
                        className="btn-danger"
                        onClick={() => setPending({ user: u, action: "revoke" })}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroller>
      )}
      <Pager page={page} info={info} onPage={setPage} />
      <ConfirmDialog
        open={pending !== null}
        title={`${label} ${pending?.user.email ?? ""}?`}
        confirmLabel={label}
        danger={pending?.action === "revoke"}
        busy={busy}
        onCancel={() => setPending(null)}
        onConfirm={() => void confirm()}
      >
        <p>
          {pending?.action === "revoke"
            ? "The account's key stops working at once and its browser sessions end."
            : "The account can sign in again with its current key."}
        </p>
      </ConfirmDialog>
    </>
  );
}

export default function AdminUsersPage() {
  return (
    <>
      <h1>Users</h1>
      <AdminOnly>
        <Users />
      </AdminOnly>
    </>
  );
}
