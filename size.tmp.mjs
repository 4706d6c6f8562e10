import * as esbuild from 'esbuild'
import { gzipSync } from 'node:zlib'
const r = await esbuild.build({ entryPoints: ['src/index.tsx'], bundle: true, minify: true, format: 'esm', platform: 'neutral', write: false, external: ['cloudflare:*', 'node:*'], conditions: ['workerd', 'worker', 'browser'], mainFields: ['module','main'], jsx: 'automatic', jsxImportSource: 'hono/jsx' })
console.log((gzipSync(r.outputFiles[0].contents, {level: 9}).length / 1024).toFixed(2))
