"use client";

import Link from "next/link";
import { useState } from "react";
import CopyButton from "@/components/CopyButton";
import ErrorAlert from "@/components/ErrorAlert";
import { EmailField, PasswordField } from "@/components/Field";
import PublicFrame from "@/components/PublicFrame";
import { api, type IssuedKey } from "@/lib/api";
import { useSubmit } from "@/lib/useSubmit";

export default function RegisterPage() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, submit } = useSubmit();
  const [issued, setIssued] = useState<IssuedKey | null>(null);

  async function register() {
    const { data } = await api<IssuedKey>("/register", {
      method: "POST",
      body: { email, password },
      public: true,
    });
    setPassword("");
    setIssued(data);
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
            void submit(register);
          }}
        >
          <EmailField value={email} onValue={setEmail} />
          <PasswordField
            id="password"
            autoComplete="new-password"
            minLength={12}
            aria-describedby="password-help"
            value={password}
            onValue={setPassword}
          >
            <p id="password-help" className="muted mt-1">
              At least 12 characters.
            </p>
          </PasswordField>
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
