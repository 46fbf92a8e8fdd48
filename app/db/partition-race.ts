/**
 * A row routed to the DEFAULT partition while maintenance attaches the partition for its
 * month waits on DEFAULT's lock and then fails the new partition constraint (SQLSTATE
 * 23514 on the DEFAULT partition): PostgreSQL's ATTACH locks DEFAULT and cannot avoid it.
 * The failed statement rolled back whole, and a retry routes the rows to the new
 * partition, so writers retry exactly that error.
 */
export async function retryingPartitionRace<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isDefaultPartitionRace(error)) throw error;
    }
  }
}

export function isDefaultPartitionRace(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === "23514" && /relation "[^"]*_default" violates partition constraint/.test(e.message ?? "");
}
