"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import ErrorAlert from "@/components/ErrorAlert";
import { EmailField, PasswordField, TextField } from "@/components/Field";
import PublicFrame from "@/components/PublicFrame";
import { useAuth } from "@/lib/auth";
import { useSubmit } from "@/lib/useSubmit";

export default function SignInPage() {
  const { state, reason, signInWithPassword, signInWithKey } = useAuth();
  const router = useRouter();
  const [mode, setMode] = useState<"password" | "key">("password");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [apiKey, setApiKey] = useState("");
  const { busy, error, setError, submit } = useSubmit();

  useEffect(() => {
    if (state.status === "signed-in") router.replace("/");
  }, [state.status, router]);

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
          <EmailField value={email} onValue={setEmail} />
          <PasswordField
            id="password"
            autoComplete="current-password"
            value={password}
            onValue={setPassword}
          />
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
          <TextField
            id="api-key"
            label="API key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            required
            mono
            value={apiKey}
            onValue={setApiKey}
          />
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
