import type { ByteSink } from './byte-sink.js';

/**
 * Number formatting exactly as client_golang's exposition writes floats:
 * Go's strconv.FormatFloat(f, 'g', -1, 64) (shortest round-trip digits, exponent form when the decimal
 * exponent is < -4 or >= 6, at least two exponent digits), with 0, 1, -1, NaN, +Inf, -Inf special-cased.
 */

/** Formats a float as the Prometheus text format 0.0.4 writes it (`1e+06`, `0.0001`, `5e-324`, `0` for -0). */
export function formatGoFloat(value: number): string {
  // Fixed notation in both languages for this range, with the same shortest digits.
  const abs = value < 0 ? -value : value;
  if (abs >= 1e-4 && abs < 1e6) return String(value);
  if (value === 0) return '0';
  if (value !== value) return 'NaN';
  if (abs === Infinity) return value > 0 ? '+Inf' : '-Inf';
  return exponentForm(value);
}

/**
 * @deprecated Use formatGoFloat (the `formatX` names are for whole expositions: formatText, formatOpenMetrics).
 */
export function formatGo(value: number): string {
  return formatGoFloat(value);
}

/** Formats a float as OpenMetrics 1.0 writes it: Go's form, plus `.0` when it has neither `.` nor `e`. */
export function formatOpenMetricsFloat(value: number): string {
  const text = formatGoFloat(value);
  if (text === 'NaN' || text === '+Inf' || text === '-Inf') return text;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */ || c === 101 /* e */) return text;
  }
  return text + '.0';
}

/** Formats a non-negative integer count (OpenMetrics bucket and count values). */
export function formatCount(value: number): string {
  if (Number.isSafeInteger(value)) return String(value);
  if (value >= 2 ** 64) return '18446744073709551615';
  return BigInt(Math.trunc(value)).toString();
}

/** Go's `%e` rendering of the shortest digits: d[.ddd]e±XX. */
function exponentForm(value: number): string {
  const js = String(value);
  const negative = js.charCodeAt(0) === 45; /* - */
  const body = negative ? js.slice(1) : js;
  let digits: string;
  let exponent: number;
  const e = body.indexOf('e');
  if (e >= 0) {
    // JS already chose exponent notation: "1.5e-7", "1e+21".
    digits = body.slice(0, e).replace('.', '');
    exponent = Number(body.slice(e + 1));
  } else {
    const dot = body.indexOf('.');
    const intPart = dot >= 0 ? body.slice(0, dot) : body;
    const fracPart = dot >= 0 ? body.slice(dot + 1) : '';
    if (intPart !== '0') {
      // |value| >= 1e6: digits are the integer and fraction digits.
      exponent = intPart.length - 1;
      digits = intPart + fracPart;
    } else {
      // |value| < 1e-4: skip the zeros after the point.
      let zeros = 0;
      while (fracPart.charCodeAt(zeros) === 48 /* 0 */) zeros++;
      exponent = -(zeros + 1);
      digits = fracPart.slice(zeros);
    }
  }
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end);
  const mantissa = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  const expAbs = exponent < 0 ? -exponent : exponent;
  const expText = (exponent < 0 ? 'e-' : 'e+') + (expAbs < 10 ? '0' + expAbs : String(expAbs));
  return (negative ? '-' : '') + mantissa + expText;
}

/** Writes a float as the text format does (see formatGoFloat), integers without making a string. */
export function writeGo(sink: ByteSink, value: number): void {
  if (value >= 0 && value < 1e6 && Number.isInteger(value)) sink.uint(value);
  else sink.ascii(formatGoFloat(value));
}

/** Writes a float as OpenMetrics does (see formatOpenMetricsFloat), integers without making a string. */
export function writeOpenMetricsFloat(sink: ByteSink, value: number): void {
  if (value >= 0 && value < 1e6 && Number.isInteger(value)) {
    sink.uint(value);
    sink.byte(46 /* . */);
    sink.byte(48 /* 0 */);
  } else {
    sink.ascii(formatOpenMetricsFloat(value));
  }
}

/** Writes a count (OpenMetrics bucket and count values) as an integer. */
export function writeCount(sink: ByteSink, value: number): void {
  if (value >= 0 && Number.isSafeInteger(value)) sink.uint(value);
  else sink.ascii(formatCount(value));
}
