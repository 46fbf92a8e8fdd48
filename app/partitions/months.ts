// Calendar months in UTC, the unit of partitioning. Date.UTC rolls months over years
// (month 12 is next January) and knows leap years, so arithmetic stays in one place.

export function monthStart(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
}

export function addMonths(month: Date, count: number): Date {
  return new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + count, 1));
}

export function isMonthStart(date: Date): boolean {
  return date.getTime() === monthStart(date).getTime();
}

/** `log_events_p2026_11` for November 2026. */
export function partitionName(table: string, month: Date): string {
  return `${table}_p${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** The month a name like `log_events_p2026_11` stands for, if it is one of ours. */
export function monthOfName(table: string, name: string): Date | undefined {
  const match = new RegExp(`^${table}_p(\\d{4})_(\\d{2})$`).exec(name);
  if (!match) return undefined;
  const month = Number(match[2]);
  return month >= 1 && month <= 12 ? new Date(Date.UTC(Number(match[1]), month - 1, 1)) : undefined;
}

export function monthLabel(month: Date): string {
  return month.toISOString().slice(0, 7);
}
