import { RequestError } from "../../../domain/request-error.ts";
import { WINDOW_RULE, parseWindow } from "../../../status/window.ts";

export function windowMsOrThrow(window: string): number {
  const ms = parseWindow(window);
  if (ms === undefined) {
    throw new RequestError("validation-error", "invalid query", [{ field: "window", message: `must be ${WINDOW_RULE}` }]);
  }
  return ms;
}
