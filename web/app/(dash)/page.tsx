"use client";

import { useEffect, useState } from "react";
import ErrorAlert from "@/components/ErrorAlert";
import Loading from "@/components/Loading";
import UsageChart from "@/components/UsageChart";
import {
  api,
  formatBytes,
  isApiError,
  rateLimit,
  type ApiError,
  type DailyUsage,
  type RateLimitInfo,
  type Usage,
} from "@/lib/api";

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="card">
      <dt className="muted">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold">{value}</dd>
    </div>
  );
}

export default function OverviewPage() {
  const [usage, setUsage] = useState<Usage | null>(null);
  const [limit, setLimit] = useState<RateLimitInfo | null>(null);
  const [daily, setDaily] = useState<DailyUsage[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let cancelled = false;
    const fail = (e: unknown) => {
      if (!cancelled && isApiError(e)) setError(e);
    };
    api<Usage>("/usage")
      .then(({ data, headers }) => {
        if (cancelled) return;
        setUsage(data);
        setLimit(rateLimit(headers));
      })
      .catch(fail);
    api<DailyUsage[]>("/usage/daily", { query: { days: 30 } })
      .then(({ data }) => {
        if (!cancelled) setDaily(data);
      })
      .catch(fail);
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <>
      <h1>Overview</h1>
      <ErrorAlert error={error} />
      {usage ? (
        <dl className="mb-6 grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <Stat label="Files" value={String(usage.file_count)} />
          <Stat label="Stored" value={formatBytes(usage.stored_bytes)} />
          <Stat label="Pinned" value={formatBytes(usage.pinned_bytes)} />
          <Stat
            label="Requests this month"
            value={String(usage.requests_this_month ?? usage.request_count)}
          />
        </dl>
      ) : error ? null : (
        <Loading />
      )}
      {limit ? (
        <section className="card mb-6" aria-labelledby="rate-limit">
          <h2 id="rate-limit">Rate limit</h2>
          <p>
            {limit.remaining}
            {limit.quota !== null ? ` of ${limit.quota}` : ""} requests left now
            {limit.windowSeconds !== null ? ` (window ${limit.windowSeconds} s)` : ""}; full again
            in {limit.resetSeconds} s.
          </p>
          {limit.quota ? (
            <progress
              className="mt-2 w-full"
              max={limit.quota}
              value={limit.remaining}
              aria-label="Rate-limit headroom"
            />
          ) : null}
        </section>
      ) : null}
      <section aria-labelledby="per-day">
        <h2 id="per-day">Uploads per day</h2>
        {daily ? (
          daily.length > 0 ? (
            <UsageChart days={daily} />
          ) : (
            <p className="muted">No usage recorded yet.</p>
          )
        ) : error ? null : (
          <Loading />
        )}
      </section>
    </>
  );
}
