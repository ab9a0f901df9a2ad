import { describe, expect, it } from 'vitest';
import { formatDateTime } from './format';

describe('formatDateTime', () => {
  const iso = '2026-12-01T15:00:00.000Z';

  it("names the viewer's zone when asked, after the same local date and time", () => {
    const plain = formatDateTime(iso);
    const zoned = formatDateTime(iso, { zone: true });
    expect(zoned.startsWith(`${plain} `)).toBe(true);
    expect(zoned.length).toBeGreaterThan(plain.length + 1);
  });

  it('shows a dash for a missing or broken time, zone or not', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('not a date', { zone: true })).toBe('—');
  });
});
