import { describe, expect, it } from 'vitest';
import { renewDelayMs } from './token-store';

describe('renewDelayMs', () => {
  it('renews a minute before a 15-minute token lapses', () => {
    expect(renewDelayMs(15 * 60_000)).toBe(14 * 60_000);
  });

  it('renews a short-lived token in its last quarter rather than at once and again', () => {
    expect(renewDelayMs(3_000)).toBe(2_250);
    expect(renewDelayMs(120_000)).toBe(90_000);
  });

  it('renews at once a token that has run out', () => {
    expect(renewDelayMs(0)).toBe(0);
    expect(renewDelayMs(-5_000)).toBe(0);
  });
});
