import Link from "next/link";

// Our own 404 page: Next's default one carries inline style attributes, which the CSP refuses.
export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl p-6">
      <h1>Page not found</h1>
      <p className="mb-4">There is no dashboard page at this address.</p>
      <Link href="/">Go to the overview</Link>
    </main>
  );
}
