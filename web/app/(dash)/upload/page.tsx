"use client";

import { useEffect, useRef, useState } from "react";
import ErrorAlert from "@/components/ErrorAlert";
import {
  api,
  formatBytes,
  isApiError,
  upload,
  type ApiError,
  type StoredFile,
  type TaskStatus,
  type UploadAccepted,
} from "@/lib/api";

type Phase =
  | { kind: "idle" }
  | { kind: "sending"; loaded: number; total: number }
  | { kind: "task"; taskId: string; done: number; total: number | null; state: string }
  | { kind: "stored"; file: StoredFile };

const POLL_MS = 1000;

export default function UploadPage() {
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [error, setError] = useState<ApiError | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  // follows /tasks/{id}/status until the task ends (a 202 upload is stored by a job worker)
  async function follow(accepted: UploadAccepted) {
    setPhase({ kind: "task", taskId: accepted.task_id, done: 0, total: null, state: "queued" });
    for (;;) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (!alive.current) return;
      const { data } = await api<TaskStatus>(accepted.status_url);
      if (data.state === "succeeded") {
        const result = data.result as StoredFile | null | undefined;
        if (!result) throw new Error("task succeeded without a result");
        setPhase({ kind: "stored", file: result });
        return;
      }
      if (data.state === "failed") {
        setPhase({ kind: "idle" });
        setError({
          status: 0,
          code: data.error?.code ?? "task_failed",
          message: data.error?.message ?? "The upload failed.",
          requestId: null,
        });
        return;
      }
      setPhase({
        kind: "task",
        taskId: data.task_id,
        done: data.progress.done,
        total: data.progress.total,
        state: data.state,
      });
    }
  }

  async function start() {
    if (!file) return;
    setError(null);
    setPhase({ kind: "sending", loaded: 0, total: file.size });
    try {
      const res = await upload(file, (loaded, total) => {
        if (alive.current) setPhase({ kind: "sending", loaded, total });
      });
      if (res.status === 202) await follow(res.data as UploadAccepted);
      else setPhase({ kind: "stored", file: res.data as StoredFile });
      setFile(null);
      if (inputRef.current) inputRef.current.value = "";
    } catch (e: unknown) {
      setPhase({ kind: "idle" });
      if (isApiError(e)) setError(e);
      else
        setError({
          status: 0,
          code: "client_error",
          message: e instanceof Error ? e.message : "The upload failed.",
          requestId: null,
        });
    }
  }

  const busy = phase.kind === "sending" || phase.kind === "task";

  return (
    <>
      <h1>Upload</h1>
      <ErrorAlert error={error} />
      <form
        className="card space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <div
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            const dropped = e.dataTransfer.files[0];
            if (dropped) {
              setFile(dropped);
              setPhase({ kind: "idle" });
            }
          }}
          className={
            "rounded-lg border-2 border-dashed p-6 text-center " +
            (dragging ? "border-blue-700 bg-blue-50" : "border-slate-400 bg-slate-50")
          }
          data-testid="drop-zone"
        >
          <p className="mb-3">Drop a file here, or choose one.</p>
          <label htmlFor="file" className="field-label">
            Choose a file
          </label>
          <input
            ref={inputRef}
            id="file"
            type="file"
            className="mx-auto block max-w-full text-sm"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setPhase({ kind: "idle" });
            }}
          />
          {file ? (
            <p className="mt-3 text-sm">
              Selected: <strong>{file.name}</strong> ({formatBytes(file.size)})
            </p>
          ) : null}
        </div>
        <button type="submit" className="btn" disabled={!file || busy}>
          Upload
        </button>
      </form>

      {phase.kind === "sending" ? (
        <div className="card mt-4">
          <label htmlFor="upload-progress" className="field-label">
            Upload progress
          </label>
          <progress
            id="upload-progress"
            className="w-full"
            max={phase.total || 1}
            value={phase.loaded}
          />
          <p className="muted mt-1">
            {formatBytes(phase.loaded)} of {formatBytes(phase.total)} sent
          </p>
        </div>
      ) : null}

      {phase.kind === "task" ? (
        <div className="card mt-4">
          <label htmlFor="task-progress" className="field-label">
            Task progress
          </label>
          {phase.total ? (
            <progress id="task-progress" className="w-full" max={phase.total} value={phase.done} />
          ) : (
            <progress id="task-progress" className="w-full" />
          )}
          <p className="muted mt-1">The gateway is storing the file (task {phase.state}).</p>
        </div>
      ) : null}

      <div role="status" className="mt-4">
        {phase.kind === "stored" ? (
          <div className="card">
            <p className="font-medium">
              Stored {phase.file.filename} ({formatBytes(phase.file.size)}).
            </p>
            <p className="mt-1">
              CID:{" "}
              <code data-testid="upload-cid" className="mono">
                {phase.file.cid}
              </code>
            </p>
          </div>
        ) : null}
      </div>
    </>
  );
}
