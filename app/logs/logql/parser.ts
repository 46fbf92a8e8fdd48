import {
  BINARY_OPERATORS,
  COMPARE_OPS,
  MATCH_OPS,
  RANGE_FUNCTIONS,
  UNWRAPPED_FUNCTIONS,
  VECTOR_OPERATORS,
  type BinaryOperator,
  type CompareOp,
  type Grouping,
  type LabelFilter,
  type LineFilter,
  type LogSelector,
  type MatchOp,
  type Matcher,
  type MetricExpr,
  type Query,
  type RangeFunction,
  type Stage,
  type VectorOperator,
} from "./ast.ts";
import { LogQLError, parseError, unsupported } from "./errors.ts";
import { tokenize, type Token } from "./lexer.ts";

// A recursive-descent parser for the LogQL subset in ast.ts. It knows the rest of LogQL well
// enough to name what it meets and refuse it (`unsupported`), rather than call valid LogQL a
// syntax error or, worse, read it as something else.

/** Loki's other range functions, binary operators and stages: valid LogQL, not evaluated here. */
const KNOWN_RANGE_FUNCTIONS = ["stddev_over_time", "stdvar_over_time", "first_over_time", "last_over_time", "absent_over_time", "rate_counter"];
const KNOWN_VECTOR_OPERATORS = ["stddev", "stdvar", "sort", "sort_desc", "approx_topk"];
const KNOWN_FUNCTIONS = ["label_replace", "absent", "sort", "sort_desc"];
const KNOWN_STAGES = ["line_format", "label_format", "regexp", "pattern", "unpack", "decolorize", "keep", "distinct"];
/** A stage as written: `| unwrap` is lifted out of the pipeline into the range aggregation. */
type ParsedStage = Stage | { kind: "unwrap"; label: string };
type ParsedSelector = { matchers: Matcher[]; stages: ParsedStage[] };

const PRECEDENCE: Record<string, number> = { or: 1, unless: 1, and: 2, "==": 3, "!=": 3, ">": 3, ">=": 3, "<": 3, "<=": 3, "+": 4, "-": 4, "*": 5, "/": 5, "%": 5, "^": 6 };

export function parseLogQL(input: string): Query {
  if (input.trim() === "") throw new LogQLError("parse error : syntax error: unexpected end of query, expecting a selector such as {service=\"api\"}");
  const parser = new Parser(tokenize(input));
  const query = parser.query();
  parser.expectEnd();
  return query;
}

class Parser {
  private i = 0;
  private readonly tokens: Token[];
  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  query(): Query {
    const expr = this.expression(0);
    if (expr.kind === "log") return expr;
    return { kind: "metric", expr: expr as MetricExpr };
  }

  expectEnd() {
    if (this.peek().kind !== "eof") throw this.unexpected();
  }

  /** Precedence climbing over binary operators; a log query may only stand alone. */
  private expression(minPrecedence: number): MetricExpr | { kind: "log"; selector: LogSelector } {
    let left = this.unary();
    for (;;) {
      const token = this.peek();
      const op = token.kind === "op" || token.kind === "ident" ? token.text : "";
      const precedence = PRECEDENCE[op];
      if (precedence === undefined || precedence < minPrecedence) return left;
      if (!(BINARY_OPERATORS as readonly string[]).includes(op)) throw unsupported(`the \`${op}\` operator`);
      this.next();
      if (this.isIdent("bool") || this.isIdent("on") || this.isIdent("ignoring")) throw unsupported(`\`${this.peek().text}\` in binary operations`);
      // `^` is right-associative, the others left.
      const right = this.expression(op === "^" ? precedence : precedence + 1);
      if (left.kind === "log" || right.kind === "log") throw this.error(token, "syntax error: unexpected log query in a binary operation; aggregate it into a metric first, e.g. count_over_time({...}[5m])");
      left = { kind: "binary", op: op as BinaryOperator, left, right };
    }
  }

