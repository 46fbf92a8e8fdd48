import type { LatencyHistogram } from "../rollups/histogram.ts";

/** A window's whole hours, as the instants that bound them. */
export type HourSpan = { h0: string; h1: string };
type Entry = HourSpan & { events: number; histogram: LatencyHistogram };

/**
 * The merged latency histogram of each service's whole hours in a window, kept between
 * /status calls: merging them is most of a 24h window's cost (23 hours × ~80 buckets per
 * service), and closed hours rarely change. An entry is used only while the events its
 * hours hold still number what they did when it was made: roll-ups are appended to (late
 * events) and compacted (sums kept), never decremented in a window retention keeps, so a
 * count that moved means the histogram did and it is merged again. It is never a way
 * around row-level security: the query decides which services the caller sees and what
 * their hours count now; an entry only saves re-reading buckets it already merged.
 * One entry per service and span length, replaced as the window moves on.
 */
export class HourHistograms {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;

  constructor(maxEntries = 10_000) {
    this.maxEntries = maxEntries;
  }

  /** What is held for these hours, as the (service, events) pairs the query checks against. */
  known(span: HourSpan): { serviceIds: number[]; events: number[] } {
    const serviceIds: number[] = [];
    const events: number[] = [];
    for (const [key, entry] of this.entries) {
      if (entry.h0 !== span.h0 || entry.h1 !== span.h1) continue;
      serviceIds.push(Number(key.slice(0, key.indexOf("/"))));
      events.push(entry.events);
    }
    return { serviceIds, events };
  }

  /** The histogram held for the service's hours, if they still count `events`. */
  get(serviceId: number, span: HourSpan, events: number): LatencyHistogram | undefined {
    const entry = this.entries.get(keyOf(serviceId, span));
    return entry && entry.h0 === span.h0 && entry.h1 === span.h1 && entry.events === events ? entry.histogram : undefined;
  }

  set(serviceId: number, span: HourSpan, events: number, histogram: LatencyHistogram): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(keyOf(serviceId, span), { ...span, events, histogram });
  }
}

const keyOf = (serviceId: number, span: HourSpan) => `${serviceId}/${Date.parse(span.h1) - Date.parse(span.h0)}`;
