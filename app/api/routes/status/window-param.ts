import { RequestError } from "../../../domain/request-error.ts";
import { parseWindow } from "../../../status/window.ts";

export function windowMsOrThrow(window: string): number {
  const ms = parseWindow(window);
  if (ms === undefined) {
    throw new RequestError("validation-error", "invalid query", [{ field: "window", message: "must be a duration from 1s to 24h, like 5m or 1h" }]);
  }
  return ms;
}
