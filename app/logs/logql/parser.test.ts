import { describe, expect, it } from "vitest";
import { parseLogQL } from "./parser.ts";

// The grammar on its own: what each construct parses to, and the exact refusals.

describe("parseLogQL", () => {
  it("parses a selector with every matcher operator, line filters and a pipeline", () => {
    expect(parseLogQL(`{service="api", level!="debug", route=~"/v1/.*", method!~"GET|HEAD"} |= "a" != "b" |~ "c" or "d" !~ \`e\\d\` | json | status >= 500 or latency_ms < 2.5, attributes_x = "y" | drop __error__`)).toEqual({
      kind: "log",
      selector: {
        matchers: [
          { label: "service", op: "=", value: "api" },
          { label: "level", op: "!=", value: "debug" },
          { label: "route", op: "=~", value: "/v1/.*" },
          { label: "method", op: "!~", value: "GET|HEAD" },
        ],
        stages: [
          { kind: "line", filter: { op: "|=", values: ["a"] } },
          { kind: "line", filter: { op: "!=", values: ["b"] } },
          { kind: "line", filter: { op: "|~", values: ["c", "d"] } },
          { kind: "line", filter: { op: "!~", values: ["e\\d"] } },
          { kind: "parser", parser: "json" },
          {
            kind: "label",
            filter: {
              kind: "or",
              left: { kind: "compare", label: "status", op: ">=", value: 500 },
              right: { kind: "and", left: { kind: "compare", label: "latency_ms", op: "<", value: 2.5 }, right: { kind: "match", label: "attributes_x", op: "=", value: "y" } },
            },
          },
          { kind: "drop", labels: ["__error__"] },
        ],
      },
    });
  });

  it("reads Go string escapes and raw strings", () => {
    const { selector } = parseLogQL(`{service="a\\"b\\n\\u00e9"} |= \`c\\d\``) as { selector: { matchers: { value: string }[]; stages: { filter: { values: string[] } }[] } };
    expect(selector.matchers[0]!.value).toBe('a"b\né');
    expect(selector.stages[0]!.filter.values).toEqual(["c\\d"]);
  });

  it("parses range and vector aggregations with grouping before or after, and unwrap", () => {
    expect(parseLogQL(`sum by (level) (count_over_time({service="api"}[1m]))`)).toEqual({
      kind: "metric",
      expr: { kind: "vector", op: "sum", grouping: { without: false, labels: ["level"] }, inner: { kind: "range", fn: "count_over_time", selector: { matchers: [{ label: "service", op: "=", value: "api" }], stages: [] }, rangeMs: 60_000 } },
    });
    const q = parseLogQL(`quantile_over_time(0.99, {service="api"} | json | unwrap latency_ms | __error__="" [1h30m]) by (route)`);
    expect(q).toMatchObject({ expr: { kind: "range", fn: "quantile_over_time", param: 0.99, unwrap: "latency_ms", rangeMs: 5_400_000, grouping: { without: false, labels: ["route"] } } });
    expect(parseLogQL(`topk(3, sum(rate({service="a"}[5m])) without (route))`)).toMatchObject({ expr: { op: "topk", param: 3, inner: { op: "sum", grouping: { without: true, labels: ["route"] } } } });
    // Loki also takes the pipeline after the range.
    expect(parseLogQL(`count_over_time({service="a"}[5m] |= "x")`)).toMatchObject({ expr: { selector: { stages: [{ kind: "line" }] } } });
  });

  it("gives arithmetic its precedence, ^ right-associative, and unary minus", () => {
    const n = (value: number) => ({ kind: "number", value });
    expect(parseLogQL("1 + 2 * 3").kind === "metric" && parseLogQL("1 + 2 * 3")).toMatchObject({ expr: { op: "+", left: n(1), right: { op: "*", left: n(2), right: n(3) } } });
    expect(parseLogQL("2 ^ 3 ^ 2")).toMatchObject({ expr: { op: "^", left: n(2), right: { op: "^", left: n(3), right: n(2) } } });
    expect(parseLogQL("(1 - 2) - 3")).toMatchObject({ expr: { op: "-", left: { op: "-" }, right: n(3) } });
    expect(parseLogQL("-vector(2)")).toMatchObject({ expr: { op: "*", left: n(-1), right: { kind: "vectorLiteral", value: 2 } } });
  });

  it.each([
    [`{service="a"`, /parse error at line 1, col 13: syntax error: unexpected end of query, expecting ,/],
    [`{service="a"}\n  |= foo`, /parse error at line 2, col 6: .*expecting a string/],
    [`count_over_time({service="a"})`, /expecting \[/],
    [`count_over_time({service="a"}[5x])`, /expecting a duration/],
    [`sum_over_time({service="a"}[5m])`, /needs `\| unwrap <label>`/],
    [`{service="a"} | unwrap latency_ms`, /belongs inside a range function/],
    [`{service="a"}[5m]`, /needs a function around it/],
    [`sum({service="a"})`, /aggregates a metric/],
    [`{service="a"} + 1`, /unexpected log query in a binary operation/],
    [`{}`, /at least one regexp or equality matcher/],
    [`{service="a"} |= "x`, /unterminated string/],
  ])("refuses %j as a parse error", (query, message) => {
    expect(() => parseLogQL(query)).toThrow(message);
  });

  it.each([
    [`{service="a"} | line_format "{{.x}}"`, "line_format"],
    [`{service="a"} | regexp "(?P<x>.)"`, "regexp"],
    [`{service="a"} | json x="y"`, "parameters of `| json`"],
    [`{service="a"} |= ip("1.2.3.4")`, "ip()"],
    [`{service="a"} |> "<_> x"`, "pattern line filters"],
    [`{service="a"} | json | latency_ms > 250ms`, "duration comparisons"],
    [`count_over_time({service="a"}[5m] offset 1h)`, "`offset`"],
    [`stddev_over_time({service="a"} | unwrap latency_ms [5m])`, "stddev_over_time"],
    [`label_replace(vector(1), "a", "b", "c", "d")`, "label_replace"],
    [`vector(1) and vector(1)`, "`and` operator"],
    [`vector(1) > bool vector(1)`, "`>` operator"],
    [`vector(1) + on (a) vector(1)`, "`on` in binary operations"],
    [`sum_over_time({service="a"} | unwrap duration(latency) [5m])`, "conversion functions"],
  ])("names %j as not supported", (query, what) => {
    expect(() => parseLogQL(query)).toThrow(`not supported by Failsight's LogQL: `);
    expect(() => parseLogQL(query)).toThrow(what);
  });
});
