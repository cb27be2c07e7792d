import path from 'node:path';
import type { NextConfig } from 'next';

/** The npm-workspaces root, so Turbopack and output tracing see `libs/*`. */
const monorepoRoot = path.join(__dirname, '..', '..');

const nextConfig: NextConfig = {
  // `@onair/whep-client` is resolved to its TypeScript sources through the `paths` entry in
  // tsconfig.json (so `next build` does not depend on the lib's dist being built or fresh);
  // transpilePackages also covers consumers that resolve it to dist.
  transpilePackages: ['@onair/whep-client'],
  reactStrictMode: true,
  poweredByHeader: false,
  // Event streams pass through app/api unbuffered; compress at the reverse proxy instead.
  compress: false,
  turbopack: { root: monorepoRoot },
  outputFileTracingRoot: monorepoRoot,
};

export default nextConfig;
