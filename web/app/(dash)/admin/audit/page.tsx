"use client";

import { useMemo, useState } from "react";
import ErrorAlert from "@/components/ErrorAlert";
import { TextField } from "@/components/Field";
import PagedTable from "@/components/PagedTable";
import { AdminOnly } from "@/components/Shell";
import { formatTime, type AuditEntry } from "@/lib/api";
import { usePagedList } from "@/lib/usePagedList";

const LIMIT = 50;
interface Filters {
  user: string;
  action: string;
  from: string;
  to: string;
}
const EMPTY: Filters = { user: "", action: "", from: "", to: "" };
const FIELDS: readonly { key: keyof Filters; label: string; type: string }[] = [
  { key: "user", label: "User", type: "email" },
  { key: "action", label: "Action", type: "text" },
  { key: "from", label: "From", type: "date" },
  { key: "to", label: "To", type: "date" },
];
const COLUMNS = ["Time", "Action", "User", "Actor", "Request id"] as const;

// "to" is a date and the whole (UTC) day counts: `until` is inclusive, and a bare date would mean
// that day's midnight
function endOfDay(date: string): string {
  return `${date}T23:59:59.999999Z`;
}

function Audit() {
  const [form, setForm] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const query = useMemo(
    () => ({
      user: filters.user,
      action: filters.action,
      since: filters.from,
      until: filters.to ? endOfDay(filters.to) : undefined,
    }),
    [filters],
  );
  const list = usePagedList<AuditEntry>("/audit", query, LIMIT);

  const set = (k: keyof Filters) => (value: string) => setForm({ ...form, [k]: value });

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
          list.setPage(1);
        }}
      >
        {FIELDS.map(({ key, label, type }) => (
          <TextField
            key={key}
            id={`audit-${key}`}
            label={label}
            type={type}
            value={form[key]}
            onValue={set(key)}
          />
        ))}
        <button type="submit" className="btn">
          Apply filters
        </button>
      </form>
      <ErrorAlert error={list.error} />
      <PagedTable
        list={list}
        label="Audit log table"
        caption="Audit log"
        columns={COLUMNS}
        empty="No audit entries match these filters."
        row={(r) => (
          <tr key={r.id}>
            <td className="whitespace-nowrap">{formatTime(r.created_at)}</td>
            <td>{r.action}</td>
            <td className="break-all">{r.user ?? "none"}</td>
            <td className="break-all">{r.actor ?? "none"}</td>
            <td>
              <code className="mono">{r.request_id}</code>
            </td>
          </tr>
        )}
      />
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
