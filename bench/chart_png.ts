/**
 * Line charts as PNG files with no dependency: a raster, lines and a tiny bitmap font drawn on it,
 * and a PNG encoder over node:zlib (JSR's image packages are out of reach here).
 * @module
 */
import { Buffer } from "node:buffer";
import { deflateSync } from "node:zlib";
import { crc32 } from "../protocols/dynamodb/crc32.ts";

/** One plotted series: its points (x, y) and the label and colour of its panel. */
export interface Series {
  label: string;
  rgb: [number, number, number];
  points: [number, number][];
}

/** An RGB raster. */
class Raster {
  readonly pixels: Uint8Array;
  constructor(readonly width: number, readonly height: number) {
    this.pixels = new Uint8Array(width * height * 3).fill(255);
  }

  set(x: number, y: number, rgb: readonly number[]): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.pixels.set(rgb, (y * this.width + x) * 3);
  }

  /** A line of thickness ~2 (Bresenham-like stepping on the longer axis). */
  line(x0: number, y0: number, x1: number, y1: number, rgb: readonly number[]): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let i = 0; i <= steps; i++) {
      const x = x0 + (x1 - x0) * i / steps;
      const y = y0 + (y1 - y0) * i / steps;
      this.set(x, y, rgb);
      this.set(x + 1, y, rgb);
      this.set(x, y + 1, rgb);
    }
  }

  /** Text in the 3x5 font, each font pixel drawn `scale` pixels wide. */
  text(x: number, y: number, s: string, rgb: readonly number[], scale = 2): void {
    for (const ch of s.toUpperCase()) {
      const rows = FONT[ch] ?? FONT["?"];
      rows.forEach((row, ry) => {
        for (let rx = 0; rx < 3; rx++) {
          if (!(row & (4 >> rx))) continue;
          for (let dy = 0; dy < scale; dy++) {
            for (let dx = 0; dx < scale; dx++) {
              this.set(x + rx * scale + dx, y + ry * scale + dy, rgb);
            }
          }
        }
      });
      x += 4 * scale;
    }
  }
}

/** A 3x5 bitmap font: five rows of three bits per character, enough for axis labels. */
const FONT: Record<string, number[]> = {
  "0": [7, 5, 5, 5, 7],
  "1": [2, 6, 2, 2, 7],
  "2": [7, 1, 7, 4, 7],
  "3": [7, 1, 7, 1, 7],
  "4": [5, 5, 7, 1, 1],
  "5": [7, 4, 7, 1, 7],
  "6": [7, 4, 7, 5, 7],
  "7": [7, 1, 1, 1, 1],
  "8": [7, 5, 7, 5, 7],
  "9": [7, 5, 7, 1, 7],
  ".": [0, 0, 0, 0, 2],
  " ": [0, 0, 0, 0, 0],
  "(": [1, 2, 2, 2, 1],
  ")": [4, 2, 2, 2, 4],
  "-": [0, 0, 7, 0, 0],
  "?": [7, 1, 3, 0, 2],
  A: [2, 5, 7, 5, 5],
  B: [6, 5, 6, 5, 6],
  C: [7, 4, 4, 4, 7],
  D: [6, 5, 5, 5, 6],
  E: [7, 4, 6, 4, 7],
  F: [7, 4, 6, 4, 4],
  G: [7, 4, 5, 5, 7],
  H: [5, 5, 7, 5, 5],
  I: [7, 2, 2, 2, 7],
  K: [5, 5, 6, 5, 5],
  L: [4, 4, 4, 4, 7],
  M: [5, 7, 7, 5, 5],
  N: [6, 5, 5, 5, 5],
  O: [7, 5, 5, 5, 7],
  P: [7, 5, 7, 4, 4],
  R: [6, 5, 6, 5, 5],
  S: [7, 4, 7, 1, 7],
  T: [7, 2, 2, 2, 2],
  U: [5, 5, 5, 5, 7],
  V: [5, 5, 5, 5, 2],
  Y: [5, 5, 2, 2, 2],
};

const WIDTH = 900;
const PANEL_HEIGHT = 260;
const MARGIN = { left: 70, right: 20, top: 30, bottom: 30 };
const GREY = [200, 200, 200];
const BLACK = [0, 0, 0];

function label(n: number): string {
  return n >= 100 ? String(Math.round(n)) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** Draw each series in its own panel, stacked, sharing the x axis (`xLabel`); PNG bytes. */
export function lineChartPng(series: Series[], xLabel: string): Uint8Array {
  const raster = new Raster(WIDTH, PANEL_HEIGHT * series.length);
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const xMax = Math.max(1, ...xs);
  series.forEach((s, i) => {
    const top = i * PANEL_HEIGHT + MARGIN.top;
    const bottom = (i + 1) * PANEL_HEIGHT - MARGIN.bottom;
    const left = MARGIN.left;
    const right = WIDTH - MARGIN.right;
    const yMax = Math.max(1e-9, ...s.points.map((p) => p[1])) * 1.1;
    const px = (x: number) => left + (right - left) * x / xMax;
    const py = (y: number) => bottom - (bottom - top) * y / yMax;
    for (let g = 0; g <= 4; g++) {
      const y = top + (bottom - top) * g / 4;
      raster.line(left, y, right, y, GREY);
      raster.text(4, y - 5, label(yMax * (4 - g) / 4), BLACK);
    }
    raster.line(left, top, left, bottom, BLACK);
    raster.line(left, bottom, right, bottom, BLACK);
    raster.text(left + 10, top - 22, s.label, s.rgb, 3);
    raster.text(right - 120, bottom + 8, `${xLabel} ${label(xMax)}`, BLACK);
    for (let p = 1; p < s.points.length; p++) {
      const [x0, y0] = s.points[p - 1];
      const [x1, y1] = s.points[p];
      if (Number.isFinite(y0) && Number.isFinite(y1)) {
        raster.line(px(x0), py(y0), px(x1), py(y1), s.rgb);
      }
    }
  });
  return encodePng(raster);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** An 8-bit RGB PNG: IHDR, one zlib IDAT of rows each with filter 0, IEND. */
function encodePng(raster: Raster): Uint8Array {
  const { width, height, pixels } = raster;
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = new Uint8Array(height * (width * 3 + 1));
  for (let y = 0; y < height; y++) {
    rows.set(pixels.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  }
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", new Uint8Array(deflateSync(rows))),
    chunk("IEND", new Uint8Array(0)),
  ];
  return new Uint8Array(Buffer.concat(parts));
}
