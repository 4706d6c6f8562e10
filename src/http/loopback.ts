import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { expandIpv6 } from '../services/client-key'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

// Headers a proxy or tunnel adds (RFC 7239 Forwarded, and the de-facto X-Forwarded-* and X-Real-IP):
// a request that carries one came through something that accepts connections from elsewhere.
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip']

const isLoopbackHost = (url: string) => LOOPBACK_HOSTS.has(new URL(url).hostname)

/** 127.0.0.0/8 (RFC 1122 3.2.1.3), ::1 and IPv4-mapped 127.x (RFC 4291 2.5.3, 2.5.5.2). */
export function isLoopbackAddress(address: string): boolean {
  const ip = address.trim().toLowerCase()
  const ipv4 = /^(?:(?:0{0,4}:){0,5}:?ffff:)?(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.exec(ip)
  if (ipv4) return ipv4[1] === '127'
  return expandIpv6(ip)?.join(':') === '0:0:0:0:0:0:0:1'
}

/**
 * Whether the request came from this machine, judged from the connection: the client address the
 * app keys its limits on (CF-Connecting-IP, set by Cloudflare's edge, and by `wrangler dev` from the
 * socket when the client sent none) is a loopback address, no proxy or tunnel forwarded it, and it
 * is addressed to a loopback host. A Host header alone is whatever the client or a tunnel writes.
 */
export function isLoopbackRequest(request: Request): boolean {
  if (!isLoopbackHost(request.url)) return false
  if (FORWARDING_HEADERS.some((name) => request.headers.has(name))) return false
  const client = request.headers.get('cf-connecting-ip')
  return client !== null && isLoopbackAddress(client)
}

/**
 * A development or test configuration (dev mailbox, a per-isolate secret) serves this machine
 * only: deployed by mistake, or reached through a tunnel to a laptop, it must serve nobody.
 */
export const answersLoopbackOnly = (environment: string) =>
  environment === 'development' || environment === 'test'

/** A development-only page answers only on this machine. */
export const isLocalDevelopment = (c: Context<AppEnv>) =>
  c.var.config.environment === 'development' && isLoopbackRequest(c.req.raw)
