"use client";

import { useCallback, useEffect, useState } from "react";
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
  type ApiError,
  type AuditEntry,
  type PageInfo,
} from "@/lib/api";

const LIMIT = 50;
interface Filters {
  user: string;
  action: string;
  from: string;
  to: string;
}
const EMPTY: Filters = { user: "", action: "", from: "", to: "" };

// "to" is a date and the whole (UTC) day counts: `until` is inclusive, and a bare date would mean
// that day's midnight
function endOfDay(date: string): string {
  return `${date}T23:59:59.999999Z`;
}

function Audit() {
  const [form, setForm] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<AuditEntry[] | null>(null);
  const [info, setInfo] = useState<PageInfo | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(async () => {
    try {
      const { data, headers } = await api<AuditEntry[]>("/audit", {
        query: {
          user: filters.user,
          action: filters.action,
          since: filters.from,
          until: filters.to ? endOfDay(filters.to) : undefined,
          page,
          limit: LIMIT,
        },
      });
      setRows(data);
      setInfo(pageInfo(headers, page, LIMIT, data.length));
      setError(null);
    } catch (e: unknown) {
      if (isApiError(e)) setError(e);
    }
  }, [filters, page]);

  useEffect(() => {
    void load();
  }, [load]);

  const set = (k: keyof Filters) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm({ ...form, [k]: e.target.value });

  return (
    <>
      <form
        className="card mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-5 lg:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({
            user: form.user.trim(),
            action: form.action.trim(),
            from: form.from,
            to: form.to,
          });
          setPage(1);
        }}
      >
        <div>
          <label htmlFor="audit-user" className="field-label">
            User
          </label>
          <input
            id="audit-user"
            type="email"
            className="field"
            value={form.user}
            onChange={set("user")}
          />
        </div>
        <div>
          <label htmlFor="audit-action" className="field-label">
            Action
          </label>
          <input
            id="audit-action"
            type="text"
            className="field"
            value={form.action}
            onChange={set("action")}
          />
        </div>
        <div>
          <label htmlFor="audit-from" className="field-label">
            From
          </label>
          <input
            id="audit-from"
            type="date"
            className="field"
            value={form.from}
            onChange={set("from")}
          />
        </div>
        <div>
          <label htmlFor="audit-to" className="field-label">
            To
          </label>
          <input id="audit-to" type="date" className="field" value={form.to} onChange={set("to")} />
        </div>
        <button type="submit" className="btn">
          Apply filters
        </button>
      </form>
      <ErrorAlert error={error} />
      {rows === null ? (
        error ? null : (
          <Loading />
        )
      ) : rows.length === 0 ? (
        <p className="card">No audit entries match these filters.</p>
      ) : (
        <TableScroller label="Audit log table">
          <table>
            <caption className="sr-only">Audit log</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Action</th>
                <th scope="col">User</th>
                <th scope="col">Actor</th>
                <th scope="col">Request id</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td className="whitespace-nowrap">{formatTime(r.created_at)}</td>
                  <td>{r.action}</td>
                  <td className="break-all">{r.user ?? "none"}</td>
                  <td className="break-all">{r.actor ?? "none"}</td>
                  <td>
                    <code className="mono">{r.request_id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroller>
      )}
      <Pager page={page} info={info} onPage={setPage} />
    </>
  );
}

export default function AuditPage() {
  return (
    <>
      <h1>Audit log</h1>
      <AdminOnly>
        <Audit />
      </AdminOnly>
    </>
  );
}
