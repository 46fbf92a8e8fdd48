import { parseWindow } from "../../../status/window.ts";
import { ApiError } from "../../problem.ts";

export function windowMsOrThrow(window: string): number {
  const ms = parseWindow(window);
  if (ms === undefined) {
    throw new ApiError("validation-error", "invalid query", [{ field: "window", message: "must be a duration from 1s to 24h, like 5m or 1h" }]);
  }
  return ms;
}
