// The dashboard is a static export (no Node.js at run time): `next build` writes plain files into
// out/, which nginx serves at /app/ (nginx/snippets/web-app.conf.in). Every page is a directory
// with an index.html (trailingSlash), so /app/files/ is a file nginx can find.
/** @type {import('next').NextConfig} */
const nextConfig = {
  output: "export",
  basePath: "/app",
  trailingSlash: true,
  images: { unoptimized: true },
  reactStrictMode: true,
  poweredByHeader: false,
  // the build must not phone home or depend on the network
  eslint: { ignoreDuringBuilds: true }, // `npm run lint` is its own step of ./gw test
};

export default nextConfig;
