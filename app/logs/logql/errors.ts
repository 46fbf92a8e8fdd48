// Two ways a LogQL query is refused, both a 400: it is not LogQL (a parse error, worded and
// positioned as Loki words them, so Grafana shows the familiar message), or it is LogQL that
// Failsight does not evaluate (named, so nobody mistakes an empty answer for a wrong one).

export class LogQLError extends Error {
  override name = "LogQLError";
}

export function parseError(line: number, col: number, message: string): LogQLError {
  return new LogQLError(`parse error at line ${line}, col ${col}: ${message}`);
}

export function unsupported(what: string): LogQLError {
  return new LogQLError(`not supported by Failsight's LogQL: ${what} (see the README's LogQL section)`);
}
