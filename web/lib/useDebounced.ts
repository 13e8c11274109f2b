"use client";

import { useEffect, useRef } from "react";

// Calls onSettle(value) once value has stayed the same for delayMs: a search box waits until
// typing pauses. onSettle may be a new function on every render (the latest one is called), so
// only a change of value starts the wait again.
export function useDebounced<T>(value: T, delayMs: number, onSettle: (value: T) => void): void {
  const latest = useRef(onSettle);
  useEffect(() => {
    latest.current = onSettle;
  });
  useEffect(() => {
    const t = setTimeout(() => latest.current(value), delayMs);
    return () => clearTimeout(t);
  }, [value, delayMs]);
}
