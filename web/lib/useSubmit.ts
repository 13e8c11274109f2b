"use client";

import { useState } from "react";
import { isApiError, type ApiError } from "@/lib/api";

// A form's submission: busy while it runs (the submit button is disabled), the API's error to
// show when it fails (anything else is a bug and is thrown on).
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

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

  return { busy, error, setError, submit };
}
