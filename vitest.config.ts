import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { fakeMailProvider } from './test/support/fake-mail-provider.ts'

// Two projects, one command (`npm test`):
// - workers: inside workerd against a real (local) D1 with the real migrations (docs/stack-facts.md).
//   Only the hash cost is lowered, so thousands of sign-ins stay fast; the defaults are tested apart.
// - node: Debian's Chromium driven by Playwright, and the ops tools, against `wrangler dev` on a free
//   loopback port over a throw-away local D1 (test/support/node/global-setup.ts).
export default defineConfig(async () => {
  const migrations = await readD1Migrations('migrations')
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  SCRYPT_LOG_N: '10',
                  SCRYPT_P: '1',
                  CLIENT_KEY_SECRET: 'test-client-key-secret-0123456789abcdef',
                },
                // The mail API the HTTP mailer talks to, faked in Node (test/support/fake-mail-provider.ts).
                outboundService: fakeMailProvider,
              },
            }),
          ],
          test: {
            name: 'workers',
            // Many tests walk dozens of requests; on a loaded 2-core machine 5 s is not always enough.
            testTimeout: 30_000,
            // Every request logs a JSON line: show the logs of failing tests only.
            silent: 'passed-only',
            include: ['test/{db,routes,security,services}/**/*.test.{ts,tsx}', 'test/*.test.ts'],
            setupFiles: ['./test/support/apply-migrations.ts'],
          },
        },
        {
          test: {
            name: 'node',
            include: ['test/{e2e,tools}/**/*.test.ts'],
            environment: 'node',
            globalSetup: ['./test/support/node/global-setup.ts'],
            testTimeout: 90_000,
            hookTimeout: 120_000,
            fileParallelism: false,
          },
        },
      ],
    },
  }
})
