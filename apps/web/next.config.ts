import path from 'node:path';
import type { NextConfig } from 'next';

/** The npm-workspaces root, so Turbopack and output tracing see `libs/*`. */
const monorepoRoot = path.join(__dirname, '..', '..');

const nextConfig: NextConfig = {
  // The workspace libs (`@onair/whep-client`, the `@onair/protocol` it uses, `@onair/api-types`)
  // are resolved to their TypeScript sources through the `paths` entries in tsconfig.json (so
  // `next build` does not depend on their dist being built or fresh); transpilePackages also
  // covers consumers that resolve them to dist.
  transpilePackages: ['@onair/api-types', '@onair/protocol', '@onair/whep-client'],
  reactStrictMode: true,
  poweredByHeader: false,
  // Event streams pass through app/api unbuffered; compress at the reverse proxy instead.
  compress: false,
  turbopack: { root: monorepoRoot },
  outputFileTracingRoot: monorepoRoot,
};

export default nextConfig;
