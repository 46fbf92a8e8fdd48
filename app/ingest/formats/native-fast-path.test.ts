import { describe, expect, it } from "vitest";
import { isStorableInstant } from "../../domain/text.ts";
import { checkLogEvent, fastLogEvent, isToIsoString } from "./native-fast-path.ts";
import { LogEventInput, timestampMs } from "./native-schema.ts";
import { seededRandom } from "../../test-support/seeded-random.ts";
import { nativeEventCases } from "../../test-support/native-event-cases.ts";

// The fast path must give zod's answer: the same event where zod accepts one, nothing where
// zod refuses (zod then explains), over the cases of test-support/native-event-cases.ts.

describe("the native fast path", () => {
  it("gives zod's answer for every value of every field, on its own and combined", () => {
    const cases = nativeEventCases(15, 5_000);

    let vouched = 0;
    for (const raw of cases) {
      const fast = fastLogEvent(raw);
      const zod = LogEventInput.safeParse(raw);
      const protoKey = typeof raw === "object" && raw !== null && Object.hasOwn(raw, "attributes") && Object.hasOwn((raw as { attributes: object }).attributes ?? {}, "__proto__");
      // Both ways: never accepts what zod refuses, and (but for the one case it leaves to zod) never refuses what zod accepts.
      if (fast !== undefined || (zod.success && !protoKey)) {
        expect({ raw, fast }).toEqual({ raw, fast: zod.success ? zod.data : "refused by zod" });
        vouched++;
      }
    }
    expect(vouched).toBeGreaterThan(1_000);
  });

  it("leaves attributes nested past the stack to zod, which refuses them, rather than throwing", () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const raw = { service: "svc", attributes: deep };
    expect(fastLogEvent(raw)).toBeUndefined();
    expect(checkLogEvent(raw).success).toBe(false);
  });
});

describe("timestamps stored as sent", () => {
  it("are exactly the texts Date#toISOString writes for a storable instant", () => {
    const next = seededRandom(24);
    const digit = () => String(Math.floor(next() * 10));
    const texts: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      // Canonical in shape, with digits anywhere in range or out of it (month 13, day 31 in a short month, 24:00, second 60, year 0000).
      const pick = (...xs: string[]) => xs[Math.floor(next() * xs.length)]!;
      const year = pick("1969", "1970", "2000", "2024", "2100", "9999", "0000", `${digit()}${digit()}${digit()}${digit()}`);
      const month = pick("01", "02", "04", "12", "13", "00", `${digit()}${digit()}`);
      const day = pick("01", "28", "29", "30", "31", "32", "00", `${digit()}${digit()}`);
      const time = `${pick("00", "23", "24", `${digit()}${digit()}`)}:${pick("00", "59", "60", `${digit()}${digit()}`)}:${pick("00", "59", "60", `${digit()}${digit()}`)}.${digit()}${digit()}${digit()}`;
      texts.push(`${year}-${month}-${day}T${time}Z`);
    }
    texts.push("2026-11-25T10:00:00Z", "2026-11-25T10:00:00.000+00:00", "2026-11-25 10:00:00.000Z", "+002026-11-25T10:00:00.000Z", "2026-11-25T10:00:00.0000Z", "2026-1a-25T10:00:00.000Z");
    let canonical = 0;
    for (const text of texts) {
      const ms = timestampMs(text);
      const expected = isStorableInstant(ms) && new Date(ms).toISOString() === text;
      expect({ text, stored: isToIsoString(text) }).toEqual({ text, stored: expected });
      if (expected) canonical++;
    }
    expect(canonical).toBeGreaterThan(1_000);
  });
});
