// The secrets a configuration needs (README, « Configuration »): the client-key secret always,
// the mail provider's key with the HTTP provider, Turnstile's secret when its site key is set.
export function requiredSecrets(vars: Record<string, unknown>): string[] {
  return [
    'CLIENT_KEY_SECRET',
    ...(vars.MAIL_PROVIDER === 'http' ? ['MAIL_API_KEY'] : []),
    ...(vars.TURNSTILE_SITE_KEY ? ['TURNSTILE_SECRET_KEY'] : []),
    ...(vars.FRANCECONNECT_ISSUER ? ['FRANCECONNECT_CLIENT_SECRET'] : []),
  ]
}
