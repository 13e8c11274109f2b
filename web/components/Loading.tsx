export default function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p role="status" className="muted my-4">
      {label}
    </p>
  );
}
