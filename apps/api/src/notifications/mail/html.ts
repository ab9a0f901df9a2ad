/** HTML that is already safe: built by `html` from escaped values, never from a raw string. */
export class SafeHtml {
  private constructor(readonly markup: string) {}

  /** For markup written in the code itself, never for a value that came from outside. */
  static trusted(markup: string): SafeHtml {
    return new SafeHtml(markup);
  }

  toString(): string {
    return this.markup;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

/**
 * Template tag for the HTML part: every interpolated value is escaped unless
 * it is SafeHtml (a nested `html` template, a `link`), and arrays are joined,
 * so a task title like `<img src=x onerror=…>` arrives as text.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return SafeHtml.trusted(out);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(value);
}

/** Only web links: a "javascript:" or "data:" URL in a value must not become a clickable link. */
export function safeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a URL: ${JSON.stringify(url).slice(0, 100)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`not a web link: ${parsed.protocol}`);
  return parsed.toString();
}

export function link(url: string, label: unknown): SafeHtml {
  return html`<a href="${safeUrl(url)}" style="color:#1c7ed6">${label}</a>`;
}
