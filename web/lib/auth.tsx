"use client";

// The auth context: who is signed in, from GET /session (the cookie is HttpOnly: the app cannot
// see it, only ask). The CSRF token of the session goes to the API client's memory; a reload
// reads it again. Any 401 of an authenticated call ends the signed-in state, and the pages send
// the user to sign-in with the reason (session ended, key revoked) kept here to be shown there.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import {
  api,
  setCsrfToken,
  setUnauthorizedListener,
  type ApiError,
  type SessionInfo,
  isApiError,
} from "./api";

type AuthState =
  | { status: "loading" }
  | { status: "signed-in"; session: SessionInfo }
  | { status: "signed-out" };

interface AuthContextValue {
  state: AuthState;
  // why the last session ended (shown on the sign-in page), null when it was never there
  reason: ApiError | null;
  signInWithPassword: (email: string, password: string) => Promise<void>;
  signInWithKey: (apiKey: string) => Promise<void>;
  signOut: () => Promise<void>;
  clearReason: () => void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: React.ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: "loading" });
  const [reason, setReason] = useState<ApiError | null>(null);

  const accept = useCallback((session: SessionInfo) => {
    setCsrfToken(session.csrf_token);
    setReason(null);
    setState({ status: "signed-in", session });
  }, []);

  useEffect(() => {
    setUnauthorizedListener((error) => {
      setCsrfToken(null);
      setReason(error);
      setState({ status: "signed-out" });
    });
    let cancelled = false;
    api<SessionInfo>("/session", { public: true })
      .then(({ data }) => {
        if (!cancelled) accept(data);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        setCsrfToken(null);
        // no cookie at all is not worth a message; an ended or revoked session is
        if (isApiError(e) && e.status === 401 && e.code !== "missing_api_key") setReason(e);
        setState({ status: "signed-out" });
      });
    return () => {
      cancelled = true;
      setUnauthorizedListener(null);
    };
  }, [accept]);

  const signInWithPassword = useCallback(
    async (email: string, password: string) => {
      const { data } = await api<SessionInfo>("/session", {
        method: "POST",
        body: { email, password },
        public: true,
      });
      accept(data);
    },
    [accept],
  );

  const signInWithKey = useCallback(
    async (apiKey: string) => {
      const { data } = await api<SessionInfo>("/session", {
        method: "POST",
        body: { api_key: apiKey },
        public: true,
      });
      accept(data);
    },
    [accept],
  );

  const signOut = useCallback(async () => {
    try {
      await api("/session", { method: "DELETE", public: true });
    } finally {
      setCsrfToken(null);
      setReason(null);
      setState({ status: "signed-out" });
    }
  }, []);

  const clearReason = useCallback(() => setReason(null), []);

  const value = useMemo(
    () => ({ state, reason, signInWithPassword, signInWithKey, signOut, clearReason }),
    [state, reason, signInWithPassword, signInWithKey, signOut, clearReason],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth outside AuthProvider");
  return ctx;
}
