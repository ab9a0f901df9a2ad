import jsQRModule from 'jsqr';
import { qrSvg } from './qr-svg.js';
import { newEnrolment } from './totp.js';

// A CommonJS module: its `default` is the function, which is how its types describe it too.
const jsQR = jsQRModule.default;
const PIXELS_PER_MODULE = 3;

/** Paint the SVG's dark rectangles into an RGBA image, as a browser would, for an independent decoder. */
function rasterise(svg: string): { width: number; height: number; data: Uint8ClampedArray } {
  const side = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)![1]);
  const width = side * PIXELS_PER_MODULE;
  const data = new Uint8ClampedArray(width * width * 4).fill(255);
  const dark = /<path fill="#000" d="([^"]*)"\/>/.exec(svg)![1]!;
  for (const [, x, y, w] of dark.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    for (let py = Number(y) * PIXELS_PER_MODULE; py < (Number(y) + 1) * PIXELS_PER_MODULE; py++) {
      for (let px = Number(x) * PIXELS_PER_MODULE; px < (Number(x) + Number(w)) * PIXELS_PER_MODULE; px++) {
        data.fill(0, (py * width + px) * 4, (py * width + px) * 4 + 3);
      }
    }
  }
  return { width, height: width, data };
}

/** What an independent decoder (jsQR, error correction and all) reads from the drawing. */
function decodeQR(svg: string): string | undefined {
  const { data, width, height } = rasterise(svg);
  return jsQR(data, width, height)?.data;
}

// Everything the SVG may contain: fixed markup and numbers.
const SVG_GRAMMAR =
  /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1" shape-rendering="crispEdges" role="img" aria-label="QR code"><path fill="#fff" d="M0 0h\1v\1h-\1z"\/><path fill="#000" d="(M\d+ \d+h\d+v1h-\d+z)*"\/><\/svg>$/;

describe('qrSvg', () => {
  it('draws QR codes that a decoder reads back as the enrolment URI', () => {
    // Each secret gives another symbol (and mask); a dozen cover the masks.
    for (let i = 0; i < 12; i++) {
      const { otpauthUri, qrSvg: svg } = newEnrolment(`user${i}@example.com`);
      expect(decodeQR(svg)).toBe(otpauthUri);
    }
  });

  it('holds only its own markup and numbers, whatever the account name', () => {
    const hostile = '"><script>alert(1)</script><x a="';
    const { otpauthUri, qrSvg: svg } = newEnrolment(hostile);
    expect(svg).toMatch(SVG_GRAMMAR);
    expect(svg).not.toContain('script');
    expect(decodeQR(svg)).toBe(otpauthUri);
  });

  it('stays small enough to inline in a page', () => {
    const { qrSvg: svg } = newEnrolment('a-rather-long-address.for-testing@subdomain.example.com');
    expect(svg.length).toBeLessThan(20_000);
  });

  it('encodes any text, not only URIs', () => {
    expect(decodeQR(qrSvg('HELLO 123'))).toBe('HELLO 123');
  });
});
