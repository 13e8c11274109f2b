"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import CopyButton from "@/components/CopyButton";
import Dialog from "@/components/Dialog";
import ErrorAlert from "@/components/ErrorAlert";
import { PasswordField } from "@/components/Field";
import Loading from "@/components/Loading";
import { api, formatTime, isApiError, type AccountStatus, type IssuedKey } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { useSubmit } from "@/lib/useSubmit";

export default function KeyPage() {
  const { state, signInWithKey } = useAuth();
  const router = useRouter();
  const [status, setStatus] = useState<AccountStatus | null>(null);
  const [password, setPassword] = useState("");
  const { busy, error, setError, submit } = useSubmit();
  const [newKey, setNewKey] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api<AccountStatus>("/status", { method: "POST", body: {} })
      .then(({ data }) => {
        if (!cancelled) setStatus(data);
      })
      .catch((e: unknown) => {
        if (!cancelled && isApiError(e)) setError(e);
      });
    return () => {
      cancelled = true;
    };
  }, [setError]);

  const email = state.status === "signed-in" ? state.session.email : "";

  async function renew() {
    // /renew is a public route (email + password); it ends this browser session, so the app
    // signs in again with the new key once the user has taken it ("Done")
    const { data } = await api<IssuedKey>("/renew", {
      method: "POST",
      body: { email, password },
      public: true,
    });
    setPassword("");
    setNewKey(data.api_key);
  }

  async function done() {
    const key = newKey;
    setNewKey(null);
    if (!key) return;
    try {
      await signInWithKey(key);
      const { data } = await api<AccountStatus>("/status", { method: "POST", body: {} });
      setStatus(data);
    } catch (e: unknown) {
      if (isApiError(e)) setError(e);
      router.replace("/sign-in/");
    }
  }

  return (
    <>
      <h1>API key</h1>
      <ErrorAlert error={error} />
      {status ? (
        <dl className="card mb-6 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2">
          <dt className="font-medium">Status</dt>
          <dd>{status.state}</dd>
          <dt className="font-medium">Prefix</dt>
          <dd>
            <code className="mono">{status.key_prefix ?? "unknown"}</code>
          </dd>
          <dt className="font-medium">Created</dt>
          <dd>{formatTime(status.key_created_at ?? status.created_at)}</dd>
          <dt className="font-medium">Last renewed</dt>
          <dd>{formatTime(status.last_renewed_at)}</dd>
          <dt className="font-medium">Plan</dt>
          <dd>{status.plan}</dd>
        </dl>
      ) : error ? null : (
        <Loading />
      )}
      <section className="card" aria-labelledby="renew">
        <h2 id="renew">Renew the key</h2>
        <p className="mb-3">
          A new key replaces the current one at once: programs that use the old key stop working,
          and this browser signs in again with the new one.
        </p>
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            void submit(renew);
          }}
        >
          <PasswordField
            id="renew-password"
            autoComplete="current-password"
            value={password}
            onValue={setPassword}
          />
          <button type="submit" className="btn" disabled={busy}>
            Renew key
          </button>
        </form>
      </section>
      <Dialog open={newKey !== null} title="Your new API key" onClose={() => void done()}>
        <p className="mb-2">This key is shown only once: copy it now.</p>
        <p className="mb-3 rounded-md bg-slate-100 p-3">
          <code data-testid="new-api-key" className="mono text-sm">
            {newKey}
          </code>
        </p>
        <div className="flex flex-wrap items-center justify-between gap-2">
          <CopyButton text={newKey ?? ""} label="Copy key" />
          <button type="button" className="btn" onClick={() => void done()}>
            Done
          </button>
        </div>
      </Dialog>
    </>
  );
}
