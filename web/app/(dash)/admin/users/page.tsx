"use client";

import { useMemo, useState } from "react";
import { ConfirmDialog } from "@/components/Dialog";
import ErrorAlert from "@/components/ErrorAlert";
import { type Option } from "@/components/Field";
import PagedTable from "@/components/PagedTable";
import SearchAndFilter from "@/components/SearchAndFilter";
import { AdminOnly } from "@/components/Shell";
import { api, formatTime, isApiError, type AdminUser } from "@/lib/api";
import { usePagedList } from "@/lib/usePagedList";

const LIMIT = 20;
type StateFilter = "" | "active" | "revoked";
const STATES: readonly Option<StateFilter>[] = [
  { value: "", label: "All" },
  { value: "active", label: "Active" },
  { value: "revoked", label: "Revoked" },
];
const COLUMNS = ["Email", "State", "Plan", "Key prefix", "Created", "Requests", "Actions"] as const;
type Pending = { user: AdminUser; action: "revoke" | "reactivate" };

function Users() {
  const [query, setQuery] = useState("");
  const [stateFilter, setStateFilter] = useState<StateFilter>("");
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState("");

  const filters = useMemo(() => ({ q: query, state: stateFilter }), [query, stateFilter]);
  const list = usePagedList<AdminUser>("/admin/users", filters, LIMIT);
  const { error, setError, reload: load } = list;

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
      <SearchAndFilter
        search={{ id: "user-search", label: "Search by email", onSearch: setQuery }}
        filter={{
          id: "state",
          label: "State",
          value: stateFilter,
          options: STATES,
          onFilter: setStateFilter,
        }}
        onChange={() => list.setPage(1)}
      />
      <ErrorAlert error={error} />
      <p aria-live="polite" className="sr-only">
        {notice}
      </p>
      <PagedTable
        list={list}
        label="Users table"
        caption="Users"
        columns={COLUMNS}
        empty="No users match these filters."
        row={(u) => (
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
        )}
      />
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
