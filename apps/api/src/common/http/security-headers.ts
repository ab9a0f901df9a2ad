import type { AppConfig } from '../../config/config.js';

const CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "script-src 'self'",
  // Mantine writes its CSS variables into style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The security headers every answer carries, computed once at boot: the same
 * set a helmet default gives (with our content policy), without rebuilding
 * and re-serialising it on every request.
 */
export function securityHeaders(config: Pick<AppConfig, 'publicUrl'>): Record<string, string> {
  const headers: Record<string, string> = {
    'content-security-policy': CSP,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  };
  // Only over HTTPS: telling a plain-HTTP dev server to force HTTPS would lock the browser out of it.
  if (config.publicUrl.startsWith('https://')) headers['strict-transport-security'] = 'max-age=31536000; includeSubDomains';
  return headers;
}
