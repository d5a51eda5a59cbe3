/** Case tables (fixtures/cases/*.json): rows tagged with the behaviour they check. */

/** The rows of `table` for behaviour `id`; a behaviour without rows is a broken table, not a passing test. */
export function rowsOf<R extends { behaviour: string }>(rows: readonly R[], id: string, source: string): R[] {
  const mine = rows.filter((r) => r.behaviour === id);
  if (mine.length === 0) throw new Error(`${source} has no row for ${id}`);
  return mine;
}
