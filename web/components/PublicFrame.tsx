// The frame of the pages one sees signed out (sign-in, register).
export default function PublicFrame({ children }: { children: React.ReactNode }) {
  return (
    <main className="mx-auto max-w-md px-4 py-10">
      <p className="mb-6 text-lg font-semibold">IPFS Gateway</p>
      {children}
    </main>
  );
}
