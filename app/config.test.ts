import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("listens on every interface by default, but only on loopback when authentication is off", () => {
    expect(loadConfig({}).HOST).toBe("0.0.0.0");
    expect(loadConfig({ FAILSIGHT_AUTH: "off" }).HOST).toBe("127.0.0.1");
    expect(loadConfig({ FAILSIGHT_AUTH: "off", HOST: "0.0.0.0" }).HOST).toBe("0.0.0.0");
  });

  it("names the variable that is wrong", () => {
    expect(() => loadConfig({ INGEST_INFLIGHT_MIB: "lots" })).toThrow(/INGEST_INFLIGHT_MIB/);
  });
});
