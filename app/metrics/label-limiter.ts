/**
 * Bounds a label's cardinality: the first `cap` distinct values keep their own series,
 * every later one folds into `other`. Values already admitted stay admitted, so a series
 * never switches label mid-life. Pure apart from its memory.
 */
export class LabelLimiter {
  private readonly admitted = new Set<string>();
  private readonly cap: number;

  constructor(cap: number) {
    this.cap = cap;
  }

  label(value: string): string {
    if (this.admitted.has(value)) return value;
    if (this.admitted.size < this.cap) {
      this.admitted.add(value);
      return value;
    }
    return OTHER;
  }
}

export const OTHER = "other";
