import Link from "next/link";
import type { ApiError } from "@/lib/api";

// An API error in words: the server's message (or ours for the two that end a session) and the
// request id, which support can look up in the logs.
export function errorText(error: ApiError): string {
  if (error.code === "api_key_revoked") return "Your API key has been revoked by an administrator.";
  if (error.code === "session_expired") return "Your session has ended. Please sign in again.";
  return error.message;
}

export default function ErrorAlert({ error }: { error: ApiError | null }) {
  if (!error) return null;
  return (
    <div role="alert" className="my-3 rounded-md border border-red-300 bg-red-50 p-3 text-red-900">
      <p className="font-medium">{errorText(error)}</p>
      {error.code === "session_expired" || error.code === "api_key_revoked" ? (
        <p className="mt-1">
          <Link href="/sign-in/" className="text-red-900">
            Sign in
          </Link>
        </p>
      ) : null}
      {error.requestId ? (
        <p className="mt-1 text-sm">
          Request id: <span className="font-mono">{error.requestId}</span>
        </p>
      ) : null}
    </div>
  );
}