  private unary(): MetricExpr | { kind: "log"; selector: LogSelector } {
    if (this.isOp("-") || this.isOp("+")) {
      const sign = this.next().text;
      const operand = this.unary();
      if (operand.kind === "log") throw this.unexpected();
      if (sign === "+") return operand;
      return operand.kind === "number" ? { kind: "number", value: -operand.value } : { kind: "binary", op: "*", left: { kind: "number", value: -1 }, right: operand };
    }
    return this.primary();
  }

  private primary(): MetricExpr | { kind: "log"; selector: LogSelector } {
    const token = this.peek();
    if (token.kind === "number") {
      this.next();
      return { kind: "number", value: token.value as number };
    }
    if (this.isOp("(")) {
      this.next();
      const inner = this.expression(0);
      this.expectOp(")");
      return inner;
    }
    if (this.isOp("{")) {
      const selector = this.logSelector();
      if (this.isOp("[")) throw this.error(this.peek(), "syntax error: a range [..] needs a function around it, e.g. count_over_time({...}[5m])");
      if (selector.stages.some((s) => s.kind === "unwrap")) throw this.error(this.peek(), "syntax error: `| unwrap` belongs inside a range function such as sum_over_time(... | unwrap latency_ms [5m])");
      return { kind: "log", selector: selector as LogSelector };
    }
    if (token.kind === "ident") {
      const name = token.text;
      if ((RANGE_FUNCTIONS as readonly string[]).includes(name)) return this.rangeAggregation(name as RangeFunction);
      if ((VECTOR_OPERATORS as readonly string[]).includes(name)) return this.vectorAggregation(name as VectorOperator);
      if (name === "vector") {
        this.next();
        this.expectOp("(");
        const value = this.expectNumber();
        this.expectOp(")");
        return { kind: "vectorLiteral", value };
      }
      if (KNOWN_RANGE_FUNCTIONS.includes(name) || KNOWN_VECTOR_OPERATORS.includes(name) || KNOWN_FUNCTIONS.includes(name)) throw unsupported(`the \`${name}\` function`);
    }
    throw this.unexpected();
  }

  private rangeAggregation(fn: RangeFunction): MetricExpr {
    this.next();
    this.expectOp("(");
    let param: number | undefined;
    if (fn === "quantile_over_time") {
      param = this.expectNumber();
      this.expectOp(",");
    }
    const open = this.isOp("(") ? (this.next(), true) : false;
    const selector = this.logSelector();
    const rangeToken = this.expectOp("[");
    const range = this.next();
    if (range.kind !== "duration") throw this.error(range, `syntax error: unexpected ${describe(range)}, expecting a duration such as 5m`);
    this.expectOp("]");
    if (this.isIdent("offset")) throw unsupported("`offset`");
    // Loki also takes the pipeline after the range: `count_over_time({a="b"}[5m] | json)`.
    selector.stages.push(...this.stages());
    if (open) this.expectOp(")");
    this.expectOp(")");
    const unwrap = this.unwrapOf(selector);
    const grouping = this.optionalGrouping();
    if (UNWRAPPED_FUNCTIONS.includes(fn) && !unwrap) throw this.error(rangeToken, `syntax error: ${fn} needs \`| unwrap <label>\` before its range`);
    if (!UNWRAPPED_FUNCTIONS.includes(fn) && unwrap && fn !== "rate") throw this.error(rangeToken, `syntax error: ${fn} counts lines; \`| unwrap\` belongs to sum_over_time, avg_over_time, min_over_time, max_over_time, quantile_over_time or rate`);
    if (grouping && !unwrap) throw this.error(rangeToken, `syntax error: grouping ${fn} needs an unwrapped label; group with sum by (...) around it instead`);
    if ((range.value as number) < 1) throw this.error(range, "syntax error: the range must be at least 1ms");
    return { kind: "range", fn, ...(param !== undefined ? { param } : {}), selector: selector as LogSelector, ...(unwrap ? { unwrap } : {}), rangeMs: range.value as number, ...(grouping ? { grouping } : {}) };
  }

