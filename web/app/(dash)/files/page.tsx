"use client";

import { useMemo, useState } from "react";
import CopyButton from "@/components/CopyButton";
import { ConfirmDialog } from "@/components/Dialog";
import ErrorAlert from "@/components/ErrorAlert";
import { type Option } from "@/components/Field";
import PagedTable from "@/components/PagedTable";
import SearchAndFilter from "@/components/SearchAndFilter";
import { api, formatBytes, formatTime, isApiError, type StoredFile } from "@/lib/api";
import { usePagedList } from "@/lib/usePagedList";

const LIMIT = 20;
type PinnedFilter = "" | "true" | "false";
const PINNED: readonly Option<PinnedFilter>[] = [
  { value: "", label: "All" },
  { value: "true", label: "Pinned" },
  { value: "false", label: "Not pinned" },
];
const COLUMNS = ["Name", "CID", "Size", "Uploaded", "Actions"] as const;

export default function FilesPage() {
  const [query, setQuery] = useState("");
  const [pinned, setPinned] = useState<PinnedFilter>("");
  const [busyCid, setBusyCid] = useState<string | null>(null);
  const [toDelete, setToDelete] = useState<StoredFile | null>(null);
  const [notice, setNotice] = useState("");

  const filters = useMemo(() => ({ name: query, pinned }), [query, pinned]);
  const list = usePagedList<StoredFile>("/files", filters, LIMIT);
  const { error, setError, reload: load } = list;

  async function act(cid: string, action: () => Promise<unknown>, done: string) {
    setBusyCid(cid);
    setError(null);
    try {
      await action();
      setNotice(done);
      await load();
    } catch (e: unknown) {
      if (isApiError(e)) setError(e);
    } finally {
      setBusyCid(null);
    }
  }

  const filtered = query !== "" || pinned !== "";

  return (
    <>
      <h1>Files</h1>
      <SearchAndFilter
        search={{ id: "search", label: "Search by name", onSearch: setQuery }}
        filter={{
          id: "pinned",
          label: "Pinned",
          value: pinned,
          options: PINNED,
          onFilter: setPinned,
        }}
        onChange={() => list.setPage(1)}
      />
      <ErrorAlert error={error} />
      <p aria-live="polite" className="sr-only">
        {notice}
      </p>
      <PagedTable
        list={list}
        label="Files table"
        caption="Your files"
        columns={COLUMNS}
        empty={filtered ? "No files match these filters." : "No files yet"}
        row={(f) => (
          <tr key={f.cid}>
            <td className="break-all">
              {f.filename}
              {f.pinned ? (
                <span className="ml-2 rounded bg-green-100 px-1.5 py-0.5 text-xs text-green-900">
                  pinned
                </span>
              ) : null}
            </td>
            <td>
              <code data-testid="file-cid" className="mono">
                {f.cid}
              </code>
            </td>
            <td className="whitespace-nowrap">{formatBytes(f.size)}</td>
            <td className="whitespace-nowrap">{formatTime(f.uploaded_at)}</td>
            <td>
              <div className="flex flex-wrap gap-2">
                <CopyButton text={f.cid} label="Copy CID" />
                <a
                  className="btn-secondary no-underline"
                  href={`/retrieve/${f.cid}`}
                  download={f.filename}
                >
                  Download
                </a>
                <button
                  type="button"
                  className="btn-secondary"
                  disabled={busyCid === f.cid}
                  onClick={() =>
                    void act(
                      f.cid,
                      () => api(`/${f.pinned ? "unpin" : "pin"}/${f.cid}`, { method: "POST" }),
                      `${f.filename} ${f.pinned ? "unpinned" : "pinned"}`,
                    )
                  }
                >
                  {f.pinned ? "Unpin" : "Pin"}
                </button>
                <button
                  type="button"
                  className="btn-danger"
                  disabled={busyCid === f.cid}
                  onClick={() => setToDelete(f)}
                >
                  Delete
                </button>
              </div>
            </td>
          </tr>
        )}
      />
      <ConfirmDialog
        open={toDelete !== null}
        title="Delete this file?"
        confirmLabel="Delete"
        danger
        busy={busyCid !== null}
        onCancel={() => setToDelete(null)}
        onConfirm={() => {
          const f = toDelete;
          setToDelete(null);
          if (f)
            void act(
              f.cid,
              () => api(`/files/${f.cid}`, { method: "DELETE" }),
              `${f.filename} deleted`,
            );
        }}
      >
        <p>
          {toDelete?.filename} will be removed from your files. Its CID stays valid elsewhere only
          if someone else holds the content.
        </p>
      </ConfirmDialog>
    </>
  );
}
