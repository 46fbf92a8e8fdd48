// The LogQL subset Failsight evaluates, as the parser hands it to the compiler. Anything the
// parser accepts here, the compiler can turn into SQL or the evaluator into numbers.

export const MATCH_OPS = ["=", "!=", "=~", "!~"] as const;
export type MatchOp = (typeof MATCH_OPS)[number];
export const COMPARE_OPS = ["==", "=", "!=", ">", ">=", "<", "<="] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

export type Matcher = { label: string; op: MatchOp; value: string };

/** `|= "a" or "b"`: a line passes when it contains (or, negated, contains none of) the values. */
export type LineFilter = { op: "|=" | "!=" | "|~" | "!~"; values: string[] };

export type LabelFilter =
  | { kind: "match"; label: string; op: MatchOp; value: string }
  | { kind: "compare"; label: string; op: CompareOp; value: number }
  | { kind: "and" | "or"; left: LabelFilter; right: LabelFilter };

export type Stage =
  | { kind: "line"; filter: LineFilter }
  | { kind: "parser"; parser: "json" | "logfmt" }
  | { kind: "label"; filter: LabelFilter }
  | { kind: "drop"; labels: string[] };

/** `{service="api"} |= "timeout" | json | status >= 500`. */
export type LogSelector = { matchers: Matcher[]; stages: Stage[] };

export const RANGE_FUNCTIONS = ["count_over_time", "rate", "bytes_over_time", "bytes_rate", "sum_over_time", "avg_over_time", "min_over_time", "max_over_time", "quantile_over_time"] as const;
export type RangeFunction = (typeof RANGE_FUNCTIONS)[number];
/** The functions that aggregate an unwrapped label rather than count lines or bytes. */
export const UNWRAPPED_FUNCTIONS: readonly RangeFunction[] = ["sum_over_time", "avg_over_time", "min_over_time", "max_over_time", "quantile_over_time"];

export const VECTOR_OPERATORS = ["sum", "avg", "min", "max", "count", "topk", "bottomk"] as const;
export type VectorOperator = (typeof VECTOR_OPERATORS)[number];

export const BINARY_OPERATORS = ["+", "-", "*", "/", "%", "^"] as const;
export type BinaryOperator = (typeof BINARY_OPERATORS)[number];

export type Grouping = { without: boolean; labels: string[] };

export type RangeAggregation = {
  kind: "range";
  fn: RangeFunction;
  /** φ of quantile_over_time. */
  param?: number;
  selector: LogSelector;
  unwrap?: string;
  rangeMs: number;
  grouping?: Grouping;
};

export type MetricExpr =
  | RangeAggregation
  | { kind: "vector"; op: VectorOperator; param?: number; grouping?: Grouping; inner: MetricExpr }
  | { kind: "binary"; op: BinaryOperator; left: MetricExpr; right: MetricExpr }
  | { kind: "number"; value: number }
  | { kind: "vectorLiteral"; value: number };

export type Query = { kind: "log"; selector: LogSelector } | { kind: "metric"; expr: MetricExpr };
