"use client";

import { useState } from "react";

// Copies a text to the clipboard; says so (aria-live) when it did, or why it could not.
export default function CopyButton({ text, label }: { text: string; label: string }) {
  const [note, setNote] = useState("");
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        className="btn-secondary"
        onClick={() => {
          if (!navigator.clipboard) {
            setNote("Copying is not available here: select the text and copy it.");
            return;
          }
          navigator.clipboard.writeText(text).then(
            () => setNote("Copied"),
            () => setNote("Could not copy: select the text and copy it."),
          );
        }}
      >
        {label}
      </button>
      <span aria-live="polite" className="text-sm text-slate-700">
        {note}
      </span>
    </span>
  );
}
