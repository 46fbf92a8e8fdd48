import { parseError } from "./errors.ts";

// Tokens of LogQL. A number directly followed by a unit is a duration (`5m`, `1h30m`,
// `250ms`); strings are Go-quoted ("..." with escapes) or raw (`...`).

export type TokenKind = "ident" | "string" | "number" | "duration" | "op" | "eof";
export type Token = { kind: TokenKind; text: string; value?: string | number; line: number; col: number };

/** Longest first, so `!=` wins over `!` and `|=` over `|`. */
const OPERATORS = ["=~", "!~", "!=", "|=", "|~", "==", ">=", "<=", "{", "}", "(", ")", "[", "]", ",", "|", "=", ">", "<", "+", "-", "*", "/", "%", "^"];

/** Milliseconds per duration unit; `ns`/`us` are accepted for parity but round below a millisecond. */
export const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
const DURATION_PART = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|y)/;

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = () => ({ line, col: i - lineStart + 1 });
  while (i < input.length) {
    const ch = input[i]!;
    if (ch === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "#") {
      while (i < input.length && input[i] !== "\n") i++;
      continue;
    }
    const pos = at();
    if (ch === '"' || ch === "`") {
      const { value, end } = ch === "`" ? rawString(input, i, pos) : quotedString(input, i, pos);
      tokens.push({ kind: "string", text: input.slice(i, end), value, ...pos });
      i = end;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === "." && /[0-9]/.test(input[i + 1] ?? ""))) {
      const duration = durationAt(input, i);
      if (duration) {
        tokens.push({ kind: "duration", text: duration.text, value: duration.ms, ...pos });
        i += duration.text.length;
        continue;
      }
      const number = /^(?:0x[0-9a-fA-F]+|\d*\.?\d+(?:[eE][+-]?\d+)?)/.exec(input.slice(i))![0];
      tokens.push({ kind: "number", text: number, value: Number(number), ...pos });
      i += number.length;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const ident = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(input.slice(i))![0];
      tokens.push({ kind: "ident", text: ident, ...pos });
      i += ident.length;
      continue;
    }
    const op = OPERATORS.find((o) => input.startsWith(o, i));
    if (!op) throw parseError(pos.line, pos.col, `syntax error: unexpected character ${JSON.stringify(ch)}`);
    tokens.push({ kind: "op", text: op, ...pos });
    i += op.length;
  }
  tokens.push({ kind: "eof", text: "", ...at() });
  return tokens;
}

/** `1h30m` is one duration: parts in a row, each a number and a unit. */
function durationAt(input: string, start: number): { text: string; ms: number } | undefined {
  let i = start;
  let ms = 0;
  for (;;) {
    const part = DURATION_PART.exec(input.slice(i));
    // A unit must not run on into a word (`5min` is not 5m followed by `in`).
    if (!part || /[A-Za-z0-9_]/.test(input[i + part[0].length] ?? "") && !DURATION_PART.test(input.slice(i + part[0].length))) break;
    ms += Number(part[1]) * DURATION_UNITS_MS[part[2]!]!;
    i += part[0].length;
  }
  return i === start ? undefined : { text: input.slice(start, i), ms };
}

function rawString(input: string, start: number, pos: { line: number; col: number }) {
  const end = input.indexOf("`", start + 1);
  if (end < 0) throw parseError(pos.line, pos.col, "syntax error: unterminated raw string");
  return { value: input.slice(start + 1, end), end: end + 1 };
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\", "'": "'", a: "\x07", b: "\b", f: "\f", v: "\v" };

function quotedString(input: string, start: number, pos: { line: number; col: number }) {
  let value = "";
  let i = start + 1;
  while (i < input.length && input[i] !== '"') {
    if (input[i] === "\n") break;
    if (input[i] === "\\") {
      const next = input[i + 1] ?? "";
      if (next in ESCAPES) {
        value += ESCAPES[next];
        i += 2;
        continue;
      }
      const unicode = /^u([0-9a-fA-F]{4})|^x([0-9a-fA-F]{2})/.exec(input.slice(i + 1));
      if (unicode) {
        value += String.fromCharCode(parseInt(unicode[1] ?? unicode[2]!, 16));
        i += 1 + unicode[0].length;
        continue;
      }
      throw parseError(pos.line, pos.col, `syntax error: invalid escape \\${next} in string`);
    }
    value += input[i];
    i++;
  }
  if (input[i] !== '"') throw parseError(pos.line, pos.col, "syntax error: unterminated string");
  return { value, end: i + 1 };
}
