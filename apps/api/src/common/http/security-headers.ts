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

export interface SecurityHeaders {
  /** For pages a browser renders: the dashboard, its assets, the API explorer. */
  document: Record<string, string>;
  /**
   * JSON answers are never rendered as a page, so the headers that act only
   * on documents (opener and agent-cluster policies, DNS prefetch, download
   * and cross-domain policies, the XSS auditor switch, the referrer of links
   * a JSON body has none of) would be work Node repeats on every answer for
   * nothing. They get the set OWASP lists for REST answers: no caching of
   * what is private, nothing to load or frame if one is opened anyway, no
   * sniffing, no reading from other origins.
   */
  api: Record<string, string>;
}

/** Built once at boot: the set a helmet default gives (with our content policy) for documents, a lean one for JSON. */
export function securityHeaders(config: Pick<AppConfig, 'publicUrl'>): SecurityHeaders {
  const document: Record<string, string> = {
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
  const api: Record<string, string> = {
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-resource-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
  // Only over HTTPS: telling a plain-HTTP dev server to force HTTPS would lock the browser out of it.
  if (config.publicUrl.startsWith('https://')) {
    document['strict-transport-security'] = api['strict-transport-security'] = 'max-age=31536000; includeSubDomains';
  }
  return { document, api };
}

/** `/api/…` answers JSON, except the API explorer's pages under `/api/docs`. */
export function isJsonApi(url: string): boolean {
  return url.startsWith('/api/') && !url.startsWith('/api/docs');
}
