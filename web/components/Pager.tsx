import type { PageInfo } from "@/lib/api";

export default function Pager({
  page,
  info,
  onPage,
}: {
  page: number;
  info: PageInfo | null;
  onPage: (page: number) => void;
}) {
  if (!info) return null;
  return (
    <nav aria-label="Pagination" className="mt-4 flex flex-wrap items-center gap-3">
      <button
        type="button"
        className="btn-secondary"
        disabled={!info.hasPrev}
        onClick={() => onPage(page - 1)}
      >
        Previous page
      </button>
      <span className="text-sm">
        Page {page}
        {info.total !== null ? ` (${info.total} in all)` : ""}
      </span>
      <button
        type="button"
        className="btn-secondary"
        disabled={!info.hasNext}
        onClick={() => onPage(page + 1)}
      >
        Next page
      </button>
    </nav>
  );
}