  /** Takes `| unwrap x` out of the stages; label filters after it stay (they see the same labels). */
  private unwrapOf(selector: ParsedSelector): string | undefined {
    const unwraps = selector.stages.filter((s) => s.kind === "unwrap");
    if (unwraps.length > 1) throw unsupported("more than one `| unwrap`");
    selector.stages = selector.stages.filter((s) => s.kind !== "unwrap");
    return unwraps[0]?.label;
  }

  private vectorAggregation(op: VectorOperator): MetricExpr {
    this.next();
    let grouping = this.optionalGrouping();
    this.expectOp("(");
    let param: number | undefined;
    if (op === "topk" || op === "bottomk") {
      param = this.expectNumber();
      if (!Number.isInteger(param) || param < 1) throw this.error(this.previous(), `syntax error: ${op} needs a whole number of series of at least 1`);
      this.expectOp(",");
    }
    const inner = this.expression(0);
    if (inner.kind === "log") throw this.error(this.previous(), `syntax error: ${op} aggregates a metric; wrap the log query in a function such as count_over_time({...}[5m])`);
    this.expectOp(")");
    grouping ??= this.optionalGrouping();
    return { kind: "vector", op, ...(param !== undefined ? { param } : {}), ...(grouping ? { grouping } : {}), inner };
  }

  private optionalGrouping(): Grouping | undefined {
    if (!this.isIdent("by") && !this.isIdent("without")) return undefined;
    const without = this.next().text === "without";
    this.expectOp("(");
    const labels: string[] = [];
    while (!this.isOp(")")) {
      labels.push(this.expectIdent());
      if (!this.isOp(")")) this.expectOp(",");
    }
    this.next();
    return { without, labels };
  }

  private logSelector(): ParsedSelector {
    this.expectOp("{");
    const matchers: Matcher[] = [];
    while (!this.isOp("}")) {
      const label = this.expectIdent();
      const op = this.next();
      if (!(MATCH_OPS as readonly string[]).includes(op.text)) throw this.error(op, `syntax error: unexpected ${describe(op)}, expecting = or != or =~ or !~`);
      matchers.push({ label, op: op.text as MatchOp, value: this.expectString() });
      if (!this.isOp("}")) this.expectOp(",");
    }
    this.next();
    if (matchers.length === 0) throw new LogQLError("parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will");
    return { matchers, stages: this.stages() };
  }

