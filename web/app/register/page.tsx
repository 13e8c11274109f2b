"use client";

import Link from "next/link";
import { useState } from "react";
import CopyButton from "@/components/CopyButton";
import ErrorAlert from "@/components/ErrorAlert";
import PublicFrame from "@/components/PublicFrame";
import { api, isApiError, type ApiError, type IssuedKey } from "@/lib/api";

export default function RegisterPage() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [issued, setIssued] = useState<IssuedKey | null>(null);

  async function register() {
    setBusy(true);
    setError(null);
    try {
      const { data } = await api<IssuedKey>("/register", {
        method: "POST",
        body: { email, password },
        public: true,
      });
      setPassword("");
      setIssued(data);
    } catch (e: unknown) {
      if (isApiError(e)) setError(e);
      else throw e;
    } finally {
      setBusy(false);
    }
  }

  return (
    <PublicFrame>
      <h1>Create an account</h1>
      <ErrorAlert error={error} />
      {issued ? (
        <section className="card space-y-3" aria-labelledby="your-key">
          <h2 id="your-key">Your API key</h2>
          <p>
            This key is shown only once: copy it now and keep it safe. It is the password of your
            account for programs.
          </p>
          <p className="rounded-md bg-slate-100 p-3">
            <code data-testid="new-api-key" className="mono text-sm">
              {issued.api_key}
            </code>
          </p>
          <CopyButton text={issued.api_key} label="Copy key" />
          <p>
            <Link href="/sign-in/">Sign in</Link>
          </p>
        </section>
      ) : (
        <form
          className="card space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            void register();
          }}
        >
          <div>
            <label htmlFor="email" className="field-label">
              Email
            </label>
            <input
              id="email"
              type="email"
              autoComplete="username"
              required
              className="field"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div>
            <label htmlFor="password" className="field-label">
              Password
            </label>
            <input
              id="password"
              type="password"
              autoComplete="new-password"
              required
              minLength={12}
              aria-describedby="password-help"
              className="field"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <p id="password-help" className="muted mt-1">
              At least 12 characters.
            </p>
          </div>
          <button type="submit" className="btn w-full" disabled={busy}>
            Create account
          </button>
        </form>
      )}
      {issued ? null : (
        <p className="mt-6">
          Already have an account? <Link href="/sign-in/">Sign in</Link>
        </p>
      )}
    </PublicFrame>
  );
}
