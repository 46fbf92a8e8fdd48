/** The HTTP status of an error from @kubernetes/client-node, if it carries one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}
