import type { Context } from 'hono'
import type { AppEnv } from '../env'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

export const isLoopbackHost = (url: string) => LOOPBACK_HOSTS.has(new URL(url).hostname)

/**
 * A development-only page answers only on this machine: a development configuration deployed by
 * mistake, or a tunnel to a laptop, must not publish it.
 */
export const isLocalDevelopment = (c: Context<AppEnv>) =>
  c.var.config.environment === 'development' && isLoopbackHost(c.req.url)
