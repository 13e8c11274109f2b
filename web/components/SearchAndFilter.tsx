"use client";

import { useState } from "react";
import { SelectField, TextField, type Option } from "@/components/Field";
import { useDebounced } from "@/lib/useDebounced";

// A list's search box and one filter side by side. The search is reported (trimmed) once typing
// pauses; onChange runs with either report, in the same update (a list goes back to page 1).
export default function SearchAndFilter<V extends string>({
  search,
  filter,
  onChange,
}: {
  search: { id: string; label: string; onSearch: (query: string) => void };
  filter: {
    id: string;
    label: string;
    value: V;
    options: readonly Option<V>[];
    onFilter: (value: V) => void;
  };
  onChange: () => void;
}) {
  const [text, setText] = useState("");
  useDebounced(text, 300, (typed) => {
    search.onSearch(typed.trim());
    onChange();
  });

  return (
    <div className="mb-4 grid gap-3 sm:grid-cols-[1fr_12rem]">
      <TextField id={search.id} label={search.label} type="search" value={text} onValue={setText} />
      <SelectField
        id={filter.id}
        label={filter.label}
        value={filter.value}
        options={filter.options}
        onValue={(v) => {
          filter.onFilter(v);
          onChange();
        }}
      />
    </div>
  );
}
