/**
 * The mask's wire format: a 1-bit greyscale PNG (white = edit) at the image's full size. At 4096 × 4096
 * that is 2 MiB before compression and usually a few KiB after, and deflate runs natively through
 * (De)CompressionStream, so no codec is bundled and nothing goes through a canvas (which would cost a
 * 64 MiB RGBA copy and risk colour management touching the values).
 */

const SIGNATURE = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

let crcTable: Uint32Array | null = null;

export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

async function transform(data: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  // one write of the whole buffer: about twice as fast as piping a Blob's 64 KiB chunks through
  const writer = stream.writable.getWriter();
  void writer.write(data as Uint8Array<ArrayBuffer>).catch(() => {});
  void writer.close().catch(() => {});
  return new Uint8Array(await new Response(stream.readable).arrayBuffer());
}

/** Rows of 1 + ceil(width / 8) bytes: filter type 0, then 8 pixels per byte, most significant bit first. */
export function packRows(mask: Uint8Array, width: number, height: number): Uint8Array {
  const stride = 1 + ((width + 7) >> 3);
  const out = new Uint8Array(stride * height);
  if (width % 8 === 0 && mask.byteOffset % 4 === 0) {
    packAligned(mask, width, height, out);
    return out;
  }
  const whole = width >> 3;
  for (let y = 0; y < height; y++) {
    let i = y * width;
    let o = y * stride + 1;
    for (let b = 0; b < whole; b++, i += 8) {
      out[o++] =
        (mask[i]! << 7) |
        (mask[i + 1]! << 6) |
        (mask[i + 2]! << 5) |
        (mask[i + 3]! << 4) |
        (mask[i + 4]! << 3) |
        (mask[i + 5]! << 2) |
        (mask[i + 6]! << 1) |
        mask[i + 7]!;
    }
    if (width & 7) {
      let v = 0;
      for (let k = 0; k < (width & 7); k++) v |= mask[i + k]! << (7 - k);
      out[o] = v;
    }
  }
  return out;
}

/**
 * packRows for widths that are a multiple of 8: reads 4 pixels (bytes of 0/1) per 32-bit word, skips
 * empty stretches, and gathers the 4 low bits with one multiplication: for a little-endian word holding
 * pixels p0..p3, (w * 0x08040201) >>> 24 has p0 p1 p2 p3 in its bits 3..0 (no carries: all the partial
 * products land on distinct bits).
 */
function packAligned(mask: Uint8Array, width: number, height: number, out: Uint8Array): void {
  const words = new Uint32Array(mask.buffer, mask.byteOffset, (width * height) >> 2);
  const stride = 1 + (width >> 3);
  const wordsPerRow = width >> 2;
  for (let y = 0; y < height; y++) {
    let w = y * wordsPerRow;
    let o = y * stride + 1;
    for (let end = w + wordsPerRow; w < end; w += 2, o++) {
      const lo = words[w]!;
      const hi = words[w + 1]!;
      if ((lo | hi) === 0) continue;
      out[o] = (((Math.imul(lo, 0x08040201) >>> 24) & 15) << 4) | ((Math.imul(hi, 0x08040201) >>> 24) & 15);
    }
  }
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/**
 * Encode a 0/1 mask as a 1-bit greyscale PNG. The mask is copied before the first await, so the caller
 * may keep drawing while deflate runs.
 */
export async function encodeMaskPng(mask: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const rows = packRows(mask, width, height);
  return assemblePng(await transform(rows, new CompressionStream("deflate")), width, height);
}

/** A greyscale PNG around deflated rows (exported for the tests, which also build 8-bit ones). */
export function assemblePng(zlib: Uint8Array, width: number, height: number, bitDepth = 1): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = bitDepth;
  ihdr[9] = 0; // greyscale
  const parts = [SIGNATURE, chunk("IHDR", ihdr), chunk("IDAT", zlib), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface DecodedMask {
  width: number;
  height: number;
  /** One byte per pixel, 1 = edit (grey value >= 128). */
  data: Uint8Array;
}

/** Width and height from a PNG's header, or null when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): [number, number] | null {
  if (bytes.length < 24 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [v.getUint32(16), v.getUint32(20)];
}

/**
 * Decode a greyscale PNG (bit depth 1 or 8, not interlaced, any row filter) into a 0/1 mask. These are
 * the only kinds this package writes; anything else is refused with an error rather than guessed at.
 */
export async function decodeMaskPng(bytes: Uint8Array): Promise<DecodedMask> {
  const size = pngSize(bytes);
  if (!size) throw new Error("mask is not a PNG");
  const [width, height] = size;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const depth = bytes[24];
  const colour = bytes[25];
  const interlace = bytes[28];
  if (colour !== 0 || (depth !== 1 && depth !== 8) || interlace !== 0) {
    throw new Error(`unsupported mask PNG (colour type ${colour}, depth ${depth}, interlace ${interlace})`);
  }
  const idat: Uint8Array[] = [];
  for (let o = 8; o + 8 <= bytes.length; ) {
    const len = v.getUint32(o);
    const type = String.fromCharCode(bytes[o + 4]!, bytes[o + 5]!, bytes[o + 6]!, bytes[o + 7]!);
    if (type === "IDAT") idat.push(bytes.subarray(o + 8, o + 8 + len));
    if (type === "IEND") break;
    o += 12 + len;
  }
  const joined = new Uint8Array(idat.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of idat) {
    joined.set(p, o);
    o += p.length;
  }
  const raw = await transform(joined, new DecompressionStream("deflate"));
  const stride = depth === 1 ? (width + 7) >> 3 : width;
  if (raw.length < (stride + 1) * height) throw new Error("mask PNG is truncated");
  const rows = unfilter(raw, stride, height);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const out = y * width;
    if (depth === 8) {
      for (let x = 0; x < width; x++) data[out + x] = rows[row + x]! >= 128 ? 1 : 0;
    } else {
      for (let x = 0; x < width; x++) data[out + x] = (rows[row + (x >> 3)]! >> (7 - (x & 7))) & 1;
    }
  }
  return { width, height, data };
}

/** Undo PNG's per-row filters (bytes per pixel = 1 for both depths we read). */
function unfilter(raw: Uint8Array, stride: number, height: number): Uint8Array {
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    const prev = dst - stride;
    for (let x = 0; x < stride; x++) {
      const a = x > 0 ? out[dst + x - 1]! : 0;
      const b = y > 0 ? out[prev + x]! : 0;
      const c = x > 0 && y > 0 ? out[prev + x - 1]! : 0;
      const r = raw[src + x]!;
      let value: number;
      switch (filter) {
        case 0:
          value = r;
          break;
        case 1:
          value = r + a;
          break;
        case 2:
          value = r + b;
          break;
        case 3:
          value = r + ((a + b) >> 1);
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          value = r + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          throw new Error(`bad PNG row filter ${filter}`);
      }
      out[dst + x] = value & 0xff;
    }
  }
  return out;
}
