import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { fakeMailProvider } from './test/fake-mail-provider'

// Tests run inside workerd against a real (local) D1 with the real migrations
// (../shared/STACK-NOTES.md). Only the hash cost is lowered, so thousands of sign-ins stay fast;
// test/config.test.ts checks the production defaults themselves.
export default defineConfig(async () => {
  const migrations = await readD1Migrations('migrations')
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            SCRYPT_LOG_N: '10',
            SCRYPT_P: '1',
          },
          // The mail API the HTTP mailer talks to, faked in Node (test/fake-mail-provider.ts).
          outboundService: fakeMailProvider,
        },
      }),
    ],
    test: {
      include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
      setupFiles: ['./test/apply-migrations.ts'],
    },
  }
})
