/** A node of `EXPLAIN (FORMAT JSON)`'s plan, with the fields tests read (ANALYZE adds the actual ones). */
export type PlanNode = {
  "Node Type": string;
  /** An Aggregate's: Plain, Sorted or Hashed. */
  Strategy?: string;
  "Relation Name"?: string;
  Alias?: string;
  "Index Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  Plans?: PlanNode[];
};

/** The node and every node under it, parents first. */
export const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];
