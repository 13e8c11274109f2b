import { formatBytes, type DailyUsage } from "@/lib/api";

// Uploads and bytes per day as an SVG bar chart drawn by hand: geometry in attributes only (the
// CSP allows no inline styles). Two rows of bars share the day axis: uploads above, bytes below.
const W = 600;
const ROW = 110;
const PAD_LEFT = 8;
const PAD_TOP = 24;
const GAP = 36;
const H = PAD_TOP + ROW + GAP + ROW + 28;

export default function UsageChart({ days }: { days: DailyUsage[] }) {
  const n = Math.max(days.length, 1);
  const step = (W - PAD_LEFT - 8) / n;
  const barW = Math.max(step * 0.7, 1);
  const maxUploads = Math.max(1, ...days.map((d) => d.uploads));
  const maxBytes = Math.max(1, ...days.map((d) => d.bytes));
  const totalUploads = days.reduce((s, d) => s + d.uploads, 0);
  const totalBytes = days.reduce((s, d) => s + d.bytes, 0);
  const first = days[0]?.date ?? "";
  const last = days[days.length - 1]?.date ?? "";
  const label = `Uploads per day and bytes per day, ${first} to ${last}: ${totalUploads} uploads, ${formatBytes(totalBytes)} in total`;
  const row2 = PAD_TOP + ROW + GAP;

  return (
    <figure className="card">
      <svg
        role="img"
        aria-label={label}
        viewBox={`0 0 ${W} ${H}`}
        className="h-auto w-full max-w-2xl"
        preserveAspectRatio="xMidYMid meet"
      >
        <title>{label}</title>
        <text x={PAD_LEFT} y={16} fontSize="15" fill="#334155">
          Uploads (max {maxUploads})
        </text>
        <text x={PAD_LEFT} y={row2 - 8} fontSize="15" fill="#334155">
          Bytes (max {formatBytes(maxBytes)})
        </text>
        {[PAD_TOP, row2].map((top) => (
          // each row's base line
          <line
            key={top}
            x1={PAD_LEFT}
            y1={top + ROW}
            x2={W - 8}
            y2={top + ROW}
            stroke="#64748b"
            strokeWidth="1"
          />
        ))}
        {days.map((d, i) => {
          const x = PAD_LEFT + i * step + (step - barW) / 2;
          const hu = (d.uploads / maxUploads) * ROW;
          const hb = (d.bytes / maxBytes) * ROW;
          return (
            <g key={d.date}>
              <rect x={x} y={PAD_TOP + ROW - hu} width={barW} height={hu} fill="#1d4ed8">
                <title>{`${d.date}: ${d.uploads} uploads`}</title>
              </rect>
              <rect x={x} y={row2 + ROW - hb} width={barW} height={hb} fill="#047857">
                <title>{`${d.date}: ${formatBytes(d.bytes)}`}</title>
              </rect>
            </g>
          );
        })}
        <text x={PAD_LEFT} y={H - 6} fontSize="15" fill="#334155">
          {first}
        </text>
        <text x={W - 8} y={H - 6} fontSize="15" fill="#334155" textAnchor="end">
          {last}
        </text>
      </svg>
      <figcaption className="muted mt-2">
        Last {days.length} days (UTC): {totalUploads} uploads, {formatBytes(totalBytes)}.
      </figcaption>
    </figure>
  );
}
