"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useAuth } from "@/lib/auth";
import Loading from "./Loading";
import ErrorAlert from "./ErrorAlert";
import { isApiError, type ApiError } from "@/lib/api";

const LINKS = [
  { href: "/", label: "Overview" },
  { href: "/upload/", label: "Upload" },
  { href: "/files/", label: "Files" },
  { href: "/key/", label: "API key" },
];
const ADMIN_LINKS = [
  { href: "/admin/users/", label: "Users" },
  { href: "/admin/audit/", label: "Audit log" },
];

// The frame of every signed-in page: navigation, "Sign out", and the redirect to sign-in when
// there is no session (or it ended: the sign-in page says why).
export default function Shell({ children }: { children: React.ReactNode }) {
  const { state, signOut } = useAuth();
  const router = useRouter();
  const pathname = usePathname();
  const [signOutError, setSignOutError] = useState<ApiError | null>(null);

  useEffect(() => {
    if (state.status === "signed-out") router.replace("/sign-in/");
  }, [state.status, router]);

  if (state.status !== "signed-in") return <Loading />;
  const links = state.session.is_admin ? [...LINKS, ...ADMIN_LINKS] : LINKS;
  const current = (href: string) =>
    href === "/" ? pathname === "/" : pathname === href || pathname === href.replace(/\/$/, "");

  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:p-2"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-2 px-4 py-3">
          <span className="font-semibold">IPFS Gateway</span>
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <span className="text-slate-700">{state.session.email}</span>
            <button
              type="button"
              className="btn-secondary"
              onClick={() => {
                signOut().catch((e: unknown) => {
                  if (isApiError(e)) setSignOutError(e);
                });
              }}
            >
              Sign out
            </button>
          </div>
        </div>
        <nav aria-label="Main" className="mx-auto max-w-5xl px-4 pb-2">
          <ul className="flex flex-wrap gap-1">
            {links.map((l) => (
              <li key={l.href}>
                <Link
                  href={l.href}
                  aria-current={current(l.href) ? "page" : undefined}
                  className={
                    "block rounded-md px-3 py-2 text-sm font-medium no-underline " +
                    (current(l.href)
                      ? "bg-blue-700 text-white hover:text-white"
                      : "text-slate-900 hover:bg-slate-100 hover:text-slate-900")
                  }
                >
                  {l.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" className="mx-auto max-w-5xl px-4 py-6">
        <ErrorAlert error={signOutError} />
        {children}
      </main>
    </div>
  );
}

// AdminOnly: the page for administrators; others get words, not a blank page.
export function AdminOnly({ children }: { children: React.ReactNode }) {
  const { state } = useAuth();
  if (state.status !== "signed-in") return <Loading />;
  if (!state.session.is_admin) {
    return (
      <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3">
        This page is for administrators.
      </p>
    );
  }
  return <>{children}</>;
}
