import type { ReactNode } from "react";
import Loading from "@/components/Loading";
import Pager from "@/components/Pager";
import TableScroller from "@/components/TableScroller";
import type { PagedList } from "@/lib/usePagedList";

// One page of a list (usePagedList) as a table, with the pager under it: "loading" until the
// first page has come (nothing when that failed: the page shows the error), `empty` when the page
// has no rows.
export default function PagedTable<T>({
  list,
  label,
  caption,
  columns,
  empty,
  row,
}: {
  list: PagedList<T>;
  label: string; // the scrolling region's name
  caption: string; // the table's (screen readers only)
  columns: readonly string[];
  empty: ReactNode;
  row: (item: T) => ReactNode; // a <tr> with its key
}) {
  const { rows, error, info, page, setPage } = list;
  return (
    <>
      {rows === null ? (
        error ? null : (
          <Loading />
        )
      ) : rows.length === 0 ? (
        <p className="card">{empty}</p>
      ) : (
        <TableScroller label={label}>
          <table>
            <caption className="sr-only">{caption}</caption>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{rows.map(row)}</tbody>
          </table>
        </TableScroller>
      )}
      <Pager page={page} info={info} onPage={setPage} />
    </>
  );
}
