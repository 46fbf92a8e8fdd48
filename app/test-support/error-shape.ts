// The one exception to "every error is problem+json", for the tests that sweep every route:
// Loki's read API answers in Loki's shape (JSON with a `message`), which Grafana's Loki
// datasource reads. Written here, apart from the routes, so a route that changes shape fails.

export function errorContentType(path: string): string {
  return /^\/loki\/api\/v1\/(?!push)/.test(path) ? "application/json" : "application/problem+json";
}
