"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import ErrorAlert from "@/components/ErrorAlert";
import PublicFrame from "@/components/PublicFrame";
import { isApiError, type ApiError } from "@/lib/api";
import { useAuth } from "@/lib/auth";

export default function SignInPage() {
  const { state, reason, signInWithPassword, signInWithKey } = useAuth();
  const router = useRouter();
  const [mode, setMode] = useState<"password" | "key">("password");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    if (state.status === "signed-in") router.replace("/");
  }, [state.status, router]);

  async function submit(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e: unknown) {
      if (isApiError(e)) setError(e);
      else throw e;
    } finally {
      setBusy(false);
    }
  }

  return (
    <PublicFrame>
      <h1>Sign in</h1>
      <ErrorAlert error={error ?? reason} />
      {mode === "password" ? (
        <form
          className="card space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            void submit(() => signInWithPassword(email, password));
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
              autoComplete="current-password"
              required
              className="field"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <button type="submit" className="btn w-full" disabled={busy}>
            Sign in
          </button>
        </form>
      ) : (
        <form
          className="card space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            void submit(() => signInWithKey(apiKey.trim()));
          }}
        >
          <div>
            <label htmlFor="api-key" className="field-label">
              API key
            </label>
            <input
              id="api-key"
              type="password"
              autoComplete="off"
              spellCheck={false}
              required
              className="field font-mono"
              value={apiKey}
              onChange={(e) => setApiKey(e.target.value)}
            />
          </div>
          <button type="submit" className="btn w-full" disabled={busy}>
            Sign in with key
          </button>
        </form>
      )}
      <p className="mt-4">
        <button
          type="button"
          className="btn-secondary"
          onClick={() => {
            setError(null);
            setMode(mode === "password" ? "key" : "password");
          }}
        >
          {mode === "password" ? "Use an API key" : "Use email and password"}
        </button>
      </p>
      <p className="mt-6">
        No account yet? <Link href="/register/">Create an account</Link>
      </p>
    </PublicFrame>
  );
}
