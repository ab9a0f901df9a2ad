import { describe, expect, it } from 'vitest';
import { formatDateTime, formatInZone } from './format';

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

describe('formatInZone', () => {
  const iso = '2026-12-01T15:00:00.000Z';
  const viewer = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const other = viewer === 'Pacific/Kiritimati' ? 'Pacific/Pago_Pago' : 'Pacific/Kiritimati';

  it('says nothing where the zone reads the instant as the viewer does', () => {
    expect(formatInZone(iso, viewer)).toBeNull();
  });

  it('gives the wall-clock time of another zone, and names it', () => {
    const theirs = formatInZone(iso, other)!;
    expect(theirs.endsWith(`(${other})`)).toBe(true);
    expect(theirs).not.toBe(`${formatDateTime(iso)} (${other})`);
  });
});
