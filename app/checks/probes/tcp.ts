import { connect } from "node:net";
import type { TcpCheck } from "../../domain/check-spec.ts";
import { networkFailure, timedOut, type ProbeResult } from "./probe-result.ts";

/** Opens a TCP connection and closes it: the port accepts, or why not, within `timeoutMs`. */
export function probeTcp(spec: TcpCheck, timeoutMs: number): Promise<ProbeResult> {
  const details = { host: spec.host, port: spec.port };
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: spec.host.replace(/^\[|\]$/g, ""), port: spec.port });
    const settle = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => settle(timedOut(timeoutMs, details)), timeoutMs);
    socket.once("connect", () => {
      const latencyMs = performance.now() - started;
      settle({ outcome: "pass", latencyMs, message: `connected in ${Math.round(latencyMs)} ms`, details });
    });
    socket.once("error", (error) => settle(networkFailure(error, details)));
  });
}