  private stages(): ParsedStage[] {
    const stages: ParsedStage[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === "op" && ["|=", "!=", "|~", "!~"].includes(token.text)) {
        stages.push({ kind: "line", filter: this.lineFilter() });
        continue;
      }
      if (!this.isOp("|")) return stages;
      this.next();
      const word = this.peek();
      if (word.kind === "op" && word.text === ">") throw unsupported("pattern line filters (`|>`)");
      if (word.kind === "op" && word.text === "(") {
        stages.push({ kind: "label", filter: this.labelFilterOr() });
        continue;
      }
      if (word.kind !== "ident") throw this.unexpected();
      if (word.text === "json" || word.text === "logfmt") {
        this.next();
        if (this.peek().kind === "ident" && this.tokens[this.i + 1]?.text === "=") throw unsupported(`parameters of \`| ${word.text}\``);
        stages.push({ kind: "parser", parser: word.text });
      } else if (word.text === "unwrap") {
        this.next();
        const label = this.expectIdent();
        if (this.isOp("(")) throw unsupported(`conversion functions in \`| unwrap\` (\`${label}(...)\`)`);
        stages.push({ kind: "unwrap", label });
      } else if (word.text === "drop") {
        this.next();
        const labels = [this.expectIdent()];
        while (this.isOp(",")) {
          this.next();
          labels.push(this.expectIdent());
        }
        if (this.isOp("=") || this.isOp("=~")) throw unsupported("conditional `| drop` (label=\"value\")");
        stages.push({ kind: "drop", labels });
      } else if (KNOWN_STAGES.includes(word.text)) {
        throw unsupported(`the \`| ${word.text}\` stage`);
      } else {
        stages.push({ kind: "label", filter: this.labelFilterOr() });
      }
    }
  }

  private lineFilter(): LineFilter {
    const op = this.next().text as LineFilter["op"];
    if (this.isIdent("ip")) throw unsupported("ip() line filters");
    const values = [this.expectString()];
    while (this.isIdent("or")) {
      this.next();
      values.push(this.expectString());
    }
    return { op, values };
  }

  private labelFilterOr(): LabelFilter {
    let left = this.labelFilterAnd();
    while (this.isIdent("or")) {
      this.next();
      left = { kind: "or", left, right: this.labelFilterAnd() };
    }
    return left;
  }

  private labelFilterAnd(): LabelFilter {
    let left = this.labelFilterAtom();
    while (this.isIdent("and") || this.isOp(",")) {
      this.next();
      left = { kind: "and", left, right: this.labelFilterAtom() };
    }
    return left;
  }

  private labelFilterAtom(): LabelFilter {
    if (this.isOp("(")) {
      this.next();
      const inner = this.labelFilterOr();
      this.expectOp(")");
      return inner;
    }
    const label = this.expectIdent();
    const op = this.next();
    const value = this.peek();
    if (value.kind === "string" && (MATCH_OPS as readonly string[]).includes(op.text)) {
      this.next();
      return { kind: "match", label, op: op.text as MatchOp, value: value.value as string };
    }
    if (!(COMPARE_OPS as readonly string[]).includes(op.text)) throw this.error(op, `syntax error: unexpected ${describe(op)}, expecting a comparison`);
    if (value.kind === "duration") throw unsupported(`duration comparisons (\`${label} ${op.text} ${value.text}\`); compare latency_ms with a number of milliseconds`);
    if (value.kind === "ident" && /^\d/.test(value.text)) throw unsupported(`byte-size comparisons (\`${value.text}\`)`);
    const negative = this.isOp("-") ? (this.next(), true) : false;
    const number = this.expectNumber();
    return { kind: "compare", label, op: op.text as CompareOp, value: negative ? -number : number };
  }

  // --- tokens ---

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private previous(): Token {
    return this.tokens[Math.max(0, this.i - 1)]!;
  }
  private next(): Token {
    const token = this.tokens[this.i]!;
    if (token.kind !== "eof") this.i++;
    return token;
  }
  private isOp(text: string) {
    const token = this.peek();
    return token.kind === "op" && token.text === text;
  }
  private isIdent(text: string) {
    const token = this.peek();
    return token.kind === "ident" && token.text === text;
  }
  private expectOp(text: string): Token {
    if (!this.isOp(text)) throw this.error(this.peek(), `syntax error: unexpected ${describe(this.peek())}, expecting ${text}`);
    return this.next();
  }
  private expectIdent(): string {
    const token = this.next();
    if (token.kind !== "ident") throw this.error(token, `syntax error: unexpected ${describe(token)}, expecting a label name`);
    return token.text;
  }
  private expectString(): string {
    const token = this.next();
    if (token.kind !== "string") throw this.error(token, `syntax error: unexpected ${describe(token)}, expecting a string`);
    return token.value as string;
  }
  private expectNumber(): number {
    const token = this.next();
    if (token.kind !== "number") throw this.error(token, `syntax error: unexpected ${describe(token)}, expecting a number`);
    return token.value as number;
  }
  private unexpected(): LogQLError {
    return this.error(this.peek(), `syntax error: unexpected ${describe(this.peek())}`);
  }
  private error(token: Token, message: string): LogQLError {
    return parseError(token.line, token.col, message);
  }
}

function describe(token: Token): string {
  if (token.kind === "eof") return "end of query";
  if (token.kind === "string") return `string ${token.text}`;
  if (token.kind === "ident") return `identifier ${token.text}`;
  return `${token.kind === "op" ? "" : `${token.kind} `}${token.text}`.trim();
}
