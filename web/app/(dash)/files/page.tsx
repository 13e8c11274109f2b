"use client";

import { useCallback, useEffect, useState } from "react";
import CopyButton from "@/components/CopyButton";
import { ConfirmDialog } from "@/components/Dialog";
import ErrorAlert from "@/components/ErrorAlert";
import Loading from "@/components/Loading";
import Pager from "@/components/Pager";
import TableScroller from "@/components/TableScroller";
import {
  api,
  formatBytes,
  formatTime,
  isApiError,
  pageInfo,
  type ApiError,
  type PageInfo,
  type StoredFile,
} from "@/lib/api";

const LIMIT = 20;
type PinnedFilter = "" | "true" | "false";

export default function FilesPage() {
  const [name, setName] = useState("");
  const [query, setQuery] = useState("");
  const [pinned, setPinned] = useState<PinnedFilter>("");
  const [page, setPage] = useState(1);
  const [files, setFiles] = useState<StoredFile[] | null>(null);
  const [info, setInfo] = useState<PageInfo | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busyCid, setBusyCid] = useState<string | null>(null);
  const [toDelete, setToDelete] = useState<StoredFile | null>(null);
  const [notice, setNotice] = useState("");

  // the search waits until typing pauses
  useEffect(() => {
    const t = setTimeout(() => {
      setQuery(name.trim());
      setPage(1);
    }, 300);
    return () => clearTimeout(t);
  }, [name]);

  const load = useCallback(async () => {
    try {
      const { data, headers } = await api<StoredFile[]>("/files", {
        query: { page, limit: LIMIT, name: query, pinned },
      });
      setFiles(data);
      setInfo(pageInfo(headers, page, LIMIT, data.length));
      setError(null);
    } catch (e: unknown) {
      if (isApiError(e)) setError(e);
    }
  }, [page, query, pinned]);

  useEffect(() => {
    void load();
  }, [load]);

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
      <div className="mb-4 grid gap-3 sm:grid-cols-[1fr_12rem]">
        <div>
          <label htmlFor="search" className="field-label">
            Search by name
          </label>
          <input
            id="search"
            type="search"
            className="field"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div>
          <label htmlFor="pinned" className="field-label">
            Pinned
          </label>
          <select
            id="pinned"
            className="field"
            value={pinned}
            onChange={(e) => {
              setPinned(e.target.value as PinnedFilter);
              setPage(1);
            }}
          >
            <option value="">All</option>
            <option value="true">Pinned</option>
            <option value="false">Not pinned</option>
          </select>
        </div>
      </div>
      <ErrorAlert error={error} />
      <p aria-live="polite" className="sr-only">
        {notice}
      </p>
      {files === null ? (
        error ? null : (
          <Loading />
        )
      ) : files.length === 0 ? (
        <p className="card">{filtered ? "No files match these filters." : "No files yet"}</p>
      ) : (
        <TableScroller label="Files table">
          <table>
            <caption className="sr-only">Your files</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">CID</th>
                <th scope="col">Size</th>
                <th scope="col">Uploaded</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {files.map((f) => (
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
                            () =>
                              api(`/${f.pinned ? "unpin" : "pin"}/${f.cid}`, { method: "POST" }),
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
              ))}
            </tbody>
          </table>
        </TableScroller>
      )}
      <Pager page={page} info={info} onPage={setPage} />
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
