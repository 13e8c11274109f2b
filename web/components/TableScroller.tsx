import type { ReactNode } from "react";

// A table that may scroll sideways on a narrow screen. The scrolling box takes keyboard focus
// (tabIndex 0) and has a name, so that keyboard users can scroll it too (WCAG 2.1.1; axe's
// scrollable-region-focusable).
export default function TableScroller({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
