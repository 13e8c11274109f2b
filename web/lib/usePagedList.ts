"use client";

import { useCallback, useEffect, useState } from "react";
import {
  api,
  isApiError,
  pageInfo,
  type ApiError,
  type PageInfo,
  type RequestOptions,
} from "@/lib/api";

export type ListQuery = NonNullable<RequestOptions["query"]>;

export interface PagedList<T> {
  page: number;
  setPage: (page: number) => void;
  rows: T[] | null; // null until the first page has come
  info: PageInfo | null;
  error: ApiError | null;
  setError: (error: ApiError | null) => void;
  reload: () => Promise<void>;
}

// One page of a paged list route (GET <path>?<query>&page=&limit=, X-Total-Count and Link
// headers), loaded again whenever the query or the page changes. The caller memoises the query
// (useMemo: a new query object means a new request) and, when it sets a new filter, goes back to
// page 1 in the same update (setPage(1) with the filter's setter: one request).
export function usePagedList<T>(path: string, query: ListQuery, limit: number): PagedList<T> {
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<T[] | null>(null);
  const [info, setInfo] = useState<PageInfo | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const reload = useCallback(async () => {
    try {
      const { data, headers } = await api<T[]>(path, { query: { ...query, page, limit } });
      setRows(data);
      setInfo(pageInfo(headers, page, limit, data.length));
      setError(null);
    } catch (e: unknown) {
      if (isApiError(e)) setError(e);
    }
  }, [path, query, page, limit]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { page, setPage, rows, info, error, setError, reload };
}
